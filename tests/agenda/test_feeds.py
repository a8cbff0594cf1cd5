"""Calendar feeds: what a calendar app reads from a portal's, a facility's and a
person's secret address, who may have and revoke one, and the feeds page."""

from dataclasses import replace
from datetime import UTC, timedelta

import icalendar
import pytest
import recurring_ical_events
from django.urls import reverse
from django.utils import timezone

from agenda import recurrence
from agenda.errors import AgendaError
from agenda.models import Booking, Feed, Occurrence, Signup
from agenda.services import feeds as feed_services
from agenda.services.bookings import booking_request
from agenda.services.events import (
    EventFields,
    Scope,
    event_cancel,
    event_create,
    event_update,
    occurrence_cancel,
    occurrence_exclude,
)
from agenda.services.signups import signup_answer
from communities.models import Community, Membership
from hub.errors import NotPermitted, RateLimited
from hub.limits import HOUR, LIMITS, Limit
from tests.agenda.conftest import at, da, fields
from tests.factories import CommunityFactory, UserFactory, organiser_of
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db


def _feed(actor, kind=Feed.Kind.COMMUNITY, **subject) -> Feed:
    feed, _created = feed_services.feed_get_or_create(actor=actor, kind=kind, **subject)
    return feed


def _get(client, feed):
    return client.get(reverse("agenda:feed", args=[feed.token]))


def _calendar(client, feed) -> icalendar.Calendar:
    response = _get(client, feed)
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def _vevents(calendar, uid=None) -> list:
    return [
        c
        for c in calendar.walk("VEVENT")
        if uid is None or str(c["UID"]).startswith(str(uid))
    ]


def _utc(moment):
    return moment.astimezone(UTC)


def _expanded(calendar, days=400) -> set:
    """(start, end, status) of every date a calendar app shows, in UTC."""
    now = timezone.now()
    found = recurring_ical_events.of(calendar).between(
        now - timedelta(days=days), now + timedelta(days=days)
    )
    return {
        (_utc(c["DTSTART"].dt), _utc(c["DTEND"].dt), str(c.get("STATUS", "")))
        for c in found
    }


def _shown(event) -> set:
    """(start, end, status) of every date the site shows for ``event``."""
    event.refresh_from_db()
    return {
        (
            _utc(o.starts_at),
            _utc(o.ends_at),
            "CANCELLED" if o.is_cancelled else "CONFIRMED",
        )
        for o in event.occurrences.exclude(state=Occurrence.State.EXCLUDED)
    }


def _weekly(make_event, count=6, **overrides):
    return make_event(rrule=f"FREQ=WEEKLY;COUNT={count}", **overrides)


def _move(actor, occurrence, starts_at, ends_at) -> None:
    """Move one date of its event ("this one")."""
    event = occurrence.event
    event_update(
        actor=actor,
        event=event,
        fields=replace(
            EventFields.of(event, occurrence), starts_at=starts_at, ends_at=ends_at
        ),
        scope=Scope.THIS,
        occurrence=occurrence,
    )


def _dates(event) -> list[Occurrence]:
    return list(event.occurrences.order_by("original_start"))


# --- what a series says


