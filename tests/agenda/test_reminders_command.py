"""The reminders' management command: what it tells whoever reads the cron log,
in the project's language, however many reminders went out."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from agenda.management.commands import agenda_reminders
from agenda.models import Occurrence, Signup
from agenda.services.signups import signup_answer
from tests.agenda.conftest import da
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def _sent(n: int) -> str:
    return da("Sent %(count)s reminder.", "Sent %(count)s reminders.", n, count=n)


def _run() -> str:
    out = StringIO()
    call_command("agenda_reminders", stdout=out)
    return out.getvalue().strip()


def test_the_command_says_how_many_reminders_went_out_in_the_right_number(
    club, make_event, settings
):
    settings.NABOLAG_AGENDA = {**settings.NABOLAG_AGENDA, "REMINDER_HOURS": 24}
    soon = timezone.now() + timedelta(hours=5)
    event = make_event(starts_at=soon, ends_at=soon + timedelta(hours=2))
    occurrence = Occurrence.objects.get(event=event)
    for _ in range(2):
        signup_answer(
            user=member_of(club), occurrence=occurrence, response=Signup.Response.GOING
        )

    first, second = _run(), _run()

    assert first == _sent(2)
    assert second == _sent(0)
    assert Signup.objects.filter(reminded_at__isnull=False).count() == 2


def test_the_command_speaks_the_projects_language_whatever_is_active(
    monkeypatch, settings
):
    settings.LANGUAGE_CODE = "da"
    heard = []

    def ngettext(singular, plural, number):
        heard.append((singular, plural, number, translation.get_language()))
        return translation.ngettext(singular, plural, number)

    monkeypatch.setattr(agenda_reminders, "ngettext", ngettext)

    with translation.override("en"):
        said = _run()

    assert heard == [("Sent %(count)s reminder.", "Sent %(count)s reminders.", 0, "da")]
    assert said == _sent(0)
