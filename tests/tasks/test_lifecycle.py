"""A task's life on the board: every step of the state machine, each written
down once (who, for which side, from which state to which) with the task's
version bumped, and every step refused that is not the actor's to take or
not possible now, leaving the task as it was."""

from datetime import time, timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from agenda.models import Booking, OpeningHours
from tasks.errors import TaskConflict, TaskError, TaskNotPermitted
from tasks.models import Agreement, Side, Task, TaskSlot, TaskStep
from tasks.services import lifecycle
from tests.factories import organiser_of
from tests.tasks.conftest import (
    at,
    confirmed,
    da,
    da_in,
    done,
    open_slot,
    proposed,
    when,
)

S = Task.State


def snapshot(task: Task) -> tuple:
    """What a refused step must leave as it was."""
    task = Task.objects.get(pk=task.pk)
    slots = list(task.slots.order_by("pk").values_list("pk", "state", "starts_at"))
    return (
        task.state,
        task.version,
        task.starts_at,
        task.booking_id,
        task.steps.count(),
        slots,
    )


def assert_stepped(task, before, *, actor, side, action, from_state, to_state):
    """``task`` took exactly one step since ``before`` (a snapshot), as said."""
    task.refresh_from_db()
    steps = list(task.steps.order_by("pk"))
    assert len(steps) == before[4] + 1
    step = steps[-1]
    assert (step.actor, step.side, step.action) == (actor, side, action)
    assert (step.from_state, step.to_state) == (from_state, to_state)
    assert task.state == to_state
    assert task.version == before[1] + 1
    return step


# --- the steps -----------------------------------------------------------------


def test_a_new_task_is_planned_with_its_creation_written_down(task, club_organiser):
    step = task.steps.get()

    assert task.state == S.PLANNED
    assert task.version == 1
    assert (step.actor, step.side, step.action) == (
        club_organiser,
        Side.CLIENT,
        "created",
    )
    assert (step.from_state, step.to_state) == ("", S.PLANNED)


def test_offering_times_moves_a_planned_task_to_proposed(task, firm_organiser):
    before = snapshot(task)

    lifecycle.task_propose(
        actor=firm_organiser, task=task, starts=[at(3, 8), at(2, 8)], note=" Tidligt "
    )

    step = assert_stepped(
        task,
        before,
        actor=firm_organiser,
        side=Side.CONTRACTOR,
        action="proposed",
        from_state=S.PLANNED,
        to_state=S.PROPOSED,
    )
    assert step.note == "Tidligt"
    slots = list(task.slots.all())
    assert [(s.starts_at, s.ends_at) for s in slots] == [
        (at(2, 8), at(2, 10)),
        (at(3, 8), at(3, 10)),
    ]
    assert {(s.side, s.state, s.proposed_by) for s in slots} == {
        (Side.CONTRACTOR, TaskSlot.State.OPEN, firm_organiser)
    }


def test_a_counter_offer_replaces_the_other_sides_open_times(
    task, firm_organiser, club_organiser
):
    task = proposed(task, firm_organiser, at(2, 8))
    first = open_slot(task)
    before = snapshot(task)

    lifecycle.task_propose(actor=club_organiser, task=task, starts=[at(4, 9)])

    assert_stepped(
        task,
        before,
        actor=club_organiser,
        side=Side.CLIENT,
        action="proposed",
        from_state=S.PROPOSED,
        to_state=S.PROPOSED,
    )
    first.refresh_from_db()
    assert first.state == TaskSlot.State.WITHDRAWN
    counter = open_slot(task)
    assert (counter.side, counter.starts_at) == (Side.CLIENT, at(4, 9))