def test_a_series_carries_its_rule_exceptions_and_changed_dates(
    client, make_event, organiser, club
):
    event = _weekly(make_event)
    first, moved, cancelled, left_out = _dates(event)[:4]
    start = recurrence.local(moved.starts_at) + timedelta(hours=1)
    _move(organiser, moved, start, start + timedelta(hours=2))
    occurrence_cancel(actor=organiser, occurrence=cancelled, note="Banen er lukket")
    occurrence_exclude(actor=organiser, occurrence=left_out)
    event.refresh_from_db()

    calendar = _calendar(client, _feed(organiser, community=club))

    master, *changed = _vevents(calendar, event.uid)
    assert master["RRULE"] == icalendar.vRecur.from_ical(event.rrule)
    assert master["DTSTART"].dt == recurrence.local(first.original_start)
    assert master["DTSTART"].params["TZID"] == "Europe/Copenhagen"
    assert event.starts_at == first.original_start
    assert master["DTEND"].dt - master["DTSTART"].dt == timedelta(hours=2)
    assert [d.dt for d in master["EXDATE"].dts] == [
        recurrence.local(left_out.original_start)
    ]
    assert master["SEQUENCE"] == event.sequence == 3
    assert master["STATUS"] == "CONFIRMED"
    by_id = {c["RECURRENCE-ID"].dt: c for c in changed}
    assert set(by_id) == {
        recurrence.local(moved.original_start),
        recurrence.local(cancelled.original_start),
    }
    was_moved = by_id[recurrence.local(moved.original_start)]
    assert was_moved["DTSTART"].dt == start
    assert was_moved["STATUS"] == "CONFIRMED"
    assert was_moved["UID"] == master["UID"] == f"{event.uid}@testserver"
    was_cancelled = by_id[recurrence.local(cancelled.original_start)]
    assert was_cancelled["STATUS"] == "CANCELLED"
    assert "Banen er lukket" in was_cancelled["DESCRIPTION"]
    assert _expanded(calendar) == _shown(event)


def test_a_calendar_says_who_made_it_its_zone_and_how_often_to_refresh(
    client, make_event, organiser, club
):
    _weekly(make_event)

    response = _get(client, _feed(organiser, community=club))
    calendar = icalendar.Calendar.from_ical(response.content)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'inline; filename="skovby-if.ics"'
    assert response["Cache-Control"] == "private, max-age=300"
    assert calendar["VERSION"] == "2.0"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["PRODID"]
    assert calendar["X-WR-CALNAME"] == "Skovby IF · Nabolag"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Copenhagen"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert calendar["X-PUBLISHED-TTL"] == "PT1H"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [
        "Europe/Copenhagen"
    ]


def test_an_event_says_where_what_and_who_but_no_ones_address(
    client, make_event, organiser, club, hall
):
    event = make_event(
        place="Sal 2",
        facility=hall,
        category="sport",
        starts_at=at(7, 18),
        ends_at=at(7, 20),
        description="Husk indesko.",
    )

    body = _get(client, _feed(organiser, community=club)).content.decode()
    (vevent,) = _vevents(icalendar.Calendar.from_ical(body), event.uid)

    assert vevent["SUMMARY"] == "Træning"
    assert vevent["LOCATION"] == "Sal 2, Forsamlingshuset"
    assert "Husk indesko." in vevent["DESCRIPTION"]
    assert (
        vevent["URL"]
        == f"http://testserver{event.occurrences.get().get_absolute_url()}"
    )
    assert vevent["ORGANIZER"].params["CN"] == "Skovby IF"
    assert vevent["ORGANIZER"] == "http://testserver/communities/skovby-if/"
    assert vevent.categories == ["Sport"]
    assert "RRULE" not in vevent
    assert "RECURRENCE-ID" not in vevent
    assert organiser.email not in body
    assert "mailto:" not in body


def test_a_cancelled_event_and_a_cancelled_series_are_cancelled(
    client, make_event, organiser, club
):
    single = make_event()
    series = _weekly(make_event, starts_at=at(8, 17), ends_at=at(8, 19))
    event_cancel(actor=organiser, event=single)
    event_cancel(actor=organiser, event=series)

    calendar = _calendar(client, _feed(organiser, community=club))

    (one,) = _vevents(calendar, single.uid)
    assert one["STATUS"] == "CANCELLED"
    (master,) = _vevents(calendar, series.uid)
    assert master["STATUS"] == "CANCELLED"
    assert _expanded(calendar) == _shown(single) | _shown(series)


def test_a_date_moved_for_a_single_event_moves_the_event(
    client, make_event, organiser, club
):
    event = make_event()
    date = event.occurrences.get()
    start = at(9, 10)
    _move(organiser, date, start, start + timedelta(hours=1))

    calendar = _calendar(client, _feed(organiser, community=club))

    (vevent,) = _vevents(calendar, event.uid)
    assert vevent["DTSTART"].dt == start
    assert _expanded(calendar) == _shown(event)


# --- who sees what


