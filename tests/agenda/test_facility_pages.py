"""The facility pages: the list, a facility with its hours and next two weeks,
its form, the booking request with its free times, and the bookings page where
requests are decided and one's own are cancelled. Refusals keep what was typed
and save nothing; every page's query count is exact."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda import recurrence
from agenda.models import Booking, Facility, OpeningHours
from agenda.services import bookings
from communities.models import Community
from hub.errors import RateLimited
from hub.limits import HOUR, LIMITS, Limit
from tests.agenda.conftest import at, da, da_date, da_in, slot_text
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

State = Booking.State
SIZES = [1, 6]


def _url(name: str, *args) -> str:
    return reverse(f"agenda:{name}", args=args)


def _book(actor, facility, community, starts_at, ends_at, **kwargs):
    return bookings.booking_request(
        actor=actor,
        facility=facility,
        community=community,
        title=kwargs.pop("title", "Træning"),
        starts_at=starts_at,
        ends_at=ends_at,
        **kwargs,
    )


def _season_rule(starts_at, weeks: int) -> str:
    until = recurrence.local(starts_at).date() + timedelta(weeks=weeks)
    return recurrence.Simple(freq="WEEKLY", until=until).to_rule(starts_at)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _snapshot() -> list[tuple]:
    return list(
        Booking.objects.order_by("pk").values_list("pk", "state", "starts_at", "title")
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
    hall.owner = club
    hall.policy = Facility.Policy.OWNER
    hall.description = "Stor sal med scene."
    hall.address = "Skolevej 1, Skovby"
    hall.save()
    return hall


# --- the list


def test_the_list_shows_each_facility_with_owner_village_and_policy(
    client, hall, club_hall, village
):
    pitch = Facility.objects.create(
        name="Kunstgræsbanen",
        slug="kunstgraes",
        kind=Facility.Kind.ARTIFICIAL_PITCH,
        policy=Facility.Policy.MUNICIPALITY,
    )

    response = client.get(_url("facilities"))

    text = response.text
    assert response.status_code == 200
    assert _url("facility", pitch.slug) in text
    assert da("The municipality") in text  # the pitch's owner
    assert "Skovby IF" in text  # the hall's owner
    assert village.name in text
    assert str(Facility.Kind.ARTIFICIAL_PITCH.label) in text
    assert str(Facility.Policy.MUNICIPALITY.label) in text
    assert str(Facility.Policy.OWNER.label) in text
    assert _url("facility_create") not in text


@pytest.mark.parametrize("size", SIZES)
def test_the_list_makes_the_same_queries_however_many_facilities(
    client, size, village, django_assert_num_queries
):
    for number in range(size):
        Facility.objects.create(
            name=f"Sal {number}",
            slug=f"sal-{number}",
            kind=Facility.Kind.HALL,
            village=village,
            owner=CommunityFactory(kind=Community.Kind.ASSOCIATION),
        )

    with django_assert_num_queries(1):
        response = client.get(_url("facilities"))

    assert len(response.context["facilities"]) == size


def test_staff_and_organisers_are_offered_to_add_a_facility(
    client, organiser, staff, resident
):
    for person, offered in ((organiser, True), (staff, True), (resident, False)):
        client.force_login(person)

        response = client.get(_url("facilities"))

        assert (_url("facility_create") in response.text) is offered


# --- a facility's page


def test_the_facility_page_shows_its_hours_buffers_and_rules(client, club_hall):
    OpeningHours.objects.filter(facility=club_hall, weekday=6).delete()
    OpeningHours.objects.create(
        facility=club_hall, weekday=0, opens=time(6), closes=time(7)
    )

    response = client.get(_url("facility", club_hall.slug))

    text = response.text
    assert response.status_code == 200
    assert "Stor sal med scene." in text
    assert "Skolevej 1, Skovby" in text
    # Weekday names in the page's language (Danish).
    assert "mandag" in text
    assert "06:00\u201307:00, 08:00\u201322:00" in text
    assert f"søndag</dt><dd>{da_in('opening hours', 'Closed')}" in text
    buffers = (
        "%(setup)s minutes for set-up before and %(cleanup)s minutes for "
        "clean-up after each booking"
    )
    assert da(buffers, setup=15, cleanup=15) in text
    assert str(Facility.Policy.OWNER.label) in text
    assert _url("facility_edit", club_hall.slug) not in text


def test_a_facility_without_hours_is_open_around_the_clock(client, hall):
    hall.opening_hours.all().delete()

    response = client.get(_url("facility", hall.slug))

    assert da("Open around the clock.") in response.text


def test_the_schedule_shows_public_titles_to_all_and_private_ones_as_booked(
    client, hall, club, organiser, other_club, other_organiser
):
    _book(organiser, hall, club, at(1, 10), at(1, 12), title="Fodboldskole")
    _book(
        other_organiser,
        hall,
        other_club,
        at(2, 17),
        at(2, 19),
        title="Generalforsamling",
        is_public=False,
    )

    response = client.get(_url("facility", hall.slug))

    text = response.text
    assert "Fodboldskole" in text
    assert "Skovby IF" in text
    assert "Generalforsamling" not in text
    assert "Skovby Seniorklub" not in text
    assert f"{at(2, 17):%Y-%m-%dT%H:%M:%S}" in text  # the time is shown as taken


def test_the_facilitys_managers_see_every_title_and_an_edit_link(
    client, club_hall, organiser, other_club, other_organiser
):
    _book(
        other_organiser,
        club_hall,
        other_club,
        at(2, 17),
        at(2, 19),
        title="Generalforsamling",
        is_public=False,
    )
    client.force_login(organiser)

    response = client.get(_url("facility", club_hall.slug))

    assert "Generalforsamling" in response.text
    assert da("Awaiting approval") in response.text
    assert _url("facility_edit", club_hall.slug) in response.text


def test_the_schedule_moves_two_weeks_at_a_time_by_date(client, hall, club, organiser):
    _book(organiser, hall, club, at(20, 10), at(20, 12), title="Julefrokost")
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())

    now = client.get(_url("facility", hall.slug))
    later = client.get(_url("facility", hall.slug), {"date": at(20, 0).date()})
    garbled = client.get(_url("facility", hall.slug), {"date": "not-a-date"})

    assert now.context["weeks"][0][0].day == monday
    assert f"?date={monday + timedelta(days=14)}" in now.text
    assert "Julefrokost" in later.text
    assert later.context["weeks"][0][0].day.weekday() == 0
    assert f'href="{_url("facility", hall.slug)}"' in later.text  # back to now
    assert garbled.status_code == 200
    assert garbled.context["weeks"][0][0].day == monday


def test_an_event_at_the_facility_shows_linked_and_a_cancelled_date_as_cancelled(
    client, hall, make_event
):
    from agenda.services.events import occurrence_cancel

    event = make_event(
        title="Bankospil",
        facility=hall,
        starts_at=at(1, 18),
        ends_at=at(1, 20),
        rrule=_season_rule(at(1, 18), 1),
    )
    first, second = event.occurrences.order_by("starts_at")
    occurrence_cancel(actor=organiser_of(event.community), occurrence=second)

    response = client.get(_url("facility", hall.slug))

    days = [d for week in response.context["weeks"] for d in week]
    entries = [e for d in days for e in d.entries]
    assert [(e.title, e.state) for e in entries] == [
        ("Bankospil", State.APPROVED),
        ("Bankospil", "cancelled"),
    ]
    assert first.get_absolute_url() in response.text
    assert second.get_absolute_url() in response.text


@pytest.mark.parametrize("size", SIZES)
def test_the_facility_page_makes_the_same_queries_however_many_bookings(
    client, hall, club, organiser, size, make_event, django_assert_num_queries
):
    for day in range(size):
        _book(organiser, hall, club, at(day + 1, 8), at(day + 1, 9))
    make_event(facility=hall, starts_at=at(1, 18), ends_at=at(1, 20))

    # The facility with owner and village, its opening hours, its bookings,
    # the event dates held there.
    with django_assert_num_queries(4):
        response = client.get(_url("facility", hall.slug))

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_facility_page_makes_the_same_queries_for_a_manager(
    client, club_hall, organiser, size, django_assert_num_queries
):
    for day in range(size):
        _book(organiser, club_hall, club_hall.owner, at(day + 1, 8), at(day + 1, 9))
    client.force_login(organiser)

    # A visitor's four; the user and whether they are staff (their and their
    # groups' permissions), whether they organise the owner; the header's
    # three for a logged-in person (watch hits, notifications, page rights).
    with django_assert_num_queries(11 + session_queries()):
        response = client.get(_url("facility", club_hall.slug))

    assert response.context["can_manage"] is True


# --- the facility's form


def _facility_post(**overrides) -> dict:
    data = {
        "name": "Mødelokalet",
        "kind": Facility.Kind.MEETING_ROOM,
        "owner": "municipality",
        "village": "",
        "address": "Rådhuset",
        "description": "Plads til 12.",
        "capacity": "12",
        "policy": Facility.Policy.MUNICIPALITY,
        "setup_minutes": "0",
        "cleanup_minutes": "10",
        "hours-TOTAL_FORMS": "3",
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "28",
        "hours-0-weekday": "0",
        "hours-0-opens": "08:00",
        "hours-0-closes": "16:00",
        "hours-1-weekday": "2",
        "hours-1-opens": "17:00",
        "hours-1-closes": "21:00",
        "hours-2-weekday": "4",
        "hours-2-opens": "",
        "hours-2-closes": "",
    }
    data.update(overrides)
    return data


def test_staff_add_a_municipal_facility_with_its_opening_hours(client, staff):
    client.force_login(staff)
    form_page = client.get(_url("facility_create"))

    response = client.post(_url("facility_create"), _facility_post())

    facility = Facility.objects.get(name="Mødelokalet")
    assert form_page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == _url("facility", facility.slug)
    assert facility.owner is None
    assert facility.cleanup_minutes == 10
    assert list(facility.opening_hours.values_list("weekday", "opens", "closes")) == [
        (0, time(8), time(16)),
        (2, time(17), time(21)),
    ]


def test_an_association_organiser_adds_their_own_facility(client, club, organiser):
    client.force_login(organiser)

    response = client.post(
        _url("facility_create"),
        _facility_post(owner=str(club.pk), policy=Facility.Policy.OWNER),
    )

    assert response.status_code == 302
    facility = Facility.objects.get(name="Mødelokalet")
    assert facility.owner == club


def test_an_organiser_cannot_add_a_municipal_facility(client, organiser):
    client.force_login(organiser)

    response = client.post(_url("facility_create"), _facility_post())

    assert response.status_code == 400
    assert response.context["form"].has_error("owner")
    assert not Facility.objects.exists()


def test_a_resident_cannot_open_the_facility_form(client, resident):
    client.force_login(resident)

    assert client.get(_url("facility_create")).status_code == 403
    assert client.post(_url("facility_create"), _facility_post()).status_code == 403
    assert not Facility.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hours-0-closes": "07:00"}, "closes"),
        ({"hours-0-closes": ""}, "closes"),
        ({"setup_minutes": "500"}, "setup_minutes"),
    ],
)
def test_a_wrong_facility_form_keeps_what_was_typed_and_saves_nothing(
    client, staff, overrides, field
):
    client.force_login(staff)

    response = client.post(_url("facility_create"), _facility_post(**overrides))

    assert response.status_code == 400
    assert not Facility.objects.exists()
    assert 'value="Mødelokalet"' in response.text
    assert 'value="17:00"' in response.text
    if field == "closes":
        assert response.context["formset"].forms[0].has_error("closes")
    else:
        assert response.context["form"].has_error(field)


def test_overlapping_periods_of_one_day_are_refused(client, staff):
    client.force_login(staff)

    response = client.post(
        _url("facility_create"),
        _facility_post(**{"hours-1-weekday": "0", "hours-1-opens": "15:00"}),
    )

    assert response.status_code == 400
    assert (
        da(
            "Two periods of one day overlap (%(first)s and %(second)s).",
            first="08:00\u201316:00",
            second="15:00\u201321:00",
        )
        in response.text
    )
    assert not Facility.objects.exists()


def test_a_manager_edits_the_facility_and_its_hours(client, club_hall, organiser):
    client.force_login(organiser)
    form_page = client.get(_url("facility_edit", club_hall.slug))

    response = client.post(
        _url("facility_edit", club_hall.slug),
        _facility_post(
            name="Forsamlingshuset",
            owner=str(club_hall.owner_id),
            policy=Facility.Policy.AUTOMATIC,
        ),
    )

    club_hall.refresh_from_db()
    assert form_page.status_code == 200
    assert 'value="22:00"' in form_page.text
    assert response.status_code == 302
    assert club_hall.policy == Facility.Policy.AUTOMATIC
    assert club_hall.slug == "forsamlingshuset"
    assert club_hall.opening_hours.count() == 2


def test_someone_else_cannot_edit_the_facility(client, club_hall, other_organiser):
    client.force_login(other_organiser)

    form = client.get(_url("facility_edit", club_hall.slug))
    post = client.post(
        _url("facility_edit", club_hall.slug),
        _facility_post(owner=str(club_hall.owner_id)),
    )

    club_hall.refresh_from_db()
    assert (form.status_code, post.status_code) == (403, 403)
    assert club_hall.name == "Forsamlingshuset"
    assert club_hall.opening_hours.count() == 7


def test_adding_facilities_too_often_is_refused_keeping_what_was_typed(
    client, staff, monkeypatch
):
    monkeypatch.setitem(LIMITS, "facility-create", Limit(1, HOUR))
    client.force_login(staff)
    client.post(_url("facility_create"), _facility_post())

    response = client.post(_url("facility_create"), _facility_post(name="Musiklokalet"))

    assert response.status_code == 429
    assert str(RateLimited.default_message) in response.text
    assert 'value="Musiklokalet"' in response.text
    assert 'value="17:00"' in response.text
    assert list(Facility.objects.values_list("name", flat=True)) == ["Mødelokalet"]


def test_editing_a_facility_too_often_is_refused_keeping_what_was_typed(
    client, club_hall, organiser, monkeypatch
):
    monkeypatch.setitem(LIMITS, "facility-update", Limit(1, HOUR))
    client.force_login(organiser)
    url = _url("facility_edit", club_hall.slug)
    typed = {"owner": str(club_hall.owner_id), "policy": Facility.Policy.AUTOMATIC}
    client.post(url, _facility_post(name="Forsamlingshuset", **typed))

    response = client.post(
        url, _facility_post(name="Salen", cleanup_minutes="45", **typed)
    )

    club_hall.refresh_from_db()
    assert response.status_code == 429
    assert str(RateLimited.default_message) in response.text
    assert 'value="Salen"' in response.text
    assert 'value="45"' in response.text
    assert (club_hall.name, club_hall.cleanup_minutes) == ("Forsamlingshuset", 10)


# --- booking


def _booking_post(club, day_offset=7, **overrides) -> dict:
    data = {
        "community": str(club.pk),
        "title": "Håndboldtræning",
        "day": at(day_offset, 0).date().isoformat(),
        "starts": "17:00",
        "ends": "19:00",
        "repeat_until": "",
        "is_public": "on",
    }
    data.update(overrides)
    return data


def test_an_organiser_books_a_hall_booked_at_once(client, hall, club, organiser):
    client.force_login(organiser)
    form_page = client.get(_url("facility_book", hall.slug))

    response = client.post(
        _url("facility_book", hall.slug), _booking_post(club), follow=True
    )

    [booking] = Booking.objects.all()
    assert form_page.status_code == 200
    assert (booking.state, booking.community, booking.title) == (
        State.APPROVED,
        club,
        "Håndboldtræning",
    )
    assert booking.starts_at == at(7, 17)
    assert da(
        "Booked: %(facility)s on %(count)s date.",
        "Booked: %(facility)s on %(count)s dates.",
        1,
        facility=hall.name,
        count=1,
    ) in _messages(response)
    assert "Håndboldtræning" in response.text


def test_a_request_to_an_owner_who_approves_awaits_them(
    client, club_hall, other_club, other_organiser
):
    client.force_login(other_organiser)

    response = client.post(
        _url("facility_book", club_hall.slug), _booking_post(other_club), follow=True
    )

    assert Booking.objects.get().state == State.PENDING
    assert da(
        "Your request for %(count)s date is sent. Awaiting approval by %(who)s.",
        "Your request for %(count)s dates is sent. Awaiting approval by %(who)s.",
        1,
        count=1,
        who="Skovby IF",
    ) in _messages(response)


def test_a_season_is_booked_weekly_until_the_date(client, hall, club, organiser):
    client.force_login(organiser)
    until = at(7 + 7 * 9, 0).date()

    response = client.post(
        _url("facility_book", hall.slug),
        _booking_post(club, repeat_until=until.isoformat()),
    )

    rows = list(Booking.objects.order_by("starts_at"))
    assert response.status_code == 302
    assert len(rows) == 10
    assert len({b.season for b in rows}) == 1
    assert {recurrence.local(b.starts_at).time() for b in rows} == {time(17)}
    assert recurrence.local(rows[-1].starts_at).date() == until


def test_staff_book_for_the_municipality(client, hall, staff):
    client.force_login(staff)

    response = client.post(
        _url("facility_book", hall.slug),
        _booking_post(hall.village, community="municipality"),
    )

    assert response.status_code == 302
    assert Booking.objects.get().community is None


def test_a_clash_shows_whats_in_the_way_and_the_days_free_times(
    client, hall, club, organiser, other_club, other_organiser
):
    _book(other_organiser, hall, other_club, at(7, 10), at(7, 12), title="Yoga")
    _book(other_organiser, hall, other_club, at(7, 14), at(7, 16), title="Strik")
    before = _snapshot()
    client.force_login(organiser)

    response = client.post(
        _url("facility_book", hall.slug),
        _booking_post(club, starts="11:00", ends="12:00"),
    )

    text = response.text
    assert response.status_code == 409
    assert _snapshot() == before
    assert response.context["form"].has_error("starts")
    assert 'value="Håndboldtræning"' in text
    assert "Yoga" in text
    assert [s["value"] for s in response.context["free"]] == [
        "08:00-09:00",
        "12:30-13:30",
        "16:30-17:30",
    ]
    assert 'name="use_slot" value="12:30-13:30"' in text
    assert 'aria-describedby="id_starts_error"' in text


def test_a_private_booking_in_the_way_is_named_only_as_booked(
    client, hall, club, organiser, other_club, other_organiser
):
    _book(
        other_organiser,
        hall,
        other_club,
        at(7, 17),
        at(7, 19),
        title="Bestyrelsesmøde",
        is_public=False,
    )
    client.force_login(organiser)

    response = client.post(_url("facility_book", hall.slug), _booking_post(club))

    assert response.status_code == 409
    assert "Bestyrelsesmøde" not in response.text


def test_choosing_a_free_time_fills_it_in_keeping_the_rest_and_books_nothing(
    client, hall, club, organiser
):
    client.force_login(organiser)
    typed = _booking_post(
        club,
        title="Forældremøde",
        repeat_until="",
        is_public="",
        use_slot="12:30-13:30",
    )
    del typed["is_public"]

    response = client.post(_url("facility_book", hall.slug), typed)

    form = response.context["form"]
    assert response.status_code == 200
    assert not Booking.objects.exists()
    assert not form.is_bound
    assert 'value="Forældremøde"' in response.text
    assert 'value="12:30"' in response.text
    assert 'value="13:30"' in response.text
    assert form["is_public"].value() is False
    assert f'value="{at(7, 0).date().isoformat()}"' in response.text
    filled = (
        "The time is filled in: %(starts)s\u2013%(ends)s. Check the request and "
        "send it."
    )
    assert da(filled, starts="12:30", ends="13:30") in response.text


@pytest.mark.parametrize(
    ("overrides", "field", "said"),
    [
        (
            {"starts": "21:00", "ends": "23:00"},
            "starts",
            lambda: da(
                "%(facility)s is not open then (%(when)s).",
                facility="Forsamlingshuset",
                when=slot_text(at(7, 21), at(7, 23)),
            ),
        ),
        (
            {"starts": "19:00", "ends": "17:00"},
            "ends",
            lambda: da("The end must come after the start."),
        ),
        (
            {"day": at(-1, 0).date().isoformat()},
            "starts",
            lambda: da(
                "%(when)s has already begun: a booking must be in the future.",
                when=slot_text(at(-1, 17), at(-1, 19)),
            ),
        ),
        ({"title": " "}, "title", lambda: ""),
        (
            {"repeat_until": at(1, 0).date().isoformat()},
            "repeat_until",
            lambda: da("The last date cannot come before the first."),
        ),
    ],
)
def test_a_wrong_booking_keeps_what_was_typed_and_books_nothing(
    client, hall, club, organiser, overrides, field, said
):
    client.force_login(organiser)

    response = client.post(
        _url("facility_book", hall.slug), _booking_post(club, **overrides)
    )

    assert response.status_code == 400
    assert not Booking.objects.exists()
    form = response.context["form"]
    assert form.has_error(field)
    assert said() in " ".join(form.errors[field])
    assert f'value="{form.data["starts"]}"' in response.text


def test_someone_who_organises_nothing_is_told_who_books(client, hall, resident):
    client.force_login(resident)

    form = client.get(_url("facility_book", hall.slug))
    post = client.post(_url("facility_book", hall.slug), _booking_post(hall.village))

    assert (form.status_code, post.status_code) == (403, 403)
    assert (
        da(
            "Bookings are made by the organisers of an association or a village "
            "for their community. Ask one of your community's organisers to book."
        )
        in form.text
    )
    assert not Booking.objects.exists()


def test_an_organiser_cannot_book_for_a_community_they_do_not_organise(
    client, hall, organiser, other_club
):
    client.force_login(organiser)

    response = client.post(_url("facility_book", hall.slug), _booking_post(other_club))

    assert response.status_code == 400
    assert response.context["form"].has_error("community")
    assert not Booking.objects.exists()


def test_visitors_are_sent_to_log_in_to_book(client, hall):
    response = client.get(_url("facility_book", hall.slug))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- the bookings page


def _pending_season(club_hall, other_organiser, other_club, weeks=3):
    return _book(
        other_organiser,
        club_hall,
        other_club,
        at(7, 17),
        at(7, 19),
        rrule=_season_rule(at(7, 17), weeks),
        title="Seniorgymnastik",
    )


def test_the_owner_sees_a_pending_season_as_one_row_with_its_dates(
    client, club_hall, organiser, other_club, other_organiser
):
    season = _pending_season(club_hall, other_organiser, other_club)
    client.force_login(organiser)

    response = client.get(_url("bookings_pending"))

    [group] = response.context["to_decide"]
    assert group.count == 4
    every = "Every %(weekday)s %(starts)s\u2013%(ends)s, from %(first)s to %(last)s: "
    assert (
        da(
            every + "%(counter)s date",
            every + "%(counter)s dates",
            4,
            weekday=da_date(season[0].starts_at, "l"),
            starts="17:00",
            ends="19:00",
            first=da_date(season[0].starts_at, "j. F Y"),
            last=da_date(season[-1].starts_at, "j. F Y"),
            counter=4,
        )
        in response.text
    )
    assert _url("booking_approve", season[0].pk) in response.text
    assert _url("booking_decline", season[0].pk) in response.text


def test_approving_on_the_page_approves_the_season_and_tells_the_asker(
    client,
    club_hall,
    organiser,
    other_club,
    other_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    season = _pending_season(club_hall, other_organiser, other_club)
    client.force_login(organiser)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("booking_approve", season[0].pk), follow=True)

    assert set(Booking.objects.values_list("state", flat=True)) == {State.APPROVED}
    assert da(
        "Approved: %(title)s, %(count)s date.",
        "Approved: %(title)s, %(count)s dates.",
        4,
        title="Seniorgymnastik",
        count=4,
    ) in _messages(response)
    [mail] = mailoutbox
    assert mail.to == [other_organiser.email]
    approved = "Your booking of %(facility)s for %(title)s is approved: %(counter)s "
    assert (
        da(
            approved + "date from %(when)s.",
            approved + "dates from %(when)s.",
            4,
            facility=club_hall.name,
            title="Seniorgymnastik",
            counter=4,
            when=da_date(season[0].starts_at),
        )
        in mail.body
    )


def test_declining_on_the_page_frees_the_season(
    client, club_hall, organiser, other_club, other_organiser
):
    season = _pending_season(club_hall, other_organiser, other_club)
    client.force_login(organiser)

    client.post(_url("booking_decline", season[0].pk))

    assert set(Booking.objects.values_list("state", flat=True)) == {State.DECLINED}


@pytest.mark.parametrize("action", ["booking_approve", "booking_decline"])
def test_someone_who_may_not_decide_changes_nothing(
    client, club_hall, other_club, other_organiser, action, mailoutbox
):
    season = _pending_season(club_hall, other_organiser, other_club)
    before = _snapshot()
    for person in (other_organiser, member_of(club_hall.owner), UserFactory()):
        client.force_login(person)

        response = client.post(_url(action, season[0].pk), follow=True)

        assert response.status_code == 200
        assert _snapshot() == before
        assert response.context["to_decide"] == []
        assert da("You cannot decide on this booking.") in _messages(response)
    assert mailoutbox == []


def test_deciding_needs_a_post(
    client, club_hall, organiser, other_club, other_organiser
):
    season = _pending_season(club_hall, other_organiser, other_club)
    client.force_login(organiser)

    response = client.get(_url("booking_approve", season[0].pk))

    assert response.status_code == 405
    assert Booking.objects.filter(state=State.PENDING).count() == 4


def test_an_organiser_sees_their_clubs_bookings_and_cancels_one_or_the_rest(
    client, hall, club, organiser
):
    season = _book(
        organiser, hall, club, at(7, 17), at(7, 19), rrule=_season_rule(at(7, 17), 3)
    )
    [once] = _book(organiser, hall, club, at(8, 10), at(8, 12), title="Loppemarked")
    client.force_login(organiser)

    page = client.get(_url("bookings_pending"))
    client.post(_url("booking_cancel", once.pk))
    client.post(_url("booking_cancel", season[1].pk))
    client.post(_url("booking_cancel", season[2].pk), {"season": "1"})

    assert [g.count for g in page.context["mine"]] == [4, 1]
    assert "Loppemarked" in page.text
    states = dict(Booking.objects.values_list("pk", "state"))
    assert [states[b.pk] for b in [*season, once]] == [
        State.APPROVED,
        State.CANCELLED,
        State.CANCELLED,
        State.CANCELLED,
        State.CANCELLED,
    ]


def test_a_member_cannot_cancel_their_clubs_booking(client, hall, club, organiser):
    [booking] = _book(organiser, hall, club, at(7, 17), at(7, 19))
    before = _snapshot()
    client.force_login(member_of(club))

    response = client.post(_url("booking_cancel", booking.pk), follow=True)

    assert _snapshot() == before
    assert response.context["mine"] == []


def test_an_events_booking_is_not_cancelled_from_the_bookings_page(
    client, hall, organiser, make_event
):
    event = make_event(facility=hall)
    booking = Booking.objects.get(occurrence__event=event)
    before = _snapshot()
    client.force_login(organiser)

    response = client.post(_url("booking_cancel", booking.pk), follow=True)

    assert _snapshot() == before
    assert _messages(response) == [
        da(
            "This booking belongs to an event. To free the facility, cancel "
            "or move the event's date on the event's page."
        )
    ]
    assert _url("booking_cancel", booking.pk) not in response.text


def test_the_bookings_list_offers_no_cancel_button_for_an_events_booking(
    hall, make_event
):
    from django.template.loader import render_to_string

    from agenda.facility_selectors import by_request

    event = make_event(facility=hall)
    booking = Booking.objects.select_related("facility", "community").get(
        occurrence__event=event
    )

    html = render_to_string(
        "agenda/bookings_pending.html", {"to_decide": [], "mine": by_request([booking])}
    )

    assert _url("booking_cancel", booking.pk) not in html
    note = "Booked for an event: cancel or move the event's date to free the facility."
    assert da(note) in html


def test_the_bookings_page_needs_a_login(client):
    response = client.get(_url("bookings_pending"))

    assert response.status_code == 302


@pytest.mark.parametrize("size", SIZES)
def test_the_bookings_page_makes_the_same_queries_however_many_requests(
    client, club_hall, organiser, size, django_assert_num_queries
):
    for number in range(size):
        community = CommunityFactory(kind=Community.Kind.ASSOCIATION)
        starts_at, ends_at = at(number + 1, 8), at(number + 1, 9)
        # Every other request a season of two dates.
        rule = _season_rule(starts_at, 1) if number % 2 else ""
        _book(
            organiser_of(community),
            club_hall,
            community,
            starts_at,
            ends_at,
            rrule=rule,
        )
        _book(
            organiser,
            club_hall,
            club_hall.owner,
            at(number + 1, 12),
            at(number + 1, 13),
        )
    client.force_login(organiser)

    # The user and whether they are staff (two), the requests to decide, the
    # club's own bookings, the header's three for a logged-in person.
    with django_assert_num_queries(8 + session_queries()):
        response = client.get(_url("bookings_pending"))

    assert len(response.context["to_decide"]) == size
    assert len(response.context["mine"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_the_bookings_page_makes_the_same_queries_for_staff(
    client, hall, staff, size, django_assert_num_queries
):
    hall.policy = Facility.Policy.MUNICIPALITY
    hall.save()
    for number in range(size):
        community = CommunityFactory(kind=Community.Kind.ASSOCIATION)
        _book(
            organiser_of(community),
            hall,
            community,
            at(number + 1, 8),
            at(number + 1, 9),
        )
    client.force_login(staff)

    # As for an organiser, and the Wagtail user bar's profile of someone who
    # may use the admin (read, then made in a savepoint: four).
    with django_assert_num_queries(12 + session_queries()):
        response = client.get(_url("bookings_pending"))

    assert len(response.context["to_decide"]) == size


# --- the facility services behind the form


def test_only_staff_add_municipal_facilities_and_organisers_only_their_own(
    club, organiser, other_club, staff
):
    from agenda.services.facilities import FacilityFields, facility_create
    from hub.errors import NotPermitted

    contractor = CommunityFactory(kind=Community.Kind.CONTRACTOR)
    refused = [
        (organiser, None),
        (organiser, other_club),
        (organiser_of(contractor), contractor),
    ]
    for actor, owner in refused:
        with pytest.raises(NotPermitted):
            facility_create(
                actor=actor, fields=FacilityFields(name="Sal", kind="hall", owner=owner)
            )
    made = facility_create(
        actor=staff,
        fields=FacilityFields(name="New", kind="hall", policy="municipality"),
    )

    assert list(Facility.objects.all()) == [made]
    # Its address would be the form's own (/calendar/facilities/new/).
    assert made.slug == "new-2"


def test_a_manager_sets_the_opening_hours_and_no_one_else(
    club_hall, organiser, other_organiser
):
    from agenda.services.facilities import Hours, opening_hours_set
    from hub.errors import NotPermitted

    with pytest.raises(NotPermitted):
        opening_hours_set(actor=other_organiser, facility=club_hall, hours=[])
    assert club_hall.opening_hours.count() == 7
    opening_hours_set(
        actor=organiser,
        facility=club_hall,
        hours=[Hours(weekday=1, opens=time(9), closes=time(12))],
    )

    assert list(club_hall.opening_hours.values_list("weekday", "opens")) == [
        (1, time(9))
    ]