def test_the_other_side_confirms_one_of_the_offered_times(
    task, firm_organiser, club_organiser
):
    task = lifecycle.task_propose(
        actor=firm_organiser, task=task, starts=[at(2, 8), at(3, 8)]
    )
    chosen = task.slots.get(starts_at=at(3, 8))
    before = snapshot(task)

    lifecycle.task_confirm(actor=club_organiser, task=task, slot=chosen)

    step = assert_stepped(
        task,
        before,
        actor=club_organiser,
        side=Side.CLIENT,
        action="confirmed",
        from_state=S.PROPOSED,
        to_state=S.CONFIRMED,
    )
    assert step.note == when(at(3, 8))
    assert (task.starts_at, task.ends_at) == (at(3, 8), at(3, 10))
    assert dict(task.slots.values_list("starts_at", "state")) == {
        at(2, 8): TaskSlot.State.WITHDRAWN,
        at(3, 8): TaskSlot.State.CONFIRMED,
    }
    # Work that leaves the pitch usable holds no booking.
    assert task.booking is None


def test_new_times_for_a_confirmed_task_reschedule_it_and_free_the_site(
    site_task, firm_organiser, club_organiser
):
    task = confirmed(site_task, club_organiser, firm_organiser)
    booking = task.booking
    assert booking.state == Booking.State.APPROVED
    before = snapshot(task)

    lifecycle.task_propose(actor=club_organiser, task=task, starts=[at(4, 12)])

    assert_stepped(
        task,
        before,
        actor=club_organiser,
        side=Side.CLIENT,
        action="rescheduled",
        from_state=S.CONFIRMED,
        to_state=S.PROPOSED,
    )
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED
    assert (task.booking, task.starts_at, task.ends_at) == (None, None, None)
    assert open_slot(task).starts_at == at(4, 12)
    # The time agreed before is no longer shown as agreed.
    assert dict(task.slots.values_list("starts_at", "state")) == {
        at(2, 8): TaskSlot.State.WITHDRAWN,
        at(4, 12): TaskSlot.State.OPEN,
    }


def test_the_contractor_starts_a_confirmed_task(task, firm_organiser, club_organiser):
    task = confirmed(task, club_organiser, firm_organiser)
    before = snapshot(task)

    lifecycle.task_start(actor=firm_organiser, task=task)

    assert_stepped(
        task,
        before,
        actor=firm_organiser,
        side=Side.CONTRACTOR,
        action="started",
        from_state=S.CONFIRMED,
        to_state=S.IN_PROGRESS,
    )


@pytest.mark.parametrize("start_first", [False, True], ids=["confirmed", "started"])
def test_the_contractor_reports_the_work_done(
    task, firm_organiser, club_organiser, start_first
):
    task = confirmed(task, club_organiser, firm_organiser)
    if start_first:
        task = lifecycle.task_start(actor=firm_organiser, task=task)
    before = snapshot(task)
    from_state = task.state

    lifecycle.task_complete(
        actor=firm_organiser,
        task=task,
        report=lifecycle.Completion(
            checked=[2, 0, 0], note=" Klippet til 4 cm ", minutes_on_site=95
        ),
    )

    step = assert_stepped(
        task,
        before,
        actor=firm_organiser,
        side=Side.CONTRACTOR,
        action="completed",
        from_state=from_state,
        to_state=S.DONE,
    )
    assert step.note == "Klippet til 4 cm"
    assert task.checked == [0, 2]
    assert task.completion_note == "Klippet til 4 cm"
    assert task.minutes_on_site == 95
    assert task.done_at is not None


def test_the_club_accepts_the_work_done(task, firm_organiser, club_organiser):
    task = done(task, club_organiser, firm_organiser)
    before = snapshot(task)

    lifecycle.task_accept(actor=club_organiser, task=task)

    assert_stepped(
        task,
        before,
        actor=club_organiser,
        side=Side.CLIENT,
        action="accepted",
        from_state=S.DONE,
        to_state=S.ACCEPTED,
    )


def test_the_club_disputes_the_work_done_saying_why(
    task, firm_organiser, club_organiser
):
    task = done(task, club_organiser, firm_organiser)
    before = snapshot(task)

    lifecycle.task_dispute(
        actor=club_organiser, task=task, reason="  Hjørnerne er ikke slået  "
    )

    step = assert_stepped(
        task,
        before,
        actor=club_organiser,
        side=Side.CLIENT,
        action="disputed",
        from_state=S.DONE,
        to_state=S.DISPUTED,
    )
    assert step.note == "Hjørnerne er ikke slået"