def test_members_only_events_are_absent_from_a_public_token(
    client, make_event, organiser, club
):
    open_event = make_event()
    members_only = make_event(title="Bestyrelsesmøde", is_public=False)
    outsider = UserFactory()

    public = _calendar(client, _feed(outsider, community=club))
    organisers = _calendar(client, _feed(organiser, community=club))

    assert [str(e["UID"]) for e in _vevents(public)] == [f"{open_event.uid}@testserver"]
    assert b"Bestyrelsesm" not in public.to_ical()
    assert {str(e["UID"]) for e in _vevents(organisers)} == {
        f"{open_event.uid}@testserver",
        f"{members_only.uid}@testserver",
    }
    (private,) = _vevents(organisers, members_only.uid)
    assert private["CLASS"] == "PRIVATE"


def test_an_organiser_who_steps_down_stops_getting_members_only_events(
    client, make_event, organiser, club
):
    make_event(title="Bestyrelsesmøde", is_public=False)
    feed = _feed(organiser, community=club)
    Membership.objects.filter(user=organiser, community=club).delete()

    calendar = _calendar(client, feed)

    assert _vevents(calendar) == []


def test_a_members_only_portal_feeds_no_one_outside_it(client, organiser, club):
    club.visibility = Community.Visibility.MEMBERS
    club.save(update_fields=["visibility"])
    outsider = UserFactory()
    feed = _feed(organiser, community=club)

    with pytest.raises(NotPermitted):
        feed_services.feed_get_or_create(
            actor=outsider, kind=Feed.Kind.COMMUNITY, community=club
        )
    assert not Feed.objects.filter(created_by=outsider).exists()
    assert _get(client, feed).status_code == 200
    Membership.objects.filter(user=organiser, community=club).delete()
    assert _get(client, feed).status_code == 404


def test_a_facility_feed_has_its_events_and_public_bookings(
    client, make_event, organiser, club, hall
):
    event = make_event(facility=hall, starts_at=at(7, 9), ends_at=at(7, 11))
    (public,) = booking_request(
        actor=organiser,
        facility=hall,
        community=club,
        title="Loppemarked",
        starts_at=at(8, 9),
        ends_at=at(8, 12),
    )
    booking_request(
        actor=organiser,
        facility=hall,
        community=club,
        title="Privat fest",
        starts_at=at(9, 9),
        ends_at=at(9, 12),
        is_public=False,
    )
    resident = UserFactory()

    calendar = _calendar(client, _feed(resident, Feed.Kind.FACILITY, facility=hall))

    assert {str(e["UID"]) for e in _vevents(calendar)} == {
        f"{event.uid}@testserver",
        f"booking-{public.pk}@testserver",
    }
    (booked,) = _vevents(calendar, "booking-")
    assert booked["SUMMARY"] == "Loppemarked"
    assert booked["DTSTART"].dt == at(8, 9)
    assert booked["STATUS"] == "CONFIRMED"
    assert booked["ORGANIZER"].params["CN"] == "Skovby IF"


def _uids(calendar) -> list[str]:
    return sorted(str(e["UID"]) for e in _vevents(calendar))


def test_a_facility_managers_feed_shows_it_taken_by_events_they_cannot_see(
    client, organiser, club, hall
):
    hall.owner = club
    hall.save(update_fields=["owner"])
    chess = CommunityFactory(name="Skakklubben", kind=Community.Kind.ASSOCIATION)
    chess_organiser = organiser_of(chess)
    hidden = event_create(
        actor=chess_organiser,
        community=chess,
        fields=fields(
            title="Lukket møde",
            is_public=False,
            facility=hall,
            starts_at=at(7, 9),
            ends_at=at(7, 11),
        ),
    )
    booking = Booking.objects.get(occurrence__event=hidden)
    staff = UserFactory(is_superuser=True)

    managers = _calendar(client, _feed(organiser, Feed.Kind.FACILITY, facility=hall))
    theirs = _calendar(
        client, _feed(chess_organiser, Feed.Kind.FACILITY, facility=hall)
    )
    staffs = _calendar(client, _feed(staff, Feed.Kind.FACILITY, facility=hall))

    assert _uids(managers) == [f"booking-{booking.pk}@testserver"]
    (taken,) = _vevents(managers)
    assert taken["CLASS"] == "PRIVATE"
    assert _uids(theirs) == _uids(staffs) == [f"{hidden.uid}@testserver"]


