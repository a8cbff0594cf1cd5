"""Series of tasks: by a rule, or tied to the club's events at the site; each
date or event gets its task once, up to the horizon. When an event moves,
its tasks move with it (an agreed slot and its booking too, or back to
planned when the new time cannot be had), both sides are told, and a
cancelled event calls its tasks off."""

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from agenda.models import Booking, Facility, Occurrence
from agenda.services import bookings
from agenda.services.events import (
    EventFields,
    event_cancel,
    event_update,
    occurrence_cancel,
)
from agenda.signals import occurrences_changed
from tasks import series as series_module
from tasks.errors import TaskError, TaskNotPermitted
from tasks.models import Agreement, Crew, Task, TaskSeries, TaskSlot
from tasks.services import agreements, lifecycle
from tests.factories import CommunityFactory, organiser_of
from tests.tasks.conftest import CHECKLIST, at, da, open_slot

S = Task.State


def next_friday(hour: int) -> "timezone.datetime":
    offset = (4 - timezone.localdate().weekday()) % 7 or 7
    return at(offset, hour)


def before_events(actor, template, pitch, **overrides) -> TaskSeries:
    values = {
        "mode": TaskSeries.Mode.BEFORE_EVENTS,
        "offset": timedelta(hours=18),
        "window": timedelta(days=2),
    }
    values.update(overrides)
    return agreements.series_save(actor=actor, template=template, site=pitch, **values)


# --- by a rule -------------------------------------------------------------------


def test_a_weekly_series_makes_its_tasks_at_once(
    template, club_organiser, pitch, agreement
):
    first = next_friday(7)

    series = agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=first,
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=10",
    )

    tasks = list(series.tasks.order_by("window_from"))
    assert len(tasks) == 10
    assert [t.window_from for t in tasks] == [
        first + timedelta(weeks=n) for n in range(10)
    ]
    assert all(t.window_from.weekday() == 4 for t in tasks)
    assert all(t.window_until - t.window_from == timedelta(days=2) for t in tasks)
    assert [t.series_key for t in tasks] == [t.window_from for t in tasks]
    one = tasks[0]
    assert (one.agreement, one.site, one.template) == (agreement, pitch, template)
    assert (one.title, one.kind, one.checklist) == ("Græsslåning", "mowing", CHECKLIST)
    assert one.state == S.PLANNED
    step = one.steps.get()
    assert (step.action, step.actor, step.side) == ("created", None, "")


def test_a_series_makes_each_dates_task_once(template, club_organiser, pitch):
    series = agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=next_friday(7),
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=10",
    )

    again = series_module.series_generate(series)
    generated = series_module.generate_all()

    assert (again, generated) == ([], 0)
    assert series.tasks.count() == 10


def test_a_series_makes_tasks_only_up_to_the_horizon(
    template, club_organiser, pitch, settings
):
    settings.NABOLAG_TASKS = {**settings.NABOLAG_TASKS, "HORIZON_DAYS": 30}
    first = next_friday(7)
    starts = [first + timedelta(weeks=n) for n in range(10)]
    now = timezone.now()

    series = agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=first,
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=10",
    )
    made_now = sorted(series.tasks.values_list("window_from", flat=True))
    # A week on, the horizon has moved a week on.
    later = series_module.series_generate(series, now=now + timedelta(days=7))

    horizon = now + timedelta(days=30)
    assert made_now == [s for s in starts if s < horizon]
    assert 0 < len(made_now) < 10
    assert sorted(t.window_from for t in later) == [
        s for s in starts if horizon <= s < horizon + timedelta(days=7)
    ]
    assert len(later) == 1
    assert series.tasks.count() == len(made_now) + 1


