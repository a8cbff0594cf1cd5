"""The municipal calendar page (agenda:calendar): its periods in local time,
its filters, who sees what, the cancelled and moved markers, bad query
parameters, and a fixed number of queries however full the month is."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, override

from agenda import calendar_view, recurrence
from agenda.models import Facility
from agenda.services.bookings import booking_request
from agenda.services.events import (
    EventFields,
    Scope,
    event_create,
    event_update,
    occurrence_cancel,
)
from communities.models import Community
from tests.agenda.conftest import da_in, fields
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

URL = reverse("agenda:calendar")
NEXT_YEAR = timezone.localdate().year + 1


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=recurrence.zone())


def last_sunday(year: int, month: int) -> date:
    """The last Sunday of the month: when summer time begins (March) or ends
    (October) in Europe."""
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def t(text: str) -> str:
    """``text`` as the page says it: tests run in Danish, and a few of the
    page's words are already translated elsewhere in the project."""
    with override("da"):
        return gettext(text)


def show(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def titles(response) -> list[str]:
    """What the page lists, in order, once per entry."""
    seen: list[str] = []
    for day in response.context["page"].days:
        for entry in day.entries:
            item = entry.occurrence.event if entry.occurrence else entry.booking
            if item.title not in seen:
                seen.append(item.title)
    return seen


def create(organiser, community, **overrides):
    return event_create(
        actor=organiser, community=community, fields=fields(**overrides)
    )


# --- periods ------------------------------------------------------------------


def test_the_calendar_shows_the_week_of_today_by_default(client, make_event):
    today = timezone.localdate()
    make_event(title="I dag", starts_at=local(today, 23), ends_at=local(today, 23, 30))

    response = show(client)

    period = response.context["period"]
    assert period.view == "week"
    assert period.first == today - timedelta(days=today.weekday())
    assert len(response.context["page"].listed_days) == 7
    assert titles(response) == ["I dag"]
    assert f"<h1>{t('Calendar')}</h1>" in response.content.decode()


def test_a_week_lists_every_day_and_says_when_nothing_is_planned(client, make_event):
    monday = date(NEXT_YEAR, 6, 1) - timedelta(days=date(NEXT_YEAR, 6, 1).weekday())
    make_event(starts_at=local(monday, 17), ends_at=local(monday, 19))

    response = show(client, view="week", date=monday.isoformat())

    html = response.content.decode()
    assert html.count('<div class="cal-day') == 7
    assert html.count(t("Nothing planned")) == 6
    assert f'<time datetime="{monday.isoformat()}">' in html


def test_an_event_late_on_the_last_day_of_a_month_belongs_to_that_month(
    client, make_event
):
    last = date(NEXT_YEAR, 1, 31)
    make_event(
        title="Nytår", starts_at=local(last, 23, 30), ends_at=local(last, 23, 50)
    )
    # 00:30 on the first is still the day before in UTC.
    first = date(NEXT_YEAR, 2, 1)
    make_event(title="Natløb", starts_at=local(first, 0, 30), ends_at=local(first, 1))

    january = show(client, view="month", date=last.isoformat())
    february = show(client, view="month", date=first.isoformat())

    assert titles(january) == ["Nytår"]
    assert titles(february) == ["Natløb"]
    days = {
        d.day: [e.occurrence.event.title for e in d.entries]
        for d in january.context["page"].days
    }
    assert days[last] == ["Nytår"]


def test_a_week_runs_from_monday_midnight_to_sunday_night_local_time(
    client, make_event
):
    monday = date(NEXT_YEAR, 9, 6) - timedelta(days=date(NEXT_YEAR, 9, 6).weekday())
    sunday = monday + timedelta(days=6)
    make_event(title="Mandag", starts_at=local(monday, 0, 15), ends_at=local(monday, 1))
    make_event(
        title="Søndag", starts_at=local(sunday, 23, 30), ends_at=local(sunday, 23, 55)
    )
    make_event(
        title="Næste uge",
        starts_at=local(sunday + timedelta(days=1), 0, 5),
        ends_at=local(sunday + timedelta(days=1), 1),
    )

    response = show(client, view="week", date=(monday + timedelta(days=3)).isoformat())

    assert titles(response) == ["Mandag", "Søndag"]


def test_a_day_shows_only_that_local_day(client, make_event):
    day = date(NEXT_YEAR, 7, 15)
    make_event(title="Aften", starts_at=local(day, 23, 30), ends_at=local(day, 23, 45))
    make_event(
        title="Dagen efter",
        starts_at=local(day + timedelta(days=1), 0, 30),
        ends_at=local(day + timedelta(days=1), 1),
    )

    response = show(client, view="day", date=day.isoformat())

    assert titles(response) == ["Aften"]
    assert response.context["period"].label.startswith(date_format(day, "l"))


@pytest.mark.parametrize(("month", "hours"), [(3, 167), (10, 169)])
def test_a_week_when_the_clocks_change_keeps_the_local_times(
    client, organiser, club, month, hours
):
    sunday = last_sunday(NEXT_YEAR, month)
    monday = sunday - timedelta(days=6)
    create(
        organiser,
        club,
        title="Træning",
        starts_at=local(monday, 17),
        ends_at=local(monday, 18),
        rrule="FREQ=DAILY;COUNT=8",
    )
    create(
        organiser,
        club,
        title="Sent",
        starts_at=local(sunday, 23, 30),
        ends_at=local(sunday, 23, 50),
    )

    response = show(client, view="week", date=sunday.isoformat())

    period = response.context["period"]
    assert period.ends.astimezone(UTC) - period.starts.astimezone(UTC) == timedelta(
        hours=hours
    )
    days = response.context["page"].days
    assert [d.day for d in days] == [monday + timedelta(days=n) for n in range(7)]
    starts = [e.starts_at for d in days for e in d.entries]
    assert [s.strftime("%H:%M") for s in starts] == ["17:00"] * 7 + ["23:30"]
    html = response.content.decode()
    before, after = ("+01:00", "+02:00") if month == 3 else ("+02:00", "+01:00")
    assert f'datetime="{monday.isoformat()}T17:00:00{before}"' in html
    assert f'datetime="{sunday.isoformat()}T17:00:00{after}"' in html
    assert f'datetime="{sunday.isoformat()}T23:30:00{after}"' in html


def test_previous_next_and_today_links_move_by_the_view(client):
    response = show(client, view="month", date=f"{NEXT_YEAR}-01-31")

    links = response.context["links"]
    assert links["previous"]["url"] == f"?view=month&date={NEXT_YEAR - 1}-12-01"
    assert links["next"]["url"] == f"?view=month&date={NEXT_YEAR}-02-01"
    assert links["today"] == f"?view=month&date={timezone.localdate().isoformat()}"
    html = response.content.decode()
    assert 'href="?view=month&amp;date=' in html
    assert re.search(
        rf'<a href="\?view=month[^"]*" aria-current="page">{t("Month")}</a>', html
    )
    assert date_format(date(NEXT_YEAR, 1, 1), "YEAR_MONTH_FORMAT") in html


def test_the_month_grid_links_each_day_with_entries_to_its_heading(client, make_event):
    day = date(NEXT_YEAR, 5, 12)
    make_event(starts_at=local(day, 10), ends_at=local(day, 11))

    html = show(client, view="month", date=day.isoformat()).content.decode()

    assert f'<a href="#d-{day.isoformat()}">' in html
    assert f'id="d-{day.isoformat()}"' in html
    # May of that year starts on its weekday's column.
    assert f"cal-start-{date(NEXT_YEAR, 5, 1).isoweekday()}" in html
    assert html.count('<div class="cal-day') == 1


def test_an_event_over_midnight_is_listed_on_both_days(client, make_event):
    day = date(NEXT_YEAR, 8, 14)
    make_event(
        title="Sankthans",
        starts_at=local(day, 22),
        ends_at=local(day + timedelta(days=1), 2),
    )

    page = show(client, view="week", date=day.isoformat()).context["page"]

    listed = [d.day for d in page.days if d.entries]
    assert listed == [day, day + timedelta(days=1)]


# --- filters ------------------------------------------------------------------


@pytest.fixture
def scene(village, club, organiser, hall):
    """A week with an event or a booking for each filter to tell apart."""
    andeby = CommunityFactory(name="Andeby", slug="andeby", kind=Community.Kind.VILLAGE)
    choir = CommunityFactory(
        name="Andeby Kor", slug="andeby-kor", kind=Community.Kind.ASSOCIATION
    )
    pitch = Facility.objects.create(
        name="Kunstgræsbanen",
        slug="kunstgraes",
        kind=Facility.Kind.ARTIFICIAL_PITCH,
        village=andeby,
    )
    day = timezone.localdate() + timedelta(days=7)
    choir_organiser = organiser_of(choir)
    create(
        organiser,
        club,
        title="Fodbold for børn",
        village=village,
        facility=hall,
        category="sport",
        audience="children",
        starts_at=local(day, 10),
        ends_at=local(day, 11),
    )
    create(
        choir_organiser,
        choir,
        title="Korprøve",
        village=andeby,
        place="Kirken",
        category="culture",
        audience="seniors",
        starts_at=local(day, 12),
        ends_at=local(day, 13),
    )
    create(
        organiser_of(village),
        village,
        title="Landsbyrådet",
        category="meeting",
        audience="adults",
        starts_at=local(day, 14),
        ends_at=local(day, 15),
    )
    create(
        organiser,
        club,
        title="Banetræning",
        facility=pitch,
        category="sport",
        audience="youth",
        starts_at=local(day, 16),
        ends_at=local(day, 17),
    )
    booking_request(
        actor=choir_organiser,
        facility=hall,
        community=choir,
        title="Korets juleafslutning",
        starts_at=local(day, 18),
        ends_at=local(day, 19),
    )
    return {"date": day.isoformat(), "view": "week"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {},
            [
                "Fodbold for børn",
                "Korprøve",
                "Landsbyrådet",
                "Banetræning",
                "Korets juleafslutning",
            ],
        ),
        (
            {"village": "skovby"},
            ["Fodbold for børn", "Landsbyrådet", "Korets juleafslutning"],
        ),
        ({"village": "andeby"}, ["Korprøve", "Banetræning"]),
        ({"association": "skovby-if"}, ["Fodbold for børn", "Banetræning"]),
        ({"association": "andeby-kor"}, ["Korprøve", "Korets juleafslutning"]),
        (
            {"facility": "forsamlingshuset"},
            ["Fodbold for børn", "Korets juleafslutning"],
        ),
        ({"facility": "kunstgraes"}, ["Banetræning"]),
        ({"category": "sport"}, ["Fodbold for børn", "Banetræning"]),
        ({"category": "culture"}, ["Korprøve"]),
        ({"audience": "seniors"}, ["Korprøve"]),
        ({"audience": "children"}, ["Fodbold for børn"]),
        ({"village": "skovby", "association": "skovby-if"}, ["Fodbold for børn"]),
        ({"village": "andeby", "category": "sport"}, ["Banetræning"]),
        ({"village": "andeby", "facility": "forsamlingshuset"}, []),
    ],
)
def test_each_filter_and_their_combinations(client, scene, params, expected):
    response = show(client, **scene, **params)

    assert titles(response) == expected
    assert response.context["filters"].count == len(params)