@pytest.fixture
def disputed(task, firm_organiser, club_organiser) -> Task:
    task = done(task, club_organiser, firm_organiser)
    return lifecycle.task_dispute(actor=club_organiser, task=task, reason="Hjørnerne")


def test_the_club_may_accept_disputed_work_after_all(disputed, club_organiser):
    before = snapshot(disputed)

    lifecycle.task_accept(actor=club_organiser, task=disputed)

    assert_stepped(
        disputed,
        before,
        actor=club_organiser,
        side=Side.CLIENT,
        action="accepted",
        from_state=S.DISPUTED,
        to_state=S.ACCEPTED,
    )


def test_the_contractor_goes_back_to_disputed_work(disputed, firm_organiser):
    before = snapshot(disputed)

    lifecycle.task_start(actor=firm_organiser, task=disputed)

    assert_stepped(
        disputed,
        before,
        actor=firm_organiser,
        side=Side.CONTRACTOR,
        action="started",
        from_state=S.DISPUTED,
        to_state=S.IN_PROGRESS,
    )


def test_the_contractor_reports_disputed_work_done_again(disputed, firm_organiser):
    before = snapshot(disputed)

    lifecycle.task_complete(
        actor=firm_organiser,
        task=disputed,
        report=lifecycle.Completion(note="Hjørnerne er slået nu"),
    )

    assert_stepped(
        disputed,
        before,
        actor=firm_organiser,
        side=Side.CONTRACTOR,
        action="completed",
        from_state=S.DISPUTED,
        to_state=S.DONE,
    )


@pytest.mark.parametrize("stage", ["planned", "proposed", "confirmed"])
@pytest.mark.parametrize("by", ["club", "firm"])
def test_either_side_cancels_a_task_not_yet_under_way(
    site_task, firm_organiser, club_organiser, stage, by
):
    task = site_task
    if stage == "proposed":
        task = proposed(task, firm_organiser)
    elif stage == "confirmed":
        task = confirmed(task, club_organiser, firm_organiser)
    booking = task.booking
    actor, side = (
        (club_organiser, Side.CLIENT)
        if by == "club"
        else (firm_organiser, "contractor")
    )
    before = snapshot(task)

    lifecycle.task_cancel(actor=actor, task=task, reason=" Regnvejr ")

    step = assert_stepped(
        task,
        before,
        actor=actor,
        side=side,
        action="cancelled",
        from_state=stage,
        to_state=S.CANCELLED,
    )
    assert step.note == "Regnvejr"
    assert not task.slots.filter(state=TaskSlot.State.OPEN).exists()
    assert task.booking is None
    if booking is not None:
        booking.refresh_from_db()
        assert booking.state == Booking.State.CANCELLED


def test_work_reported_done_is_accepted_by_itself_after_48_hours(
    task, firm_organiser, club_organiser
):
    task = done(task, club_organiser, firm_organiser)
    before = snapshot(task)

    early = lifecycle.tasks_auto_accept(now=task.done_at + timedelta(hours=47))
    on_time = lifecycle.tasks_auto_accept(now=task.done_at + timedelta(hours=48))
    again = lifecycle.tasks_auto_accept(now=task.done_at + timedelta(hours=49))

    assert (early, on_time, again) == (0, 1, 0)
    step = assert_stepped(
        task,
        before,
        actor=None,
        side="",
        action="auto_accepted",
        from_state=S.DONE,
        to_state=S.ACCEPTED,
    )
    assert step.note == da("Accepted by itself after %(hours)s hours.", hours=48)


def test_disputed_work_is_never_accepted_by_itself(disputed):
    count = lifecycle.tasks_auto_accept(now=timezone.now() + timedelta(days=30))

    disputed.refresh_from_db()
    assert count == 0
    assert disputed.state == S.DISPUTED