def test_a_series_makes_nothing_once_the_agreement_ended(
    template, club_organiser, pitch, agreement
):
    series = agreements.series_save(
        actor=club_organiser,
        template=template,
        site=pitch,
        mode=TaskSeries.Mode.RULE,
        starts_at=next_friday(7),
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=2",
    )
    agreements.agreement_end(actor=club_organiser, agreement=agreement)
    series.tasks.all().delete()
    ended = TaskSeries.objects.get(pk=series.pk)
    # Even were the series still marked active, its agreement is not in force.
    TaskSeries.objects.filter(pk=series.pk).update(active=True)
    reactivated = TaskSeries.objects.get(pk=series.pk)

    assert not ended.active
    assert series_module.series_generate(ended) == []
    assert series_module.series_generate(reactivated) == []
    assert series_module.generate_all() == 0
    assert not series.tasks.exists()


# --- tied to the site's events --------------------------------------------------


def test_a_series_before_events_makes_one_task_per_club_event_at_the_site(
    template, club_organiser, pitch, make_event, village
):
    home = make_event(starts_at=at(7, 14), ends_at=at(7, 16))
    cup = make_event(title="Pokalkamp", starts_at=at(14, 18), ends_at=at(14, 20))
    # Not the club's, not at the pitch, or called off: no task for these.
    other_club = CommunityFactory(kind="association")
    from agenda.services.events import event_create

    event_create(
        actor=organiser_of(other_club),
        community=other_club,
        fields=EventFields(
            title="Gæsterne træner",
            starts_at=at(9, 10),
            ends_at=at(9, 12),
            facility=pitch,
        ),
    )
    make_event(
        title="Generalforsamling", facility=None, starts_at=at(8, 19), ends_at=at(8, 21)
    )
    called_off = make_event(title="Aflyst", starts_at=at(10, 14), ends_at=at(10, 16))
    occurrence_cancel(actor=club_organiser, occurrence=called_off.occurrences.get())

    series = before_events(club_organiser, template, pitch)

    tasks = list(series.tasks.order_by("window_until"))
    assert [t.occurrence.event for t in tasks] == [home, cup]
    for task, event in zip(tasks, (home, cup), strict=True):
        assert task.window_until == event.starts_at - timedelta(hours=18)
        assert task.window_from == task.window_until - timedelta(days=2)
    assert series_module.series_generate(series) == []


def test_a_series_after_events_begins_after_each_event_ends(
    template, club_organiser, pitch, make_event
):
    make_event(starts_at=at(7, 14), ends_at=at(7, 16))

    series = before_events(
        club_organiser,
        template,
        pitch,
        mode=TaskSeries.Mode.AFTER_EVENTS,
        offset=timedelta(hours=1),
        window=timedelta(hours=20),
    )

    task = series.tasks.get()
    assert (task.window_from, task.window_until) == (at(7, 17), at(8, 13))


def test_a_series_of_one_category_counts_only_its_events(
    template, club_organiser, pitch, make_event
):
    match = make_event(category="sport")
    make_event(
        title="Sommerfest", category="social", starts_at=at(9, 14), ends_at=at(9, 16)
    )

    series = before_events(club_organiser, template, pitch, event_category="sport")

    assert [t.occurrence.event for t in series.tasks.all()] == [match]


def test_an_event_added_at_the_site_gets_its_task(
    template, club_organiser, pitch, make_event, recorded_changes
):
    series = before_events(club_organiser, template, pitch)
    event = make_event()

    if not recorded_changes:
        # agenda does not send occurrences_changed yet: told as it will be.
        series_module.follow_occurrences(list(event.occurrences.all()), "created")

    assert series.tasks.get().occurrence.event == event


# --- what a series refuses --------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"mode": "sometimes"}, "mode", "Please choose how the tasks are planned."),
        (
            {"window": timedelta(hours=1)},
            "window",
            "The job takes longer than the time given to do it in.",
        ),
        (
            {"window": timedelta(days=32)},
            "window",
            "Please give a window of at most 31 days and an offset of at most 14.",
        ),
        (
            {"offset": timedelta(days=15)},
            "window",
            "Please give a window of at most 31 days and an offset of at most 14.",
        ),
        (
            {"mode": "rule", "starts_at": None, "rrule": "FREQ=WEEKLY;COUNT=3"},
            "starts_at",
            "Please give the first date.",
        ),
        (
            {"mode": "rule", "starts_at": "friday", "rrule": ""},
            "rrule",
            "Please say how often the task repeats.",
        ),
        (
            {"mode": "rule", "starts_at": "friday", "rrule": "FREQ=SOMETIMES"},
            "rrule",
            None,
        ),
    ],
    ids=[
        "mode",
        "short window",
        "long window",
        "long offset",
        "no first date",
        "no rule",
        "bad rule",
    ],
)
def test_a_series_that_makes_no_sense_is_refused(
    template, club_organiser, pitch, overrides, field, message
):
    if overrides.get("starts_at") == "friday":
        overrides["starts_at"] = next_friday(7)

    with pytest.raises(TaskError) as exc:
        before_events(club_organiser, template, pitch, **overrides)

    assert exc.value.field == field
    if message is not None:
        assert str(exc.value.message) == da(message)
    assert not TaskSeries.objects.exists()
    assert not Task.objects.exists()