def test_a_personal_feed_has_each_date_answered_and_the_bookings_asked_for(
    client, make_event, organiser, club, resident, hall
):
    series = _weekly(make_event, count=4)
    going, maybe, not_going, _unanswered = _dates(series)
    signup_answer(user=resident, occurrence=going, response=Signup.Response.GOING)
    signup_answer(user=resident, occurrence=maybe, response=Signup.Response.MAYBE)
    signup_answer(
        user=resident, occurrence=not_going, response=Signup.Response.NOT_GOING
    )
    occurrence_cancel(actor=organiser, occurrence=maybe)
    (booking,) = booking_request(
        actor=organiser,
        facility=hall,
        community=club,
        title="Generalforsamling",
        starts_at=at(10, 18),
        ends_at=at(10, 21),
    )

    mine = _calendar(client, _feed(resident, Feed.Kind.PERSON))
    theirs = _calendar(client, _feed(organiser, Feed.Kind.PERSON))

    by_uid = {str(e["UID"]): e for e in _vevents(mine)}
    assert set(by_uid) == {
        f"{series.uid}-{going.pk}@testserver",
        f"{series.uid}-{maybe.pk}@testserver",
    }
    assert by_uid[f"{series.uid}-{going.pk}@testserver"]["STATUS"] == "CONFIRMED"
    assert by_uid[f"{series.uid}-{maybe.pk}@testserver"]["STATUS"] == "CANCELLED"
    assert "RRULE" not in by_uid[f"{series.uid}-{going.pk}@testserver"]
    assert [str(e["UID"]) for e in _vevents(theirs)] == [
        f"booking-{booking.pk}@testserver"
    ]
    assert mine["X-WR-CALNAME"] == f"{da('My calendar')} · Nabolag"


# --- addresses


def test_an_unknown_or_revoked_address_is_not_found(client, organiser, club):
    feed = _feed(organiser, community=club)

    new = feed_services.feed_revoke(actor=organiser, feed=feed)

    assert _get(client, feed).status_code == 404
    assert client.get(reverse("agenda:feed", args=["no-such-token"])).status_code == 404
    assert _get(client, new).status_code == 200
    assert new.token != feed.token
    assert (new.kind, new.community, new.created_by) == (feed.kind, club, organiser)


def test_a_closed_account_feeds_nothing(client, organiser):
    feed = _feed(organiser, Feed.Kind.PERSON)
    organiser.is_active = False
    organiser.save(update_fields=["is_active"])

    assert _get(client, feed).status_code == 404


def test_asking_twice_gives_the_same_address(organiser, club):
    first, created = feed_services.feed_get_or_create(
        actor=organiser, kind=Feed.Kind.COMMUNITY, community=club
    )
    again, created_again = feed_services.feed_get_or_create(
        actor=organiser, kind=Feed.Kind.COMMUNITY, community=club
    )

    assert (again, created, created_again) == (first, True, False)


def test_other_people_cannot_revoke_your_feed(organiser, resident):
    feed = _feed(resident, Feed.Kind.PERSON)

    with pytest.raises(NotPermitted):
        feed_services.feed_revoke(actor=organiser, feed=feed)

    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert Feed.objects.count() == 1


def test_a_revoked_address_cannot_be_revoked_again(organiser):
    feed = _feed(organiser, Feed.Kind.PERSON)
    feed_services.feed_revoke(actor=organiser, feed=feed)

    with pytest.raises(AgendaError):
        feed_services.feed_revoke(actor=organiser, feed=feed)

    assert Feed.objects.filter(revoked_at__isnull=True).count() == 1


def test_revoking_is_rate_limited(monkeypatch, organiser):
    monkeypatch.setitem(LIMITS, "feed-revoke", Limit(1, HOUR))
    feed = _feed(organiser, Feed.Kind.PERSON)
    new = feed_services.feed_revoke(actor=organiser, feed=feed)

    with pytest.raises(RateLimited):
        feed_services.feed_revoke(actor=organiser, feed=new)

    new.refresh_from_db()
    assert new.revoked_at is None
    assert Feed.objects.count() == 2