def test_a_confirmed_task_whose_window_passed_is_missed_and_frees_the_site(
    site_task, firm_organiser, club_organiser
):
    task = confirmed(site_task, club_organiser, firm_organiser)
    booking = task.booking
    before = snapshot(task)

    early = lifecycle.tasks_mark_missed(now=task.window_until - timedelta(minutes=1))
    late = lifecycle.tasks_mark_missed(now=task.window_until + timedelta(minutes=1))

    assert (early, late) == (0, 1)
    assert_stepped(
        task,
        before,
        actor=None,
        side="",
        action="missed",
        from_state=S.CONFIRMED,
        to_state=S.MISSED,
    )
    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED
    assert task.booking is None


@pytest.mark.parametrize("stage", ["planned", "proposed"])
def test_a_task_never_agreed_is_missed_once_its_window_passes(
    task, firm_organiser, stage
):
    if stage == "proposed":
        task = proposed(task, firm_organiser)

    count = lifecycle.tasks_mark_missed(now=task.window_until + timedelta(hours=1))

    task.refresh_from_db()
    assert count == 1
    assert task.state == S.MISSED
    assert not task.slots.filter(state=TaskSlot.State.OPEN).exists()


def test_work_under_way_or_done_is_never_missed(
    make_task, firm_organiser, club_organiser
):
    started = lifecycle.task_start(
        actor=firm_organiser,
        task=confirmed(make_task(), club_organiser, firm_organiser),
    )
    finished = done(make_task(), club_organiser, firm_organiser)

    count = lifecycle.tasks_mark_missed(now=timezone.now() + timedelta(days=30))

    assert count == 0
    assert Task.objects.get(pk=started.pk).state == S.IN_PROGRESS
    assert Task.objects.get(pk=finished.pk).state == S.DONE


def test_the_version_passed_in_may_be_the_current_one(task, firm_organiser):
    lifecycle.task_propose(
        actor=firm_organiser, task=task, starts=[at(2, 8)], version=task.version
    )

    task.refresh_from_db()
    assert (task.state, task.version) == (S.PROPOSED, 2)


# --- offering times: what is refused --------------------------------------------


def refused_offer(task, actor, starts, error=TaskError):
    before = snapshot(task)
    with pytest.raises(error) as exc:
        lifecycle.task_propose(actor=actor, task=task, starts=starts)
    assert snapshot(task) == before
    return exc.value


def test_a_time_in_the_past_is_refused(make_task, firm_organiser):
    task = make_task(window_from=timezone.now() - timedelta(days=1))
    start = timezone.now() - timedelta(hours=1)

    error = refused_offer(task, firm_organiser, [start])

    assert error.field == "slots"
    assert str(error.message) == da(
        "%(when)s is in the past: please offer a time still to come.",
        when=when(start),
    )


@pytest.mark.parametrize(
    "start",
    [at(1, 5), at(6, 8), at(5, 19)],
    ids=["before the window", "after it", "ending after it"],
)
def test_a_time_outside_the_window_is_refused(task, firm_organiser, start):
    error = refused_offer(task, firm_organiser, [at(2, 8), start])

    assert error.field == "slots"
    assert str(error.message) == da(
        "%(when)s is outside the time this task must be done in "
        "(%(from)s to %(until)s).",
        when=when(start),
        **{"from": when(at(1, 6)), "until": when(at(5, 20))},
    )


def test_a_time_across_an_event_at_the_site_is_refused(
    task, firm_organiser, make_event, pitch
):
    make_event(title="Hjemmekamp mod Vestby", starts_at=at(3, 9), ends_at=at(3, 11))

    error = refused_offer(task, firm_organiser, [at(3, 8)])

    assert error.field == "slots"
    assert str(error.message) == da(
        "%(when)s is across %(other)s at %(site)s.",
        when=when(at(3, 8)),
        other="Hjemmekamp mod Vestby",
        site=pitch.name,
    )