def test_a_series_at_a_site_not_in_the_agreement_is_refused(template, club_organiser):
    elsewhere = Facility.objects.create(
        name="Bane 2", slug="bane-2", kind=Facility.Kind.NATURAL_GRASS
    )

    with pytest.raises(TaskError) as exc:
        before_events(club_organiser, template, elsewhere)

    assert exc.value.field == "site"
    assert not TaskSeries.objects.exists()


def test_a_series_with_another_contractors_crew_is_refused(
    template, club_organiser, pitch
):
    rival = CommunityFactory(kind="contractor")
    crew = Crew.objects.create(contractor=rival, name="Hold A")

    with pytest.raises(TaskError) as exc:
        before_events(club_organiser, template, pitch, crew=crew)

    assert str(exc.value.message) == da("That crew works for another contractor.")
    assert not TaskSeries.objects.exists()


def test_a_series_of_an_agreement_not_in_force_is_refused(
    template, club_organiser, pitch, agreement
):
    Agreement.objects.filter(pk=agreement.pk).update(state=Agreement.State.ENDED)
    template.agreement.refresh_from_db()

    with pytest.raises(TaskError) as exc:
        before_events(club_organiser, template, pitch)

    assert str(exc.value.message) == da(
        "The agreement behind this task is not in force."
    )
    assert not TaskSeries.objects.exists()


def test_only_the_organisers_make_a_series(template, firm_staff, stranger, pitch):
    for actor in (firm_staff, stranger):
        with pytest.raises(TaskNotPermitted):
            before_events(actor, template, pitch)

    assert not TaskSeries.objects.exists()


# --- following the fixtures -------------------------------------------------------


@pytest.fixture
def recorded_changes():
    """What the calendar tells the apps above it (occurrences_changed)."""
    seen: list[str] = []

    def receiver(sender, *, occurrences, change, **kwargs):
        seen.append(change)

    occurrences_changed.connect(receiver, dispatch_uid="tests.tasks.recorded")
    yield seen
    occurrences_changed.disconnect(dispatch_uid="tests.tasks.recorded")


@pytest.fixture
def site_template(agreement, club_organiser):
    return agreements.template_save(
        actor=club_organiser,
        agreement=agreement,
        title="Slå og kridt",
        kind="mowing",
        blocks_site=True,
    )


@pytest.fixture
def match(make_event):
    """Next week's home match, Saturday-ish at 14:00."""
    return make_event(starts_at=at(7, 14), ends_at=at(7, 16))


@pytest.fixture
def tied(match, site_template, club_organiser, pitch) -> Task:
    """The match's task: done no later than 18 hours before it, in a window of
    two days (day 4, 20:00 to day 6, 20:00); it closes the pitch."""
    series = before_events(club_organiser, site_template, pitch)
    return series.tasks.get()


def move(actor, event, delta: timedelta, recorded_changes) -> Occurrence:
    """Move the one date of ``event`` by ``delta`` through the calendar's
    service, as its organiser does."""
    fields = EventFields.of(event)
    event_update(
        actor=actor,
        event=event,
        fields=replace(
            fields, starts_at=fields.starts_at + delta, ends_at=fields.ends_at + delta
        ),
    )
    occurrence = Occurrence.objects.select_related("event").get(event=event)
    if "moved" not in recorded_changes:
        # agenda does not send occurrences_changed yet: the board is told here
        # as the calendar will tell it (inside its transaction).
        series_module.follow_occurrences([occurrence], "moved")
    return occurrence


