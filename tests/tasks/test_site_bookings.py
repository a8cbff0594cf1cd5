"""Work that closes the site holds it in the calendar while it lasts, and the
times the club pre-approved need no answer."""

from datetime import time

import pytest

from agenda.errors import AgendaError
from agenda.models import Booking
from agenda.services import bookings
from tasks import hooks
from tasks.errors import TaskError
from tasks.models import Side, Task, TaskSlot
from tasks.services import agreements, lifecycle
from tests.tasks.conftest import at, confirmed, da, open_slot, proposed, when

S = Task.State


def live_at(pitch, starts_at, ends_at) -> list[Booking]:
    return bookings.live_bookings(pitch, [bookings.Slot(starts_at, ends_at)])


# --- work that blocks the site ------------------------------------------------


def test_confirming_work_that_closes_the_site_books_it_for_the_slot(
    site_task, firm_organiser, club_organiser, club, pitch
):
    task = confirmed(site_task, club_organiser, firm_organiser, at(2, 8))

    (booking,) = live_at(pitch, at(2, 8), at(2, 10))
    assert task.booking == booking
    assert (booking.starts_at, booking.ends_at) == (at(2, 8), at(2, 10))
    assert booking.community == club
    assert booking.title == "Kridt bane 1"
    assert booking.occurrence is None
    assert booking.state == Booking.State.APPROVED


def test_a_second_task_that_closes_the_site_cannot_take_an_overlapping_slot(
    site_task, make_task, firm_organiser, club_organiser
):
    other = make_task(title="Vand bane 1", blocks_site=True)
    # Both offered before either was confirmed.
    site_task = proposed(site_task, firm_organiser, at(2, 8))
    other = proposed(other, firm_organiser, at(2, 9))
    lifecycle.task_confirm(
        actor=club_organiser, task=site_task, slot=open_slot(site_task)
    )
    slot = open_slot(other)

    with pytest.raises(TaskError) as exc:
        lifecycle.task_confirm(actor=club_organiser, task=other, slot=slot)

    assert exc.value.field == "slots"
    assert str(exc.value.message) == da(
        "%(when)s is across %(other)s at %(site)s.",
        when=when(at(2, 9)),
        other="Kridt bane 1",
        site=other.site.name,
    )
    other.refresh_from_db()
    slot.refresh_from_db()
    assert (other.state, other.booking, slot.state) == (
        S.PROPOSED,
        None,
        TaskSlot.State.OPEN,
    )
    assert len(live_at(other.site, at(2, 0), at(3, 0))) == 1


def test_a_time_across_work_that_closes_the_site_is_not_even_offered(
    site_task, make_task, firm_organiser, club_organiser
):
    confirmed(site_task, club_organiser, firm_organiser, at(2, 8))
    other = make_task(title="Vand bane 1", blocks_site=True)

    with pytest.raises(TaskError):
        lifecycle.task_propose(actor=firm_organiser, task=other, starts=[at(2, 9)])

    assert not other.slots.exists()


def test_work_that_leaves_the_site_usable_may_overlap_work_that_closes_it(
    site_task, task, firm_organiser, club_organiser
):
    confirmed(site_task, club_organiser, firm_organiser, at(2, 8))

    task = confirmed(task, club_organiser, firm_organiser, at(2, 9))

    assert task.state == S.CONFIRMED


def test_cancelling_the_task_frees_the_site(
    site_task, firm_organiser, club_organiser, pitch
):
    task = confirmed(site_task, club_organiser, firm_organiser, at(2, 8))

    lifecycle.task_cancel(actor=firm_organiser, task=task)

    assert live_at(pitch, at(2, 8), at(2, 10)) == []


def test_the_calendar_will_not_cancel_a_booking_that_holds_the_site_for_a_task(
    site_task, firm_organiser, club_organiser, staff
):
    task = confirmed(site_task, club_organiser, firm_organiser, at(2, 8))
    message = da(
        "This booking holds the site for work on the task board. To free the "
        "site, move or cancel the task there."
    )

    for actor in (club_organiser, staff):
        with pytest.raises(AgendaError) as exc:
            bookings.booking_cancel(actor=actor, booking=task.booking)

        assert str(exc.value.message) == message
    task.booking.refresh_from_db()
    assert task.booking.state == Booking.State.APPROVED


def test_the_board_registers_its_booking_keeper_with_the_calendar():
    assert bookings.BOOKING_KEEPERS.count(hooks.booking_keeper) == 1


def test_a_plain_booking_is_still_cancelled_from_the_calendar(
    club_organiser, club, pitch, site_task
):
    (booking,) = bookings.booking_request(
        actor=club_organiser,
        facility=pitch,
        community=club,
        title="Træning",
        starts_at=at(3, 17),
        ends_at=at(3, 19),
    )

    bookings.booking_cancel(actor=club_organiser, booking=booking)

    booking.refresh_from_db()
    assert booking.state == Booking.State.CANCELLED


def test_confirming_into_a_booking_made_meanwhile_is_refused_and_books_nothing(
    site_task, firm_organiser, club_organiser, club, pitch
):
    task = proposed(site_task, firm_organiser, at(2, 8))
    bookings.booking_request(
        actor=club_organiser,
        facility=pitch,
        community=club,
        title="Fotografering",
        starts_at=at(2, 9),
        ends_at=at(2, 11),
    )

    with pytest.raises(TaskError):
        lifecycle.task_confirm(actor=club_organiser, task=task, slot=open_slot(task))

    task.refresh_from_db()
    assert (task.state, task.booking) == (S.PROPOSED, None)
    assert [b.title for b in live_at(pitch, at(2, 0), at(3, 0))] == ["Fotografering"]