def test_a_private_event_in_the_way_is_not_named(
    task, firm_organiser, make_event, pitch
):
    make_event(
        title="Bestyrelsens kamp",
        starts_at=at(3, 9),
        ends_at=at(3, 11),
        is_public=False,
    )

    error = refused_offer(task, firm_organiser, [at(3, 9)])

    assert str(error.message) == da(
        "%(when)s is across %(other)s at %(site)s.",
        when=when(at(3, 9)),
        other=da("a booking"),
        site=pitch.name,
    )


def test_work_that_leaves_the_site_usable_may_share_it_with_a_plain_booking(
    task, firm_organiser, club_organiser, club, pitch
):
    from agenda.services import bookings

    bookings.booking_request(
        actor=club_organiser,
        facility=pitch,
        community=club,
        title="Fotografering",
        starts_at=at(3, 8),
        ends_at=at(3, 12),
    )

    lifecycle.task_propose(actor=firm_organiser, task=task, starts=[at(3, 9)])

    task.refresh_from_db()
    assert task.state == S.PROPOSED


def test_more_times_than_allowed_at_once_are_refused(task, firm_organiser, settings):
    starts = [at(2, 8), at(2, 12), at(3, 8), at(4, 8)]

    error = refused_offer(task, firm_organiser, starts)

    assert error.field == "slots"
    assert str(error.message) == da(
        "Please offer at most %(count)s time.",
        "Please offer at most %(count)s times.",
        3,
        count=3,
    )


def test_the_same_time_offered_twice_counts_once(task, firm_organiser):
    lifecycle.task_propose(
        actor=firm_organiser,
        task=task,
        starts=[at(2, 8), at(2, 8), at(3, 8), at(4, 8)],
    )

    assert task.slots.count() == 3


def test_an_offer_of_no_time_is_refused(task, firm_organiser):
    error = refused_offer(task, firm_organiser, [])

    assert error.field == "slots"
    assert str(error.message) == da("Please offer at least one time.")


def test_someone_not_party_to_the_task_cannot_offer_times(task, stranger, firm_staff):
    for outsider in (stranger, firm_staff):
        error = refused_offer(task, outsider, [at(2, 8)], TaskNotPermitted)

        assert str(error.message) == da("You are not a party to this task.")


def test_times_cannot_be_offered_for_work_under_way(
    task, firm_organiser, club_organiser
):
    task = lifecycle.task_start(
        actor=firm_organiser, task=confirmed(task, club_organiser, firm_organiser)
    )

    error = refused_offer(task, club_organiser, [at(3, 8)], TaskConflict)

    assert str(error.message) == da(
        "This task is %(state)s: that step is no longer possible.",
        state=da_in("task", "In progress").lower(),
    )


# --- confirming: what is refused ------------------------------------------------


def test_nobody_confirms_a_time_their_own_side_offered(
    task, firm_organiser, club_organiser
):
    task = proposed(task, firm_organiser)
    before = snapshot(task)

    with pytest.raises(TaskNotPermitted) as exc:
        lifecycle.task_confirm(actor=firm_organiser, task=task, slot=open_slot(task))

    assert str(exc.value.message) == da("Only the association can do this.")
    assert snapshot(task) == before


def test_the_contractor_confirms_a_time_the_club_offered(
    task, firm_organiser, club_organiser
):
    task = proposed(task, club_organiser)

    with pytest.raises(TaskNotPermitted) as exc:
        lifecycle.task_confirm(actor=club_organiser, task=task, slot=open_slot(task))
    lifecycle.task_confirm(actor=firm_organiser, task=task, slot=open_slot(task))

    assert str(exc.value.message) == da("Only the contractor can do this.")
    task.refresh_from_db()
    assert task.state == S.CONFIRMED
    assert task.steps.last().side == Side.CONTRACTOR