def agree(task, club_organiser, firm_organiser, start) -> Task:
    task = lifecycle.task_propose(actor=firm_organiser, task=task, starts=[start])
    return lifecycle.task_confirm(actor=club_organiser, task=task, slot=open_slot(task))


def test_the_tied_task_starts_where_the_series_put_it(tied, match):
    assert tied.occurrence.event == match
    assert (tied.window_from, tied.window_until) == (at(4, 20), at(6, 20))


def test_a_moved_event_moves_its_planned_tasks_window_and_tells_both_sides(
    tied,
    match,
    club_organiser,
    firm_organiser,
    recorded_changes,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    version = tied.version

    with django_capture_on_commit_callbacks(execute=True):
        move(club_organiser, match, timedelta(days=1), recorded_changes)

    tied.refresh_from_db()
    assert (tied.window_from, tied.window_until) == (at(5, 20), at(7, 20))
    assert tied.state == S.PLANNED
    assert tied.version == version + 1
    step = tied.steps.last()
    assert (step.action, step.actor, step.side) == ("moved", None, "")
    assert (step.from_state, step.to_state) == (S.PLANNED, S.PLANNED)
    assert step.note == da("The event moved; the task moved with it.")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [club_organiser.email, firm_organiser.email]
    )
    assert {m.subject for m in mailoutbox} == {
        da("%(title)s has moved with its fixture", title=tied.title)
    }
    assert all(tied.get_absolute_url() in m.body for m in mailoutbox)