def test_the_form_keeps_its_values_and_every_link_keeps_the_filters(client, scene):
    response = show(client, **scene, village="skovby", category="sport")

    html = response.content.decode()
    assert '<option value="skovby" selected>' in html
    assert '<option value="sport" selected>' in html
    assert f'value="{scene["date"]}"' in html
    assert '<details class="cal-filters" open>' in html
    links = response.context["links"]
    for url in [
        links["previous"]["url"],
        links["next"]["url"],
        links["today"],
        *(v["url"] for v in links["views"]),
    ]:
        assert "village=skovby" in url
        assert "category=sport" in url
    assert t("Clear the filters") in html


def test_villages_and_associations_offer_only_their_own_kind(client, scene):
    response = show(client, **scene, village="skovby-if")

    form = response.context["form"]
    assert [v for v, _label in form.fields["village"].choices] == [
        "",
        "andeby",
        "skovby",
    ]
    assert [v for v, _label in form.fields["association"].choices] == [
        "",
        "andeby-kor",
        "skovby-if",
    ]
    assert form.has_error("village")
    assert len(titles(response)) == 5


# --- who sees what --------------------------------------------------------------


@pytest.fixture
def private_club(db):
    return CommunityFactory(
        name="Lukket Klub",
        slug="lukket",
        kind=Community.Kind.ASSOCIATION,
        visibility=Community.Visibility.MEMBERS,
    )


