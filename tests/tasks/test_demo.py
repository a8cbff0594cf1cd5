"""The demo task board: Skovby IF and Grøn Plæne ApS."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from communities.models import Community
from tasks import selectors
from tasks.models import Agreement, ProblemReport, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path, mailoutbox):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--force", verbosity=0)


def test_the_club_and_its_contractor_run_a_season_on_the_board(demo):
    agreement = Agreement.objects.get(
        client__slug="skovby-if", contractor__slug="gron-plaene"
    )
    tasks = agreement.tasks.all()
    states = set(tasks.values_list("state", flat=True))

    assert agreement.is_active
    assert agreement.shared_with_municipality
    assert {"confirmed", "proposed", "accepted", "disputed"} <= states
    # The pitch is made ready before every home match of the season.
    match_tasks = tasks.filter(occurrence__event__title="Hjemmekamp")
    assert match_tasks.count() >= 5
    for task in match_tasks:
        assert task.window_until < task.occurrence.starts_at
    # One match moved a day, and its task (with its agreed time) moved too.
    moved = match_tasks.get(steps__action="moved")
    assert moved.state == Task.State.CONFIRMED
    assert moved.starts_at + moved.duration <= moved.window_until
    assert moved.booking is not None
    assert moved.booking.starts_at == moved.starts_at
    # The dispute says why.
    disputed = tasks.get(state=Task.State.DISPUTED)
    assert disputed.steps.get(action="disputed").note


def test_a_residents_report_became_a_task_for_the_contractor(demo):
    report = ProblemReport.objects.get(site__slug="skovby-graesbane")

    assert report.state == ProblemReport.State.TASKED
    assert report.task.agreement.contractor.slug == "gron-plaene"
    assert report.task.state == Task.State.CONFIRMED


def test_the_demo_contractor_has_a_real_week_of_work_for_two_clients(demo):
    bo = User.objects.get(email="bo@gron-plaene.example")
    firm = Community.objects.get(slug="gron-plaene")

    board = selectors.contractor_board(bo, firm, day=timezone.localdate())

    shown = [item.task for group in board.days for item in group.tasks]
    unplanned = [item.task for item in board.unscheduled]
    assert len(shown) >= 4
    assert {t.agreement.client.slug for t in shown + unplanned} == {
        "skovby-if",
        "linda",
    }


def test_the_village_hall_has_work_agreed_and_work_waiting_for_each_side(demo):
    agreement = Agreement.objects.get(
        client__slug="linda", contractor__slug="gron-plaene"
    )
    tasks = {t.title: t for t in agreement.tasks.all()}

    leaves = tasks["Fej blade på stier og parkering"]
    gutters = tasks["Rens tagrender og nedløb"]
    salt = tasks["Salt stier og parkering før juletræsfesten"]
    assert agreement.is_active
    assert leaves.crew.name == "Banehold 1"
    assert leaves.starts_at > timezone.now()
    # The firm offered two afternoons (outside the village's approved
    # mornings); the village asked for a dawn: each waits for the other side.
    assert gutters.state == salt.state == Task.State.PROPOSED
    assert gutters.slots.filter(state="open").count() == 2
    assert set(gutters.slots.values_list("side", flat=True)) == {"contractor"}
    assert set(salt.slots.values_list("side", flat=True)) == {"client"}


def test_the_daily_round_says_what_it_did(task, mailoutbox):
    from datetime import timedelta
    from io import StringIO

    from tests.helpers import da

    # A task whose window has passed while still planned is missed.
    Task.objects.filter(pk=task.pk).update(
        window_from=timezone.now() - timedelta(days=3),
        window_until=timezone.now() - timedelta(days=1),
    )
    out = StringIO()

    call_command("tasks_maintenance", stdout=out)

    task.refresh_from_db()
    assert task.state == Task.State.MISSED
    assert out.getvalue().splitlines() == [
        da("Made %(count)s task.", "Made %(count)s tasks.", 0, count=0),
        da(
            "Accepted %(count)s task by itself.",
            "Accepted %(count)s tasks by themselves.",
            0,
            count=0,
        ),
        da(
            "Marked %(count)s task missed.",
            "Marked %(count)s tasks missed.",
            1,
            count=1,
        ),
    ]