def test_a_time_someone_else_just_confirmed_another_of_is_refused(
    task, firm_organiser, club_organiser, club
):
    task = lifecycle.task_propose(
        actor=firm_organiser, task=task, starts=[at(2, 8), at(3, 8)]
    )
    # Two of the club's organisers have the page open with both times.
    treasurer = organiser_of(club)
    first, second = task.slots.all()
    stale = Task.objects.get(pk=task.pk)
    lifecycle.task_confirm(actor=club_organiser, task=task, slot=first)
    before = snapshot(task)

    with pytest.raises(TaskConflict) as exc:
        lifecycle.task_confirm(actor=treasurer, task=stale, slot=second)

    assert exc.value.status == 409
    assert str(exc.value.message) == da(
        "This time can no longer be confirmed: the task was changed "
        "a moment ago. Here is how it stands now."
    )
    assert snapshot(task) == before
    task.refresh_from_db()
    assert task.starts_at == at(2, 8)
    # The refusal carries the task as it stands now, to show it again.
    assert exc.value.extra["task"].state == S.CONFIRMED


def test_a_step_from_a_page_read_at_an_older_version_is_refused(
    task, firm_organiser, club_organiser
):
    seen = task.version
    task = proposed(task, firm_organiser)
    before = snapshot(task)

    with pytest.raises(TaskConflict) as exc:
        lifecycle.task_confirm(
            actor=club_organiser, task=task, slot=open_slot(task), version=seen
        )

    assert str(exc.value.message) == da(
        "Someone else changed this task a moment ago. Here is how it stands now."
    )
    assert snapshot(task) == before


def test_a_time_confirmed_once_cannot_be_confirmed_again(
    task, firm_organiser, club_organiser
):
    task = proposed(task, firm_organiser)
    slot = open_slot(task)
    lifecycle.task_confirm(actor=club_organiser, task=task, slot=slot)
    before = snapshot(task)

    with pytest.raises(TaskConflict):
        lifecycle.task_confirm(actor=club_organiser, task=task, slot=slot)

    assert snapshot(task) == before


# --- the other steps: what is refused ------------------------------------------


@pytest.mark.parametrize("who", ["stranger", "club_organiser", "firm_staff"])
def test_only_the_contractor_reports_work_done(
    task, firm_organiser, club_organiser, request, who
):
    task = confirmed(task, club_organiser, firm_organiser)
    actor = request.getfixturevalue(who)
    before = snapshot(task)

    with pytest.raises(TaskNotPermitted) as exc:
        lifecycle.task_complete(
            actor=actor, task=task, report=lifecycle.Completion(note="Færdig")
        )

    assert str(exc.value.message) == da("Only the contractor can do this.")
    assert snapshot(task) == before
    task.refresh_from_db()
    assert task.completion_note == ""


def test_only_the_club_accepts_or_disputes(task, firm_organiser, club_organiser):
    task = done(task, club_organiser, firm_organiser)
    before = snapshot(task)

    with pytest.raises(TaskNotPermitted) as accepting:
        lifecycle.task_accept(actor=firm_organiser, task=task)
    with pytest.raises(TaskNotPermitted) as disputing:
        lifecycle.task_dispute(actor=firm_organiser, task=task, reason="Hm")

    assert str(accepting.value.message) == da("Only the association can do this.")
    assert str(disputing.value.message) == da("Only the association can do this.")
    assert snapshot(task) == before


def test_only_the_contractor_starts_the_work(task, firm_organiser, club_organiser):
    task = confirmed(task, club_organiser, firm_organiser)
    before = snapshot(task)

    with pytest.raises(TaskNotPermitted):
        lifecycle.task_start(actor=club_organiser, task=task)

    assert snapshot(task) == before


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_dispute_must_say_what_is_not_right(
    task, firm_organiser, club_organiser, reason
):
    task = done(task, club_organiser, firm_organiser)
    before = snapshot(task)

    with pytest.raises(TaskError) as exc:
        lifecycle.task_dispute(actor=club_organiser, task=task, reason=reason)

    assert exc.value.field == "reason"
    assert str(exc.value.message) == da(
        "Please say what is not right, so the contractor can put it right."
    )
    assert snapshot(task) == before