def test_members_only_events_are_hidden_from_visitors_and_shown_to_members(
    client, club, organiser, private_club, hall
):
    day = timezone.localdate() + timedelta(days=3)
    private_organiser = organiser_of(private_club)
    create(
        private_organiser,
        private_club,
        title="Hemmeligt møde",
        starts_at=local(day, 10),
        ends_at=local(day, 11),
    )
    create(
        organiser,
        club,
        title="Generalforsamling",
        is_public=False,
        starts_at=local(day, 12),
        ends_at=local(day, 13),
    )
    create(
        organiser,
        club,
        title="Åbent hus",
        starts_at=local(day, 14),
        ends_at=local(day, 15),
    )
    booking_request(
        actor=private_organiser,
        facility=hall,
        community=private_club,
        title="Øvning",
        starts_at=local(day, 16),
        ends_at=local(day, 17),
    )
    params = {"view": "day", "date": day.isoformat()}

    visitor = show(client, **params)
    client.force_login(member_of(club))
    club_member = show(client, **params)
    client.force_login(member_of(private_club))
    private_member = show(client, **params)
    client.force_login(UserFactory())
    stranger = show(client, **params)

    assert titles(visitor) == ["Åbent hus", "Øvning"]
    assert titles(stranger) == ["Åbent hus", "Øvning"]
    assert titles(club_member) == ["Generalforsamling", "Åbent hus", "Øvning"]
    assert titles(private_member) == ["Hemmeligt møde", "Åbent hus", "Øvning"]
    # Who booked is said only to those who may see the community.
    assert f"Forsamlingshuset</a>: {t('booked')}</p>" in visitor.content.decode()
    assert "Lukket Klub" not in visitor.content.decode()
    assert (
        t("booked by %(community)s") % {"community": "Lukket Klub"}
        in private_member.content.decode()
    )


