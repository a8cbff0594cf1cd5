import logging

import pytest
from django.db import transaction

from hub.oncommit import on_commit

pytestmark = pytest.mark.django_db


def test_a_side_effect_runs_only_once_the_transaction_commits(
    django_capture_on_commit_callbacks,
):
    ran = []

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        on_commit(lambda: ran.append("sent"), what="a test e-mail")
        assert ran == []

    assert ran == ["sent"]
    assert len(callbacks) == 1


def test_a_failing_side_effect_is_logged_with_what_it_was_and_never_raises(
    django_capture_on_commit_callbacks, caplog
):
    def fail():
        raise ConnectionError("the queue is down")

    with (
        caplog.at_level(logging.ERROR, logger="hub.oncommit"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        on_commit(fail, what="invitation e-mail 7")

    assert "invitation e-mail 7" in caplog.text
    assert "ConnectionError" in caplog.text


def test_a_side_effect_of_a_rolled_back_transaction_never_runs(
    django_capture_on_commit_callbacks,
):
    ran = []

    def write_then_fail():
        with transaction.atomic():
            on_commit(lambda: ran.append("sent"), what="a test e-mail")
            raise RuntimeError

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        write_then_fail()

    assert ran == []
    assert callbacks == []