def test_rescheduling_work_that_closes_the_site_moves_its_booking(
    site_task, firm_organiser, club_organiser, pitch
):
    task = confirmed(site_task, club_organiser, firm_organiser, at(2, 8))
    # The new time overlaps the old one: the task's own booking is no obstacle.
    task = lifecycle.task_propose(actor=club_organiser, task=task, starts=[at(2, 9)])

    lifecycle.task_confirm(actor=firm_organiser, task=task, slot=open_slot(task))

    task.refresh_from_db()
    (booking,) = live_at(pitch, at(2, 0), at(3, 0))
    assert task.booking == booking
    assert booking.starts_at == at(2, 9)


# --- pre-approved times --------------------------------------------------------


@pytest.fixture
def window(agreement, club_organiser, pitch):
    """Mornings on the weekday two days from now, 06:00 to 12:00."""
    return agreements.window_add(
        actor=club_organiser,
        agreement=agreement,
        weekday=at(2, 8).weekday(),
        opens=time(6),
        closes=time(12),
        site=pitch,
    )


def test_a_time_the_contractor_offers_inside_a_preapproved_window_is_confirmed(
    window, task, firm_organiser
):
    version = task.version

    lifecycle.task_propose(actor=firm_organiser, task=task, starts=[at(3, 8), at(2, 8)])

    task.refresh_from_db()
    step = task.steps.last()
    assert task.state == S.CONFIRMED
    assert task.starts_at == at(2, 8)
    assert (step.action, step.side, step.actor) == (
        "preapproved",
        Side.CONTRACTOR,
        firm_organiser,
    )
    assert (step.from_state, step.to_state) == (S.PLANNED, S.CONFIRMED)
    assert task.version == version + 1
    assert task.steps.count() == 2
    assert dict(task.slots.values_list("starts_at", "state")) == {
        at(2, 8): TaskSlot.State.CONFIRMED,
        at(3, 8): TaskSlot.State.WITHDRAWN,
    }


def test_a_window_for_every_site_counts_too(
    agreement, club_organiser, task, firm_organiser
):
    agreements.window_add(
        actor=club_organiser,
        agreement=agreement,
        weekday=at(2, 8).weekday(),
        opens=time(6),
        closes=time(12),
    )

    lifecycle.task_propose(actor=firm_organiser, task=task, starts=[at(2, 8)])

    task.refresh_from_db()
    assert task.state == S.CONFIRMED


@pytest.mark.parametrize(
    "start",
    [at(2, 11), at(2, 5), at(3, 8)],
    ids=["ending after it closes", "starting before it opens", "another weekday"],
)
def test_a_time_the_contractor_offers_outside_the_window_waits_for_the_club(
    window, task, firm_organiser, start
):
    lifecycle.task_propose(actor=firm_organiser, task=task, starts=[start])

    task.refresh_from_db()
    assert task.state == S.PROPOSED
    assert task.steps.last().action == "proposed"


def test_a_time_the_club_offers_inside_the_window_still_waits_for_the_contractor(
    window, task, club_organiser
):
    lifecycle.task_propose(actor=club_organiser, task=task, starts=[at(2, 8)])

    task.refresh_from_db()
    assert task.state == S.PROPOSED
    assert open_slot(task).side == Side.CLIENT


def test_a_preapproved_time_for_work_that_closes_the_site_books_it(
    window, site_task, firm_organiser, pitch
):
    lifecycle.task_propose(actor=firm_organiser, task=site_task, starts=[at(2, 8)])

    site_task.refresh_from_db()
    (booking,) = live_at(pitch, at(2, 8), at(2, 10))
    assert site_task.booking == booking


def test_the_contractor_moves_agreed_work_into_a_preapproved_window_at_once(
    window, site_task, firm_organiser, club_organiser, pitch
):
    task = confirmed(site_task, club_organiser, firm_organiser, at(3, 8))
    old = task.booking

    lifecycle.task_propose(actor=firm_organiser, task=task, starts=[at(2, 8)])

    task.refresh_from_db()
    old.refresh_from_db()
    step = task.steps.last()
    assert (step.action, step.from_state, step.to_state) == (
        "preapproved",
        S.CONFIRMED,
        S.CONFIRMED,
    )
    assert task.starts_at == at(2, 8)
    assert old.state == Booking.State.CANCELLED
    (held,) = live_at(pitch, at(2, 0), at(4, 0))
    assert (task.booking, held.starts_at) == (held, at(2, 8))
    assert dict(task.slots.values_list("starts_at", "state")) == {
        at(2, 8): TaskSlot.State.CONFIRMED,
        at(3, 8): TaskSlot.State.WITHDRAWN,
    }


def test_a_window_of_another_agreement_gives_nothing(
    task, firm_organiser, club, firm, pitch
):
    from tasks.models import Agreement, PreapprovedWindow
    from tests.factories import CommunityFactory

    other_club = CommunityFactory(kind="association")
    other = Agreement.objects.create(
        client=other_club, contractor=firm, title="Andet", state="active"
    )
    PreapprovedWindow.objects.create(
        agreement=other, weekday=at(2, 8).weekday(), opens=time(0), closes=time(23)
    )

    lifecycle.task_propose(actor=firm_organiser, task=task, starts=[at(2, 8)])

    task.refresh_from_db()
    assert task.state == S.PROPOSED