def test_a_booking_says_which_facility_who_booked_it_and_what_for(
    client, club, organiser, hall
):
    day = timezone.localdate() + timedelta(days=2)
    booking_request(
        actor=organiser,
        facility=hall,
        community=club,
        title="Juletræsfest",
        starts_at=local(day, 15),
        ends_at=local(day, 17),
    )

    html = show(client, view="day", date=day.isoformat()).content.decode()

    assert "Juletræsfest" in html
    booked_by = t("booked by %(community)s") % {"community": "Skovby IF"}
    assert f"Forsamlingshuset</a>: {booked_by}" in html
    assert 'class="cal-entry is-booking"' in html


# --- markers --------------------------------------------------------------------


def test_a_cancelled_date_stays_struck_through_with_the_word(client, organiser, club):
    day = timezone.localdate() + timedelta(days=4)
    event = create(
        organiser, club, title="Banko", starts_at=local(day, 19), ends_at=local(day, 21)
    )
    occurrence_cancel(actor=organiser, occurrence=event.occurrences.get(), note="Syg")

    html = show(client, view="day", date=day.isoformat()).content.decode()

    assert "<s>Banko</s>" in html
    assert (
        '<span class="ds-tag cal-mark" data-color="danger">'
        f"{da_in('event', 'Cancelled')}</span>" in html
    )
    assert "Syg" in html