# --- the feeds page


def test_the_feeds_page_writes_nothing_and_offers_to_make_an_address(
    client, organiser, club
):
    client.force_login(organiser)

    response = client.get(reverse("agenda:feeds"))

    assert response.status_code == 200
    assert Feed.objects.count() == 0
    assert da("Create my feed address") in response.content.decode()
    assert [row.name for row in response.context["communities"]] == ["Skovby IF"]


def test_making_an_address_shows_it_to_copy_and_subscribe(client, organiser, club):
    client.force_login(organiser)

    response = client.post(
        reverse("agenda:feed_create"), {"kind": "community", "subject": club.pk}
    )
    feed = Feed.objects.get()
    page = client.get(reverse("agenda:feeds")).content.decode()

    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:feeds") + f"#feed-{feed.pk}"
    assert (feed.kind, feed.community, feed.created_by) == (
        "community",
        club,
        organiser,
    )
    url = f"http://testserver/calendar/feeds/{feed.token}.ics"
    assert f'value="{url}"' in page
    assert f'href="webcal://testserver/calendar/feeds/{feed.token}.ics"' in page


def test_each_new_address_is_announced_in_a_sentence_of_its_own(
    client, organiser, club, hall
):
    client.force_login(organiser)
    posts = [
        {"kind": "person"},
        {"kind": "community", "subject": club.pk},
        {"kind": "facility", "subject": hall.pk},
    ]

    url = reverse("agenda:feed_create")

    said = [
        [str(m) for m in client.post(url, post, follow=True).context["messages"]]
        for post in posts
    ]

    assert said == [
        [da("Your personal feed address is ready.")],
        [da("The feed address of the portal %(name)s is ready.", name="Skovby IF")],
        [
            da(
                "The feed address of the facility %(name)s is ready.",
                name="Forsamlingshuset",
            )
        ],
    ]
    assert all(da("Your own calendar") not in m for [m] in said)


def test_revoking_your_personal_feed_asks_in_words_of_its_own(client, resident):
    feed = _feed(resident, Feed.Kind.PERSON)
    client.force_login(resident)

    asked = client.get(reverse("agenda:feed_revoke", args=[feed.pk]))

    assert (
        da(
            "The current address of your personal feed stops working at once, in "
            "every calendar app that uses it. You then get a new address to add to "
            "your apps instead."
        )
        in asked.content.decode()
    )
    assert da("Your own calendar") not in asked.content.decode()


def test_revoking_from_the_page_asks_first_then_gives_a_new_address(client, resident):
    feed = _feed(resident, Feed.Kind.PERSON)
    client.force_login(resident)
    url = reverse("agenda:feed_revoke", args=[feed.pk])

    asked = client.get(url)
    feed.refresh_from_db()
    assert asked.status_code == 200
    assert feed.revoked_at is None
    response = client.post(url)

    feed.refresh_from_db()
    new = Feed.objects.get(revoked_at__isnull=True)
    assert response["Location"] == reverse("agenda:feeds") + f"#feed-{new.pk}"
    assert feed.revoked_at is not None
    assert _get(client, feed).status_code == 404


def test_other_people_cannot_see_or_revoke_your_feed_from_the_page(
    client, resident, organiser
):
    feed = _feed(resident, Feed.Kind.PERSON)
    client.force_login(organiser)
    url = reverse("agenda:feed_revoke", args=[feed.pk])

    page = client.get(reverse("agenda:feeds")).content.decode()
    asked = client.get(url)
    posted = client.post(url)

    feed.refresh_from_db()
    assert feed.token not in page
    assert (asked.status_code, posted.status_code) == (404, 404)
    assert feed.revoked_at is None
    assert Feed.objects.count() == 1


def test_a_portal_one_may_not_see_gets_no_address_from_the_page(client, resident):
    hidden = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    client.force_login(resident)

    response = client.post(
        reverse("agenda:feed_create"),
        {"kind": "community", "subject": hidden.pk},
        follow=True,
    )

    assert da("Only its members can follow this portal.") in response.content.decode()
    assert Feed.objects.count() == 0


