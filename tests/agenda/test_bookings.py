"""Facility bookings: who gets what at once and who approves, what is refused
(overlaps with their buffers, whole seasons, closed hours, the past), the free
times offered instead, and the guarantee that two live bookings of one
facility never overlap, whatever writes them and however many at once."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agenda import recurrence
from agenda.errors import AgendaError, BookingConflict
from agenda.models import Booking, Facility, OpeningHours
from agenda.services import bookings
from agenda.services.bookings import Slot
from communities.models import Community
from hub.errors import NotPermitted
from tests.agenda.conftest import at, da, da_date, slot_text
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import requires_postgres

State = Booking.State


def book(actor, facility, community, starts_at, ends_at, *, rrule="", **kwargs):
    return bookings.booking_request(
        actor=actor,
        facility=facility,
        community=community,
        title=kwargs.pop("title", "Træning"),
        starts_at=starts_at,
        ends_at=ends_at,
        rrule=rrule,
        **kwargs,
    )


def weekly_until(starts_at, until_offset: int) -> str:
    until = timezone.localdate() + timedelta(days=until_offset)
    return recurrence.Simple(freq="WEEKLY", until=until).to_rule(starts_at)


def rows(facility) -> list[tuple]:
    """Every booking of ``facility`` as it stands: what a refusal must leave."""
    return list(
        Booking.objects.filter(facility=facility)
        .order_by("pk")
        .values_list("pk", "state", "starts_at", "decided_by")
    )


@pytest.fixture
def other_club(db) -> Community:
    return CommunityFactory(
        name="Skovby Seniorklub", slug="seniorklub", kind=Community.Kind.ASSOCIATION
    )


@pytest.fixture
def other_organiser(other_club):
    return organiser_of(other_club)


@pytest.fixture
def club_hall(hall, club) -> Facility:
    """The hall, owned by the club, whose organisers approve."""
    hall.owner = club
    hall.policy = Facility.Policy.OWNER
    hall.save()
    return hall


@pytest.fixture
def municipal_hall(hall) -> Facility:
    hall.policy = Facility.Policy.MUNICIPALITY
    hall.save()
    return hall


# --- policies


def test_a_facility_booked_at_once_is_booked_for_the_organiser(hall, club, organiser):
    [booking] = book(organiser, hall, club, at(7, 17), at(7, 19))

    assert booking.state == State.APPROVED
    assert booking.decided_by == organiser
    assert (booking.blocked_from, booking.blocked_until) == (
        at(7, 16, 45),
        at(7, 19, 15),
    )


def test_when_the_owner_approves_another_club_waits_for_it(
    club_hall, other_club, other_organiser
):
    [booking] = book(other_organiser, club_hall, other_club, at(7, 17), at(7, 19))

    assert booking.state == State.PENDING
    assert booking.decided_by is None


def test_when_the_owner_approves_its_own_organiser_books_at_once(
    club_hall, club, organiser
):
    [booking] = book(organiser, club_hall, club, at(7, 17), at(7, 19))

    assert booking.state == State.APPROVED


def test_when_the_municipality_approves_an_organiser_waits_and_staff_do_not(
    municipal_hall, club, organiser, staff
):
    [asked] = book(organiser, municipal_hall, club, at(7, 10), at(7, 12))
    [made] = book(staff, municipal_hall, None, at(7, 14), at(7, 16))

    assert asked.state == State.PENDING
    assert made.state == State.APPROVED
    assert made.community is None


def test_only_organisers_book_for_their_community(hall, club, resident, staff):
    with pytest.raises(NotPermitted):
        book(resident, hall, club, at(7, 17), at(7, 19))
    organiser = organiser_of(CommunityFactory(kind=Community.Kind.ASSOCIATION))
    with pytest.raises(NotPermitted):
        book(organiser, hall, None, at(7, 17), at(7, 19))

    assert rows(hall) == []


# --- decisions


def test_the_owner_approves_a_pending_season_as_a_whole_and_the_asker_is_told(
    club_hall,
    club,
    organiser,
    other_club,
    other_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    season = book(
        other_organiser,
        club_hall,
        other_club,
        at(7, 17),
        at(7, 19),
        rrule=weekly_until(at(7, 17), 7 + 21),
    )

    with django_capture_on_commit_callbacks(execute=True):
        decided = bookings.booking_approve(actor=organiser, booking=season[0])

    assert len(decided) == 4
    assert set(
        Booking.objects.filter(season=season[0].season).values_list("state", flat=True)
    ) == {State.APPROVED}
    [mail] = mailoutbox
    assert mail.to == [other_organiser.email]
    assert (
        da(
            "Your booking of %(facility)s for %(title)s is approved: %(counter)s "
            "date from %(when)s.",
            "Your booking of %(facility)s for %(title)s is approved: %(counter)s "
            "dates from %(when)s.",
            4,
            facility=club_hall.name,
            title="Træning",
            counter=4,
            when=da_date(season[0].starts_at),
        )
        in mail.body
    )
    assert club_hall.name in mail.subject


def test_a_declined_request_frees_the_time_and_the_asker_is_told(
    club_hall,
    club,
    organiser,
    other_club,
    other_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    [asked] = book(other_organiser, club_hall, other_club, at(7, 17), at(7, 19))

    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_decline(actor=organiser, booking=asked)
    [again] = book(organiser, club_hall, club, at(7, 17), at(7, 19))

    asked.refresh_from_db()
    assert asked.state == State.DECLINED
    assert again.state == State.APPROVED
    [mail] = mailoutbox
    assert (
        da(
            "Your request to book %(facility)s for %(title)s on %(when)s was "
            "declined. The time is free for others again.",
            facility=club_hall.name,
            title="Træning",
            when=da_date(asked.starts_at),
        )
        in mail.body
    )


@pytest.mark.parametrize("who", ["resident", "asker", "other_organiser_of_a_club"])
def test_a_pending_request_cannot_be_decided_by_someone_else(
    club_hall,
    club,
    other_club,
    other_organiser,
    who,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    [asked] = book(other_organiser, club_hall, other_club, at(7, 17), at(7, 19))
    actor = {
        "resident": member_of(club),
        "asker": other_organiser,
        "other_organiser_of_a_club": organiser_of(CommunityFactory()),
    }[who]
    before = rows(club_hall)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(NotPermitted),
    ):
        bookings.booking_approve(actor=actor, booking=asked)
    with pytest.raises(NotPermitted):
        bookings.booking_decline(actor=actor, booking=asked)

    assert rows(club_hall) == before
    assert mailoutbox == []


def test_under_the_municipality_the_owner_cannot_decide_but_staff_can(
    municipal_hall, club, other_club, other_organiser, staff
):
    municipal_hall.owner = club
    municipal_hall.save()
    [asked] = book(other_organiser, municipal_hall, other_club, at(7, 17), at(7, 19))
    before = rows(municipal_hall)

    with pytest.raises(NotPermitted):
        bookings.booking_approve(actor=organiser_of(club), booking=asked)
    assert rows(municipal_hall) == before
    bookings.booking_approve(actor=staff, booking=asked)

    asked.refresh_from_db()
    assert (asked.state, asked.decided_by) == (State.APPROVED, staff)


def test_a_decided_request_is_not_decided_again(
    club_hall, club, organiser, other_club, other_organiser
):
    [asked] = book(other_organiser, club_hall, other_club, at(7, 17), at(7, 19))
    stale = Booking.objects.get(pk=asked.pk)
    bookings.booking_decline(actor=organiser, booking=asked)
    before = rows(club_hall)

    with pytest.raises(AgendaError):
        bookings.booking_approve(actor=organiser, booking=stale)

    assert rows(club_hall) == before


# --- cancelling


def test_an_organiser_cancels_one_date_or_the_rest_of_the_season(hall, club, organiser):
    season = book(
        organiser,
        hall,
        club,
        at(7, 17),
        at(7, 19),
        rrule=weekly_until(at(7, 17), 7 + 28),
    )

    bookings.booking_cancel(actor=organiser, booking=season[1])
    rest = bookings.booking_cancel(actor=organiser, booking=season[2], season=True)

    states = dict(
        Booking.objects.filter(season=season[0].season).values_list("pk", "state")
    )
    assert len(rest) == 3
    assert [states[b.pk] for b in season] == [
        State.APPROVED,
        State.CANCELLED,
        State.CANCELLED,
        State.CANCELLED,
        State.CANCELLED,
    ]


def test_a_member_cannot_cancel_the_clubs_booking(hall, club, organiser, resident):
    [booking] = book(organiser, hall, club, at(7, 17), at(7, 19))
    before = rows(hall)

    with pytest.raises(NotPermitted):
        bookings.booking_cancel(actor=resident, booking=booking)

    assert rows(hall) == before


def test_a_booking_made_for_an_event_date_is_not_cancelled_as_a_booking(
    hall, organiser, make_event
):
    event = make_event(facility=hall)
    booking = Booking.objects.get(occurrence__event=event)
    before = rows(hall)

    with pytest.raises(AgendaError) as refused:
        bookings.booking_cancel(actor=organiser, booking=booking)

    assert str(refused.value) == da(
        "This booking belongs to an event. To free the facility, cancel "
        "or move the event's date on the event's page."
    )
    assert rows(hall) == before


def test_an_event_series_booking_is_not_cancelled_as_a_season_either(
    hall, organiser, make_event, staff
):
    event = make_event(facility=hall, rrule=weekly_until(at(7, 17), 7 + 14))
    series = list(Booking.objects.filter(occurrence__event=event).order_by("pk"))
    before = rows(hall)

    for actor in (organiser, staff):
        with pytest.raises(AgendaError):
            bookings.booking_cancel(actor=actor, booking=series[0], season=True)

    assert len(series) == 3
    assert rows(hall) == before


# --- overlaps and their buffers


def test_a_booking_reaching_into_the_clean_up_of_another_is_refused(
    hall, club, organiser, other_club, other_organiser
):
    book(organiser, hall, club, at(7, 17), at(7, 19))
    before = rows(hall)

    # 17-19 holds the hall until 19:15; one from 19:10 needs it from 18:55.
    with pytest.raises(BookingConflict) as refused:
        book(other_organiser, hall, other_club, at(7, 19, 10), at(7, 20))

    assert rows(hall) == before
    assert refused.value.field == "starts_at"
    assert "19:00" in str(refused.value.message)
    [clash] = refused.value.extra["clashes"]
    assert clash.starts_at == at(7, 17)


def test_a_booking_whose_set_up_meets_the_others_clean_up_is_allowed(
    hall, club, organiser, other_club, other_organiser
):
    book(organiser, hall, club, at(7, 17), at(7, 19))

    [after] = book(other_organiser, hall, other_club, at(7, 19, 30), at(7, 21))
    [before] = book(other_organiser, hall, other_club, at(7, 15), at(7, 16, 30))

    assert after.blocked_from == at(7, 19, 15)
    assert before.blocked_until == at(7, 16, 45)


def test_a_season_with_one_taken_date_is_refused_whole_and_names_the_date(
    hall, club, organiser, other_club, other_organiser
):
    book(other_organiser, hall, other_club, at(21, 18), at(21, 20), title="Banko")
    before = rows(hall)

    with pytest.raises(BookingConflict) as refused:
        book(
            organiser,
            hall,
            club,
            at(7, 17),
            at(7, 19),
            rrule=weekly_until(at(7, 17), 7 + 56),
        )

    assert rows(hall) == before
    assert Booking.objects.filter(community=club).count() == 0
    assert f"{at(21, 18):%d.%m.%Y} 18:00" in str(refused.value.message)
    assert "Banko" in str(refused.value.message)
    assert refused.value.extra["day"] == at(21, 18).date()


def test_a_private_bookings_title_is_not_told_to_whoever_clashes_with_it(
    hall, club, organiser, other_club, other_organiser
):
    book(
        other_organiser,
        hall,
        other_club,
        at(7, 17),
        at(7, 19),
        title="Bestyrelsesmøde om fyringer",
        is_public=False,
    )

    with pytest.raises(BookingConflict) as refused:
        book(organiser, hall, club, at(7, 18), at(7, 20))

    assert "fyringer" not in str(refused.value.message)
    assert da("Booked") in str(refused.value.message)


# --- free times


def _busy_day(hall, organiser, club) -> None:
    book(organiser, hall, club, at(7, 10), at(7, 12))
    book(organiser, hall, club, at(7, 14), at(7, 16))


def test_the_free_times_of_a_day_follow_the_opening_hours_and_the_buffers(
    hall, club, organiser
):
    _busy_day(hall, organiser, club)

    free = bookings.free_slots(hall, at(7, 0).date(), at_least=timedelta(hours=1))

    # Open 8-22; 10-12 holds 9:45-12:15 and 14-16 holds 13:45-16:15, and a
    # booking of its own needs 15 minutes either side of it, within the hours.
    assert free == [
        Slot(at(7, 8), at(7, 9, 30)),
        Slot(at(7, 12, 30), at(7, 13, 30)),
        Slot(at(7, 16, 30), at(7, 22)),
    ]


def test_only_free_times_long_enough_are_offered(hall, club, organiser):
    _busy_day(hall, organiser, club)

    free = bookings.free_slots(hall, at(7, 0).date(), at_least=timedelta(hours=2))

    assert free == [Slot(at(7, 16, 30), at(7, 22))]


def test_a_refusal_offers_the_free_times_of_the_day_as_long_as_the_one_asked(
    hall, club, organiser, other_club, other_organiser
):
    _busy_day(hall, organiser, club)

    with pytest.raises(BookingConflict) as refused:
        book(other_organiser, hall, other_club, at(7, 11), at(7, 12, 30))

    # An hour and a half: the morning fits exactly, the lunch hour does not.
    assert refused.value.extra["free"] == [
        Slot(at(7, 8), at(7, 9, 30)),
        Slot(at(7, 16, 30), at(7, 22)),
    ]


@pytest.mark.parametrize(
    ("starts", "ends"),
    [((8, 0), (9, 30)), ((12, 30), (13, 30)), ((16, 30), (22, 0))],
)
def test_every_free_time_offered_can_be_booked_whole_and_no_more(
    hall, club, organiser, other_club, other_organiser, starts, ends
):
    _busy_day(hall, organiser, club)
    five = timedelta(minutes=5)
    slot = Slot(at(7, *starts), at(7, *ends))

    for wider in (
        Slot(slot.starts_at - five, slot.ends_at),
        Slot(slot.starts_at, slot.ends_at + five),
    ):
        with pytest.raises((BookingConflict, AgendaError)), transaction.atomic():
            book(other_organiser, hall, other_club, wider.starts_at, wider.ends_at)
    [booking] = book(other_organiser, hall, other_club, slot.starts_at, slot.ends_at)

    assert booking.state == State.APPROVED


def test_a_facility_without_opening_hours_is_free_around_the_clock(
    hall, club, organiser
):
    hall.opening_hours.all().delete()
    book(organiser, hall, club, at(7, 10), at(7, 12))

    free = bookings.free_slots(hall, at(7, 0).date(), at_least=timedelta(hours=1))

    assert free == [
        Slot(at(7, 0), at(7, 9, 30)),
        Slot(at(7, 12, 30), at(8, 0)),
    ]


# --- bad times


@pytest.mark.parametrize(
    ("starts", "ends"), [((7, 0), (9, 0)), ((21, 0), (22, 30)), ((6, 0), (7, 30))]
)
def test_a_booking_outside_the_opening_hours_is_refused(
    hall, club, organiser, starts, ends
):
    with pytest.raises(AgendaError) as refused:
        book(organiser, hall, club, at(7, *starts), at(7, *ends))

    assert refused.value.field == "starts_at"
    assert str(refused.value.message) == da(
        "%(facility)s is not open then (%(when)s).",
        facility=hall.name,
        when=slot_text(at(7, *starts), at(7, *ends)),
    )
    assert rows(hall) == []


def test_a_closed_weekday_refuses_bookings(hall, club, organiser):
    closed = at(7, 0).weekday()
    OpeningHours.objects.filter(facility=hall, weekday=closed).delete()

    with pytest.raises(AgendaError):
        book(organiser, hall, club, at(7, 17), at(7, 19))

    assert rows(hall) == []


def test_a_booking_in_the_past_is_refused(hall, club, organiser):
    with pytest.raises(AgendaError) as refused:
        book(organiser, hall, club, at(-1, 17), at(-1, 19))

    assert refused.value.field == "starts_at"
    assert str(refused.value.message) == da(
        "%(when)s has already begun: a booking must be in the future.",
        when=slot_text(at(-1, 17), at(-1, 19)),
    )
    assert rows(hall) == []


def test_a_booking_ending_before_it_starts_is_refused(hall, club, organiser):
    with pytest.raises(AgendaError) as refused:
        book(organiser, hall, club, at(7, 19), at(7, 17))

    assert refused.value.field == "ends_at"
    assert rows(hall) == []


# --- the database's own guarantee


def _row(facility, starts_at, ends_at, state=State.APPROVED, **kwargs) -> Booking:
    """A booking written straight to the database, past every service."""
    return Booking(
        facility=facility,
        title="Direkte",
        starts_at=starts_at,
        ends_at=ends_at,
        blocked_from=starts_at - facility.setup,
        blocked_until=ends_at + facility.cleanup,
        state=state,
        **kwargs,
    )


def test_the_database_refuses_an_overlapping_live_booking_written_directly(hall):
    _row(hall, at(7, 17), at(7, 19)).save()

    for state in (State.APPROVED, State.PENDING):
        with pytest.raises(IntegrityError) as refused, transaction.atomic():
            _row(hall, at(7, 19, 10), at(7, 20), state=state).save()
        assert bookings.OVERLAP_CONSTRAINT in str(refused.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.bulk_create([_row(hall, at(7, 18), at(7, 18, 30))])

    assert Booking.objects.filter(facility=hall).count() == 1


def test_the_database_allows_declined_cancelled_adjacent_and_elsewhere(hall):
    other = Facility.objects.create(
        name="Boldbanen", slug="boldbanen", kind=Facility.Kind.NATURAL_GRASS
    )
    _row(hall, at(7, 17), at(7, 19)).save()

    _row(hall, at(7, 17), at(7, 19), state=State.DECLINED).save()
    _row(hall, at(7, 18), at(7, 20), state=State.CANCELLED).save()
    # Touching: 19:30 with its set-up starts at 19:15, where 19:00 ends.
    _row(hall, at(7, 19, 30), at(7, 21)).save()
    _row(other, at(7, 17), at(7, 19)).save()

    live = Booking.objects.filter(facility=hall, state__in=Booking.LIVE_STATES)
    assert live.count() == 2


def test_the_database_refuses_bringing_a_cancelled_booking_back_over_a_live_one(
    hall,
):
    cancelled = _row(hall, at(7, 17), at(7, 19), state=State.CANCELLED)
    cancelled.save()
    _row(hall, at(7, 18), at(7, 20)).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=cancelled.pk).update(state=State.APPROVED)
    cancelled.state = State.PENDING
    with pytest.raises(IntegrityError), transaction.atomic():
        cancelled.save()

    cancelled.refresh_from_db()
    assert cancelled.state == State.CANCELLED


def test_the_database_refuses_moving_a_live_booking_onto_another(hall):
    first = _row(hall, at(7, 10), at(7, 12))
    first.save()
    _row(hall, at(7, 14), at(7, 16)).save()

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=first.pk).update(
            blocked_until=at(7, 14), ends_at=at(7, 13, 50)
        )
    # Moving within its own time is no overlap with itself.
    Booking.objects.filter(pk=first.pk).update(ends_at=at(7, 11, 30))


# --- at the same moment


def _at_once(count: int, work) -> list:
    """Run ``work()`` in ``count`` threads released together; each result or
    the exception it raised, in no particular order."""
    barrier = threading.Barrier(count, timeout=10)
    results: list = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 (the result of the thread)
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_two_organisers_booking_the_same_time_at_once_get_it_once(
    hall, club, organiser, other_club, other_organiser
):
    people = iter([(organiser, club), (other_organiser, other_club)])
    lock = threading.Lock()

    def request():
        with lock:
            actor, community = next(people)
        return book(actor, hall, community, at(7, 17), at(7, 19))

    results = _at_once(2, request)

    booked = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(booked) == 1
    assert len(refused) == 1
    assert isinstance(refused[0], BookingConflict), refused
    assert Booking.objects.filter(facility=hall).count() == 1


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_without_the_services_check_the_exclusion_constraint_alone_decides(
    hall, club, organiser, monkeypatch
):
    # Both requests see a free hall (as if both checked before either wrote):
    # only the constraint stands between them, and the loser is still told.
    monkeypatch.setattr(bookings, "live_bookings", lambda *args, **kwargs: [])

    def request():
        with transaction.atomic():
            return bookings.place_bookings(
                actor=organiser,
                facility=hall,
                community=club,
                title="Træning",
                times=[Slot(at(7, 17), at(7, 19))],
            )

    results = _at_once(2, request)

    assert sorted(type(r).__name__ for r in results) == ["BookingConflict", "list"]
    assert Booking.objects.filter(facility=hall).count() == 1