def test_a_moved_date_shows_where_it_was(client, organiser, club):
    day = timezone.localdate() + timedelta(days=8)
    event = create(
        organiser,
        club,
        title="Løb",
        starts_at=local(day, 9),
        ends_at=local(day, 10),
        rrule="FREQ=WEEKLY;COUNT=3",
    )
    first = event.occurrences.order_by("starts_at").first()
    later = day + timedelta(days=1)
    event_update(
        actor=organiser,
        event=event,
        scope=Scope.THIS,
        occurrence=first,
        fields=replace(
            EventFields.of(event, first),
            starts_at=local(later, 11),
            ends_at=local(later, 12),
        ),
    )

    response = show(client, view="day", date=later.isoformat())

    html = response.content.decode()
    assert titles(response) == ["Løb"]
    assert (
        f'<span class="ds-tag cal-mark" data-color="warning">{t("Moved")}</span>'
        in html
    )
    assert f'{t("Moved from")} <time datetime="{day.isoformat()}T09:00:00' in html
    assert "<s>" not in html


# --- bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "view=year",
        "view=",
        "view=day&view=fortnight",
        "date=2027-02-30",
        "date=yesterday",
        "date=99999-01-01",
        "date=0001-01-01",
        "date=9999-12-31&view=month",
        "date=2027-03-31T10:00",
        "date=%00",
        "village=nowhere",
        "association=skovby",
        "facility=%27%3B--",
        "category=dance&audience=pets",
        "village=skovby&village=",
        "page=2&sort=x",
    ],
)
def test_bad_parameters_fall_back_to_the_week_of_today(client, village, club, query):
    response = client.get(f"{URL}?{query}")

    assert response.status_code == 200
    period = response.context["period"]
    assert period.anchor == timezone.localdate()
    assert period.view == ("month" if "view=month" in query else "week")


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("date=2027-02-30", "date", "Enter a date such as 2026-03-31."),
        ("date=0001-01-01", "date", "Choose a date from %(first)s to %(last)s."),
        (
            "village=nowhere",
            "village",
            "Select a valid choice. %(value)s is not one of the available choices.",
        ),
    ],
)
def test_a_refused_value_is_said_next_to_its_field(
    client, village, query, field, message
):
    response = client.get(f"{URL}?{query}")

    html = response.content.decode()
    assert f'aria-describedby="id_{field}_error"' in html
    error = re.search(rf'<p [^>]*id="id_{field}_error"[^>]*>([^<]*)</p>', html)
    assert error
    assert error.group(1) == t(message) % {
        "value": "nowhere",
        "first": 1900,
        "last": 2200,
    }


def test_the_far_ends_of_the_range_still_answer(client):
    response = show(client, view="month", date="2200-12-31")

    assert response.context["period"].first == date(2200, 12, 1)
    follow = client.get(URL + response.context["links"]["next"]["url"])
    assert follow.status_code == 200
    assert follow.context["period"].anchor == timezone.localdate()


# --- the limit ------------------------------------------------------------------


def test_more_entries_than_the_limit_shows_the_first_and_says_so(
    client, make_event, monkeypatch
):
    monkeypatch.setattr(calendar_view, "LIMIT", 3)
    monday = date(NEXT_YEAR, 4, 12) - timedelta(days=date(NEXT_YEAR, 4, 12).weekday())
    make_event(
        starts_at=local(monday, 9),
        ends_at=local(monday, 10),
        rrule="FREQ=DAILY;COUNT=6",
    )

    response = show(client, view="week", date=monday.isoformat())

    page = response.context["page"]
    assert page.truncated
    assert page.entry_count == 3
    html = response.content.decode()
    more = (
        "There are more than %(count)s entries in this period: the first "
        "%(count)s are shown. Choose a village, an association or another "
        "filter, or a shorter view, to see the rest."
    )
    assert t(more) % {"count": 3} in html
    # Days past the cut say entries may be missing, not "Nothing planned".
    cut = "Not everything is shown from here on: more than %(count)s entries. "
    assert html.count(t(cut + "Narrow the filters.") % {"count": 3}) == 5
    assert html.count(t("Nothing planned")) == 0


def test_exactly_the_limit_is_not_cut(client, make_event, monkeypatch):
    monkeypatch.setattr(calendar_view, "LIMIT", 3)
    monday = date(NEXT_YEAR, 4, 12) - timedelta(days=date(NEXT_YEAR, 4, 12).weekday())
    make_event(
        starts_at=local(monday, 9),
        ends_at=local(monday, 10),
        rrule="FREQ=DAILY;COUNT=3",
    )

    response = show(client, view="week", date=monday.isoformat())

    assert not response.context["page"].truncated
    more = (
        "There are more than %(count)s entries in this period: the first "
        "%(count)s are shown. Choose a village, an association or another "
        "filter, or a shorter view, to see the rest."
    )
    assert t(more) % {"count": 3} not in response.content.decode()