def test_a_moved_event_moves_an_agreed_slot_and_its_booking(
    tied,
    match,
    club_organiser,
    firm_organiser,
    pitch,
    recorded_changes,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    tied = agree(tied, club_organiser, firm_organiser, at(5, 8))
    old_booking = tied.booking

    with django_capture_on_commit_callbacks(execute=True):
        move(club_organiser, match, timedelta(days=1), recorded_changes)

    tied.refresh_from_db()
    old_booking.refresh_from_db()
    assert tied.state == S.CONFIRMED
    assert (tied.starts_at, tied.ends_at) == (at(6, 8), at(6, 10))
    assert old_booking.state == Booking.State.CANCELLED
    (held,) = bookings.live_bookings(pitch, [bookings.Slot(at(6, 8), at(6, 10))])
    assert tied.booking == held
    assert (held.starts_at, held.ends_at) == (at(6, 8), at(6, 10))
    agreed = tied.slots.get(state=TaskSlot.State.CONFIRMED)
    assert (agreed.starts_at, agreed.ends_at) == (at(6, 8), at(6, 10))
    assert len(mailoutbox) == 2


def test_when_the_moved_slot_cannot_be_had_the_task_goes_back_to_planned(
    tied,
    match,
    club_organiser,
    firm_organiser,
    club,
    pitch,
    recorded_changes,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    tied = agree(tied, club_organiser, firm_organiser, at(5, 8))
    old_booking = tied.booking
    # Where the slot would move to, the pitch is already booked.
    bookings.booking_request(
        actor=club_organiser,
        facility=pitch,
        community=club,
        title="Fotografering",
        starts_at=at(6, 9),
        ends_at=at(6, 11),
    )

    with django_capture_on_commit_callbacks(execute=True):
        move(club_organiser, match, timedelta(days=1), recorded_changes)

    tied.refresh_from_db()
    old_booking.refresh_from_db()
    assert tied.state == S.PLANNED
    assert (tied.window_from, tied.window_until) == (at(5, 20), at(7, 20))
    assert (tied.starts_at, tied.ends_at, tied.booking) == (None, None, None)
    step = tied.steps.last()
    assert (step.from_state, step.to_state) == (S.CONFIRMED, S.PLANNED)
    assert not tied.slots.filter(state=TaskSlot.State.CONFIRMED).exists()
    assert step.note == da(
        "The event moved and the agreed time no longer fits: please agree a new one."
    )
    # The old time is free again: nothing holds the pitch for a task.
    assert old_booking.state == Booking.State.CANCELLED
    assert [
        b.title
        for b in bookings.live_bookings(pitch, [bookings.Slot(at(5, 0), at(6, 0))])
    ] == []
    assert len(mailoutbox) == 2


def test_when_the_moved_slot_falls_across_another_event_the_task_goes_back_to_planned(
    match,
    template,
    club_organiser,
    firm_organiser,
    pitch,
    make_event,
    recorded_changes,
):
    series = before_events(club_organiser, template, pitch)
    task = agree(series.tasks.get(), club_organiser, firm_organiser, at(5, 8))
    make_event(title="Træning", starts_at=at(6, 8), ends_at=at(6, 9))

    move(club_organiser, match, timedelta(days=1), recorded_changes)

    task.refresh_from_db()
    assert (task.state, task.starts_at) == (S.PLANNED, None)


def test_a_moved_event_withdraws_the_times_offered_for_its_task(
    tied, match, club_organiser, firm_organiser, recorded_changes
):
    tied = lifecycle.task_propose(actor=firm_organiser, task=tied, starts=[at(5, 8)])

    move(club_organiser, match, timedelta(days=1), recorded_changes)

    tied.refresh_from_db()
    assert tied.state == S.PLANNED
    assert tied.steps.last().from_state == S.PROPOSED
    assert not tied.slots.filter(state=TaskSlot.State.OPEN).exists()


def test_work_under_way_stays_where_it_is_when_the_event_moves(
    tied, match, club_organiser, firm_organiser, recorded_changes
):
    tied = agree(tied, club_organiser, firm_organiser, at(5, 8))
    lifecycle.task_start(actor=firm_organiser, task=tied)
    steps = tied.steps.count()

    move(club_organiser, match, timedelta(days=1), recorded_changes)

    tied.refresh_from_db()
    assert (tied.state, tied.window_until, tied.starts_at) == (
        S.IN_PROGRESS,
        at(6, 20),
        at(5, 8),
    )
    assert tied.steps.count() == steps


def test_a_cancelled_event_calls_off_its_tasks_and_frees_the_site(
    tied, match, club_organiser, firm_organiser, pitch, recorded_changes
):
    tied = agree(tied, club_organiser, firm_organiser, at(5, 8))
    booking = tied.booking

    event_cancel(actor=club_organiser, event=match)
    if "cancelled" not in recorded_changes:
        # agenda does not send occurrences_changed yet: told as it will be.
        series_module.follow_occurrences(
            list(Occurrence.objects.filter(event=match)), "cancelled"
        )

    tied.refresh_from_db()
    booking.refresh_from_db()
    step = tied.steps.last()
    assert tied.state == S.CANCELLED
    assert (step.action, step.actor, step.side) == ("event_cancelled", None, "")
    assert step.note == da("The event was cancelled, and the task with it.")
    assert booking.state == Booking.State.CANCELLED
    assert tied.booking is None


def test_a_cancelled_event_leaves_work_already_done_alone(
    tied, match, club_organiser, firm_organiser, recorded_changes
):
    tied = agree(tied, club_organiser, firm_organiser, at(5, 8))
    lifecycle.task_complete(
        actor=firm_organiser, task=tied, report=lifecycle.Completion()
    )

    occurrence_cancel(actor=club_organiser, occurrence=match.occurrences.get())
    if "cancelled" not in recorded_changes:
        # agenda does not send occurrences_changed yet: told as it will be.
        series_module.follow_occurrences(list(match.occurrences.all()), "cancelled")

    tied.refresh_from_db()
    assert tied.state == S.DONE


def test_the_board_follows_the_calendars_signal(tied, match):
    occurrence = match.occurrences.get()
    occurrence.starts_at += timedelta(hours=3)
    occurrence.ends_at += timedelta(hours=3)
    occurrence.save(update_fields=["starts_at", "ends_at"])

    occurrences_changed.send(
        sender=Occurrence, occurrences=[occurrence], change="moved"
    )

    tied.refresh_from_db()
    assert tied.window_until == at(6, 23)
    assert tied.steps.last().action == "moved"