def test_work_not_yet_done_cannot_be_accepted(task, club_organiser):
    before = snapshot(task)

    with pytest.raises(TaskConflict) as exc:
        lifecycle.task_accept(actor=club_organiser, task=task)

    assert str(exc.value.message) == da(
        "This task is %(state)s: that step is no longer possible.",
        state=da_in("task", "Planned").lower(),
    )
    assert snapshot(task) == before


def test_work_under_way_cannot_be_cancelled(task, firm_organiser, club_organiser):
    task = lifecycle.task_start(
        actor=firm_organiser, task=confirmed(task, club_organiser, firm_organiser)
    )
    before = snapshot(task)

    with pytest.raises(TaskConflict):
        lifecycle.task_cancel(actor=club_organiser, task=task)

    assert snapshot(task) == before


def test_a_planned_task_cannot_be_started_or_completed(task, firm_organiser):
    before = snapshot(task)

    with pytest.raises(TaskConflict):
        lifecycle.task_start(actor=firm_organiser, task=task)
    with pytest.raises(TaskConflict):
        lifecycle.task_complete(
            actor=firm_organiser, task=task, report=lifecycle.Completion()
        )

    assert snapshot(task) == before


def test_times_are_neither_offered_nor_confirmed_once_the_agreement_is_not_in_force(
    task, firm_organiser, club_organiser, agreement
):
    task = proposed(task, firm_organiser)
    Agreement.objects.filter(pk=agreement.pk).update(state=Agreement.State.ENDED)
    before = snapshot(task)

    with pytest.raises(TaskError) as offering:
        lifecycle.task_propose(actor=club_organiser, task=task, starts=[at(3, 8)])
    with pytest.raises(TaskError) as confirming:
        lifecycle.task_confirm(actor=club_organiser, task=task, slot=open_slot(task))

    message = da("The agreement behind this task is not in force.")
    assert str(offering.value.message) == message
    assert str(confirming.value.message) == message
    assert snapshot(task) == before


def test_the_steps_are_written_in_order_with_increasing_ids(
    task, firm_organiser, club_organiser
):
    done(task, club_organiser, firm_organiser)

    steps = list(TaskStep.objects.filter(task=task).order_by("pk"))

    assert [s.action for s in steps] == [
        "created",
        "proposed",
        "confirmed",
        "completed",
    ]
    assert [s.to_state for s in steps] == ["planned", "proposed", "confirmed", "done"]
    assert task.steps.aggregate(Max("pk"))["pk__max"] == steps[-1].pk


# --- the site's opening hours


def _open_mornings(pitch) -> None:
    """The pitch opens 07:00-12:00 every day."""
    for weekday in range(7):
        OpeningHours.objects.create(
            facility=pitch, weekday=weekday, opens=time(7), closes=time(12)
        )


def test_work_that_closes_the_site_is_offered_only_in_its_opening_hours(
    site_task, firm_organiser, pitch
):
    _open_mornings(pitch)
    before = (site_task.state, site_task.slots.count())

    with pytest.raises(TaskError) as exc:
        lifecycle.task_propose(
            actor=firm_organiser, task=site_task, starts=[at(2, 8), at(2, 15)]
        )

    assert exc.value.field == "slots"
    assert pitch.name in str(exc.value.message)
    site_task.refresh_from_db()
    assert (site_task.state, site_task.slots.count()) == before
    offered = lifecycle.task_propose(
        actor=firm_organiser, task=site_task, starts=[at(2, 8)]
    )
    assert offered.state == Task.State.PROPOSED


def test_work_that_leaves_the_site_usable_may_be_offered_after_hours(
    task, firm_organiser, pitch
):
    _open_mornings(pitch)

    offered = lifecycle.task_propose(
        actor=firm_organiser, task=task, starts=[at(2, 15)]
    )

    assert offered.state == Task.State.PROPOSED