# --- links ----------------------------------------------------------------------


def test_the_site_navigation_links_to_the_calendar(client):
    html = show(client).content.decode()

    assert f'<a href="{URL}" aria-current="page">{t("Calendar")}</a>' in html


def test_an_organiser_gets_a_link_to_create_an_event_for_their_community(
    client, club, organiser
):
    client.force_login(organiser)

    html = show(client).content.decode()

    assert reverse("agenda:event_create", kwargs={"community": club.slug}) in html
    assert t("New event for %(name)s") % {"name": "Skovby IF"} in html
    assert reverse("agenda:feeds") in html


def test_a_member_gets_no_link_to_create_events(client, resident):
    client.force_login(resident)

    new_event_for = t("New event for %(name)s").split("%(name)s")[0]
    assert new_event_for not in show(client).content.decode()


# --- queries --------------------------------------------------------------------


def _fill_month(organiser, club, hall, first: date, occurrences: int, bookings: int):
    half = occurrences // 2
    create(
        organiser,
        club,
        title="Formiddag",
        starts_at=local(first, 10),
        ends_at=local(first, 11),
        rrule=f"FREQ=DAILY;COUNT={occurrences - half}",
        facility=hall,
    )
    if half:
        create(
            organiser,
            club,
            title="Aften",
            starts_at=local(first, 19),
            ends_at=local(first, 20),
            rrule=f"FREQ=DAILY;COUNT={half}",
            is_public=False,
            category="sport",
            audience="youth",
        )
    booking_request(
        actor=organiser,
        facility=hall,
        community=club,
        title="Udlejning",
        starts_at=local(first, 13),
        ends_at=local(first, 14),
        rrule=f"FREQ=DAILY;COUNT={bookings}",
    )


MONTH = date(NEXT_YEAR, 3, 1)
# Occurrences, bookings, the communities and the facilities of the filters.
VISITOR_QUERIES = 4
# Those, and the signed-in person (their user, their own and their groups'
# permissions: are they municipal staff?), the communities they organise (the
# "new event" links), and the header's unseen alerts, unread notifications and
# page permissions.
MEMBER_QUERIES = 11


@pytest.mark.parametrize(("occurrences", "bookings"), [(5, 1), (50, 10)])
def test_a_month_costs_the_same_queries_for_a_visitor_however_full(
    client, organiser, club, hall, occurrences, bookings, django_assert_num_queries
):
    _fill_month(organiser, club, hall, MONTH, occurrences, bookings)

    with django_assert_num_queries(VISITOR_QUERIES):
        response = client.get(URL, {"view": "month", "date": MONTH.isoformat()})

    assert (
        response.context["page"].entry_count
        == occurrences - occurrences // 2 + bookings
    )


@pytest.mark.parametrize(("occurrences", "bookings"), [(5, 1), (50, 10)])
def test_a_month_costs_the_same_queries_for_a_member_however_full(
    client,
    organiser,
    club,
    resident,
    hall,
    occurrences,
    bookings,
    django_assert_num_queries,
):
    _fill_month(organiser, club, hall, MONTH, occurrences, bookings)
    client.force_login(resident)

    with django_assert_num_queries(MEMBER_QUERIES + session_queries()):
        response = client.get(URL, {"view": "month", "date": MONTH.isoformat()})

    assert response.context["page"].entry_count == occurrences + bookings


def test_filters_cost_no_more_queries(
    client, organiser, club, hall, village, django_assert_num_queries
):
    _fill_month(organiser, club, hall, MONTH, 10, 2)

    with django_assert_num_queries(VISITOR_QUERIES):
        client.get(
            URL,
            {
                "view": "month",
                "date": MONTH.isoformat(),
                "village": "skovby",
                "facility": "forsamlingshuset",
            },
        )
