"""Tasks made by hand, given to a crew and talked over in their thread, and
the problems residents report at a site: passed on as a task to whoever the
agreement makes responsible, and the resident told how it went."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from agenda.models import Facility
from messaging.models import Conversation
from tasks.errors import TaskError, TaskNotPermitted
from tasks.models import Agreement, Crew, ProblemReport, Side, Task
from tasks.services import agreements, lifecycle, work
from tests.factories import CommunityFactory, member_of
from tests.tasks.conftest import at, confirmed, da, done

S = Task.State
R = ProblemReport.State


# --- task_create -----------------------------------------------------------------


def test_the_contractor_adds_a_task_too(make_task, firm_organiser, agreement):
    task = make_task(
        actor=firm_organiser,
        title="  Ekstra   slåning ",
        checklist=(" Slå  ", "", "Rens"),
        instructions="  Også langs hegnet ",
    )

    assert (task.agreement, task.state, task.version) == (agreement, S.PLANNED, 1)
    assert task.title == "Ekstra slåning"
    assert task.checklist == ["Slå", "Rens"]
    assert task.instructions == "Også langs hegnet"
    assert task.steps.get().side == Side.CONTRACTOR


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "   "}, "title", "Please give the task a title."),
        (
            {"kind": "snow_clearing"},
            "kind",
            "The agreement does not cover this kind of work.",
        ),
        (
            {"site": "elsewhere"},
            "site",
            "That site is not part of this agreement.",
        ),
        (
            {"window_until": "window_from"},
            "window_until",
            "The end must come after the start.",
        ),
        (
            {"window_from": "past", "window_until": "past"},
            "window_until",
            "The time to do the task in has already passed.",
        ),
        (
            {"duration": timedelta(minutes=9)},
            "duration",
            "A job takes between 10 minutes and 24 hours.",
        ),
        (
            {"duration": timedelta(hours=25)},
            "duration",
            "A job takes between 10 minutes and 24 hours.",
        ),
        (
            {"window_until": "an hour on", "duration": timedelta(hours=2)},
            "duration",
            "The job takes longer than the time given to do it in.",
        ),
    ],
    ids=[
        "no title",
        "kind not covered",
        "another site",
        "empty window",
        "window passed",
        "too short",
        "too long",
        "longer than the window",
    ],
)
def test_a_task_that_does_not_fit_its_agreement_is_refused(
    make_task, overrides, field, message
):
    values = dict(overrides)
    if values.get("site") == "elsewhere":
        values["site"] = Facility.objects.create(
            name="Bane 2", slug="bane-2", kind=Facility.Kind.NATURAL_GRASS
        )
    if values.get("window_from") == "past":
        values["window_from"] = timezone.now() - timedelta(days=3)
        values["window_until"] = timezone.now() - timedelta(days=1)
    if values.get("window_until") == "window_from":
        values["window_until"] = at(1, 6)
    if values.get("window_until") == "an hour on":
        values["window_until"] = at(1, 7)

    with pytest.raises(TaskError) as exc:
        make_task(**values)

    assert exc.value.field == field
    assert str(exc.value.message) == da(message)
    assert not Task.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "firm_staff", "club_member"])
def test_only_a_party_adds_tasks(make_task, club, request, who):
    actor = member_of(club) if who == "club_member" else request.getfixturevalue(who)

    with pytest.raises(TaskNotPermitted) as exc:
        make_task(actor=actor)

    assert str(exc.value.message) == da("You are not a party to this agreement.")
    assert not Task.objects.exists()


@pytest.mark.parametrize("state", ["invited", "ended", "declined"])
def test_no_task_is_added_to_an_agreement_not_in_force(make_task, agreement, state):
    Agreement.objects.filter(pk=agreement.pk).update(state=state)
    agreement.refresh_from_db()

    with pytest.raises(TaskError) as exc:
        make_task()

    assert str(exc.value.message) == da(
        "The agreement behind this task is not in force."
    )
    assert not Task.objects.exists()


# --- crews -----------------------------------------------------------------------


@pytest.fixture
def crew(firm, firm_organiser, firm_staff):
    return agreements.crew_create(
        actor=firm_organiser, contractor=firm, name="Hold Nord", members=[firm_staff]
    )


def test_the_contractor_gives_the_task_to_a_crew(task, crew, firm_organiser):
    version = task.version

    work.task_assign_crew(actor=firm_organiser, task=task, crew=crew)

    task.refresh_from_db()
    assert (task.crew, task.version) == (crew, version + 1)


def test_the_club_does_not_give_the_task_to_a_crew(task, crew, club_organiser):
    with pytest.raises(TaskNotPermitted):
        work.task_assign_crew(actor=club_organiser, task=task, crew=crew)

    task.refresh_from_db()
    assert task.crew is None


def test_a_crew_of_another_firm_is_refused(task, firm_organiser):
    rival = CommunityFactory(kind="contractor")
    theirs = Crew.objects.create(contractor=rival, name="Hold Syd")

    with pytest.raises(TaskError) as exc:
        work.task_assign_crew(actor=firm_organiser, task=task, crew=theirs)

    assert exc.value.field == "crew"
    task.refresh_from_db()
    assert task.crew is None


# --- the task's thread ----------------------------------------------------------


def participants(conversation) -> set:
    return set(conversation.participants.values_list("user_id", flat=True))


def test_the_tasks_thread_holds_both_sides_organisers(
    task, club_organiser, firm_organiser
):
    thread = work.task_thread(actor=club_organiser, task=task)

    assert thread.kind == Conversation.Kind.THREAD
    assert thread.title == task.title
    assert participants(thread) == {club_organiser.pk, firm_organiser.pk}


def test_a_task_has_one_thread_whoever_opens_it(task, club_organiser, firm_organiser):
    first = work.task_thread(actor=club_organiser, task=task)
    second = work.task_thread(actor=firm_organiser, task=task)

    assert first == second
    assert Conversation.objects.filter(kind=Conversation.Kind.THREAD).count() == 1
    assert first.participants.count() == 2


def test_the_thread_takes_in_the_people_named_and_the_crew(
    task, crew, club_organiser, firm_organiser, club, agreement
):
    groundskeeper = member_of(club)
    agreements.actor_add(
        actor=club_organiser, agreement=agreement, user=groundskeeper, side=Side.CLIENT
    )
    thread = work.task_thread(actor=club_organiser, task=task)
    work.task_assign_crew(actor=firm_organiser, task=task, crew=crew)

    thread = work.task_thread(actor=firm_organiser, task=task)

    (crew_member,) = crew.members.all()
    assert participants(thread) == {
        club_organiser.pk,
        firm_organiser.pk,
        groundskeeper.pk,
        crew_member.pk,
    }


def test_someone_not_party_to_the_task_opens_no_thread(task, stranger, club):
    for outsider in (stranger, member_of(club)):
        with pytest.raises(TaskNotPermitted):
            work.task_thread(actor=outsider, task=task)

    assert not Conversation.objects.filter(kind=Conversation.Kind.THREAD).exists()


# --- residents' problem reports ------------------------------------------------


@pytest.fixture
def resident(village):
    return member_of(village)


def report(resident, pitch, kind="mowing", description="Græsset er alt for langt"):
    return work.problem_report(
        actor=resident, site=pitch, kind=kind, description=description
    )


def test_a_reported_problem_becomes_a_task_for_the_agreement_responsible(
    resident, pitch, agreement
):
    before = timezone.now()

    made = report(resident, pitch, description="  Græsset er alt for langt ved målet ")

    made.refresh_from_db()
    task = made.task
    assert made.state == R.TASKED
    assert made.reporter == resident
    assert made.description == "Græsset er alt for langt ved målet"
    assert (task.agreement, task.site, task.kind) == (agreement, pitch, "mowing")
    assert task.title == da(
        "Reported: %(text)s", text="Græsset er alt for langt ved målet"
    )
    assert task.instructions == made.description
    assert task.state == S.PLANNED
    assert before <= task.window_from <= timezone.now()
    assert task.window_until - task.window_from == timedelta(days=7)
    step = task.steps.get()
    assert (step.action, step.actor, step.side) == ("created", None, "")
    assert step.note == da("Reported by a resident.")


@pytest.mark.parametrize("case", ["kind not covered", "another site", "ended"])
def test_a_problem_nobody_is_responsible_for_waits_as_reported(
    resident, pitch, agreement, club_organiser, case
):
    site, kind = pitch, "mowing"
    if case == "kind not covered":
        kind = "repairs"
    elif case == "another site":
        site = Facility.objects.create(
            name="Bane 2", slug="bane-2", kind=Facility.Kind.NATURAL_GRASS
        )
    else:
        agreements.agreement_end(actor=club_organiser, agreement=agreement)

    made = report(resident, site, kind=kind)

    made.refresh_from_db()
    assert made.state == R.OPEN
    assert not Task.objects.filter(report=made).exists()


@pytest.mark.parametrize(
    ("kind", "description", "field", "message"),
    [
        ("mowing", "   ", "description", "Please say what is wrong."),
        ("weeds", "Ukrudt", "kind", "Please choose what kind of problem it is."),
    ],
)
def test_a_report_missing_something_is_refused(
    resident, pitch, agreement, kind, description, field, message
):
    with pytest.raises(TaskError) as exc:
        report(resident, pitch, kind=kind, description=description)

    assert exc.value.field == field
    assert str(exc.value.message) == da(message)
    assert not ProblemReport.objects.exists()
    assert not Task.objects.exists()


def test_an_anonymous_visitor_cannot_report_a_problem(pitch, agreement):
    with pytest.raises(TaskNotPermitted):
        report(AnonymousUser(), pitch)

    assert not ProblemReport.objects.exists()


def test_the_reporter_is_told_when_the_work_is_accepted(
    resident,
    pitch,
    agreement,
    club_organiser,
    firm_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    made = report(resident, pitch)
    task = done(made.task, club_organiser, firm_organiser, note="Slået til 4 cm")
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.task_accept(actor=club_organiser, task=task)

    made.refresh_from_db()
    assert made.state == R.RESOLVED
    (mail,) = mailoutbox
    assert mail.to == [resident.email]
    assert mail.subject == da(
        "The problem you reported at %(site)s has been put right", site=pitch.name
    )
    assert "Slået til 4 cm" in mail.body


def test_the_reporter_is_told_when_the_work_is_accepted_by_itself(
    resident,
    pitch,
    agreement,
    club_organiser,
    firm_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    made = report(resident, pitch)
    task = done(made.task, club_organiser, firm_organiser)

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.tasks_auto_accept(now=task.done_at + timedelta(hours=49))

    made.refresh_from_db()
    assert made.state == R.RESOLVED
    assert [m.to for m in mailoutbox] == [[resident.email]]


@pytest.mark.parametrize("how", ["cancelled", "missed"])
def test_the_reporter_is_told_when_the_task_is_not_carried_out(
    resident,
    pitch,
    agreement,
    club_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
    how,
):
    made = report(resident, pitch)

    with django_capture_on_commit_callbacks(execute=True):
        if how == "cancelled":
            lifecycle.task_cancel(actor=club_organiser, task=made.task)
        else:
            lifecycle.tasks_mark_missed(now=timezone.now() + timedelta(days=8))

    made.refresh_from_db()
    assert made.state == R.DECLINED
    (mail,) = mailoutbox
    assert mail.to == [resident.email]
    assert mail.subject == da(
        "About the problem you reported at %(site)s", site=pitch.name
    )


def test_a_report_stays_tasked_while_its_task_is_under_way(
    resident, pitch, agreement, club_organiser, firm_organiser, mailoutbox
):
    made = report(resident, pitch)
    confirmed(made.task, club_organiser, firm_organiser)

    made.refresh_from_db()
    assert made.state == R.TASKED
    assert mailoutbox == []