def test_the_feeds_page_needs_a_login(client):
    response = client.get(reverse("agenda:feeds"))

    assert response.status_code == 302
    assert Feed.objects.count() == 0


# --- query counts


def _season(make_event, events: int) -> None:
    """``events`` weekly series of 8 dates, each with one moved, one cancelled
    and one left-out date."""
    for n in range(events):
        event = _weekly(
            make_event, count=8, starts_at=at(7 + n, 17), ends_at=at(7 + n, 19)
        )
        moved, cancelled, left_out = _dates(event)[1:4]
        Occurrence.objects.filter(pk=moved.pk).update(
            starts_at=moved.starts_at + timedelta(hours=1),
            ends_at=moved.ends_at + timedelta(hours=1),
            moved=True,
        )
        Occurrence.objects.filter(pk=cancelled.pk).update(
            state=Occurrence.State.CANCELLED
        )
        Occurrence.objects.filter(pk=left_out.pk).update(
            state=Occurrence.State.EXCLUDED
        )


@pytest.mark.parametrize("events", [1, 6])
def test_a_portal_feed_costs_the_same_queries_however_many_events(
    client, make_event, organiser, club, hall, events, django_assert_num_queries
):
    _season(make_event, events)
    for n in range(events):
        booking_request(
            actor=organiser,
            facility=hall,
            community=club,
            title="Marked",
            starts_at=at(20 + n, 9),
            ends_at=at(20 + n, 12),
        )
    feed = _feed(organiser, community=club)

    # The feed with its owner, the owner's permissions (two), the events, their
    # changed dates, the owner's organiser check, and the bookings.
    with django_assert_num_queries(7):
        calendar = _calendar(client, feed)

    assert len(_vevents(calendar)) == events * 3 + events


@pytest.mark.parametrize("events", [1, 6])
def test_a_facility_feed_costs_the_same_queries_however_many_events(
    client, make_event, organiser, hall, events, django_assert_num_queries
):
    for n in range(events):
        make_event(facility=hall, starts_at=at(7 + n, 9), ends_at=at(7 + n, 11))
    feed = _feed(organiser, Feed.Kind.FACILITY, facility=hall)

    # The feed with its owner, the owner's permissions (two), the events,
    # their changed dates, and the bookings.
    with django_assert_num_queries(6):
        calendar = _calendar(client, feed)

    assert len(_vevents(calendar)) == events


@pytest.mark.parametrize("dates", [1, 6])
def test_a_personal_feed_costs_the_same_queries_however_many_dates(
    client, make_event, resident, dates, django_assert_num_queries
):
    series = _weekly(make_event, count=dates)
    for date in _dates(series):
        signup_answer(user=resident, occurrence=date, response=Signup.Response.GOING)
    feed = _feed(resident, Feed.Kind.PERSON)

    # The feed with its owner, the owner's permissions (two), the sign-ups
    # with their dates and events, and the bookings.
    # The feed's own five, and one for the task board's tasks (tasks.feeds).
    with django_assert_num_queries(6):
        calendar = _calendar(client, feed)

    assert len(_vevents(calendar)) == dates


@pytest.mark.parametrize("communities", [1, 4])
def test_the_feeds_page_costs_the_same_queries_however_many_feeds(
    client, communities, django_assert_num_queries
):
    user = UserFactory()
    for _n in range(communities):
        community = CommunityFactory()
        organiser_of_user(user, community)
        _feed(user, community=community)
    _feed(user, Feed.Kind.PERSON)
    client.force_login(user)

    # The user, their feeds, their organiser memberships, their permissions
    # (two), the facilities they manage; and the header's three (alerts,
    # notifications, the editor's pages).
    with django_assert_num_queries(9 + session_queries()):
        response = client.get(reverse("agenda:feeds"))

    assert len(response.context["communities"]) == communities


def organiser_of_user(user, community) -> None:
    Membership.objects.create(
        user=user,
        community=community,
        role=Membership.Role.ORGANISER,
        state=Membership.State.ACTIVE,
    )
