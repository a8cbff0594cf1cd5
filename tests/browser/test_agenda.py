"""The calendar in a real browser: an organiser of an association creates a
weekly series, a resident signs up to its first date, the organiser sees them
on the attendee list, the series is in the municipal calendar (week and month)
and in the feeds: the resident's own, with the date they answered, and the
portal's, whose rule expands to exactly the dates the calendar shows.

Each page on the way is saved as a full-page screenshot in var/screenshots/
(agenda-<page>-<width>.png), and must fit 320 pixels without sideways scrolling
and pass axe at 1280 and at 320."""

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import icalendar
import pytest
import recurring_ical_events
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from agenda import recurrence
from agenda.models import Event, Signup
from communities.models import Community
from tests.browser.conftest import axe_violations, signed_in_page
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import da
from tests.htmlcheck import record_html

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, 320)
TITLE = "Fodboldtræning for U12"
PLACES = 10


def _path(pattern: str) -> re.Pattern:
    return re.compile(rf"^https?://[^/]+{pattern}$")


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=recurrence.zone())


@pytest.fixture
def club(transactional_db):
    """Skovby IF: Mette organises it, Karen is a member. The series starts on
    Tuesday next week and runs Tuesdays and Thursdays for three weeks."""
    skovby_if = CommunityFactory(
        name="Skovby IF", slug="skovby-if-agenda", kind=Community.Kind.ASSOCIATION
    )
    mette = organiser_of(skovby_if)
    mette.display_name = "Mette"
    mette.save(update_fields=["display_name"])
    karen = member_of(skovby_if, user__display_name="Karen")
    today = timezone.localdate()
    first = today + timedelta(days=7 - today.weekday() + 1)  # Tuesday next week
    return {
        "community": skovby_if,
        "organiser": mette,
        "resident": karen,
        "first": first,
        "until": first + timedelta(days=16),  # the Thursday two weeks on
    }


def _look_at(page, name: str) -> list[str]:
    """Save the page's screenshots at each width and say what is wrong with it
    there: sideways scrolling, axe's serious and critical violations. Its HTML
    goes to the end-of-session HTML check too (a page reached by a click is not
    kept by itself)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    record_html(page.url, page.content())
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=SCREENSHOTS / f"agenda-{name}-{width}.png", full_page=True)
        fits = page.evaluate(
            "() => document.documentElement.scrollWidth"
            " <= document.documentElement.clientWidth"
        )
        if not fits:
            problems.append(f"{name} at {width}: scrolls sideways")
        problems += [
            f"{name} at {width}: axe {violation['id']} {violation['nodes']}"
            for violation in axe_violations(page)
        ]
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    return problems


def _organiser_creates(page, club) -> tuple[Event, list[str]]:
    first, until = club["first"], club["until"]
    page.goto(reverse("agenda:event_create", args=[club["community"].slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text(da("New event"))

    page.get_by_label(da("Title"), exact=True).fill(TITLE)
    page.get_by_label(da("Date"), exact=True).fill(first.isoformat())
    page.get_by_label(da("Starts"), exact=True).fill("17:00")
    page.get_by_label(da("Ends"), exact=True).fill("18:30")
    page.get_by_role(
        "radio", name=da("Every week, on the weekdays ticked below")
    ).check()
    page.get_by_role("checkbox", name=da("Tuesday"), exact=True).check()
    page.get_by_role("checkbox", name=da("Thursday"), exact=True).check()
    page.get_by_role("radio", name=da("On a date"), exact=True).check()
    page.get_by_label(da("Last date"), exact=True).fill(until.isoformat())
    page.get_by_label(da("Place"), exact=True).fill("Skovby Stadion")
    page.get_by_label(da("Places"), exact=True).fill(str(PLACES))
    problems = _look_at(page, "create")

    create = page.get_by_role("button", name=da("Create the event"))
    with page.expect_navigation():
        create.click()
    anyway = page.get_by_role("checkbox", name=da("Create anyway"))
    if anyway.count():
        # A clash warning: read, and created anyway.
        expect(
            page.get_by_role("heading", name=da("Check before saving"))
        ).to_be_visible()
        anyway.check()
        with page.expect_navigation():
            create.click()

    event = Event.objects.get(title=TITLE)
    expect(page).to_have_url(_path(event.get_absolute_url()))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".messages [role=status]")).to_have_text(
        da("The series is in the calendar.")
    )
    assert event.community == club["community"]
    assert event.capacity == PLACES
    assert event.occurrences.count() == 6
    problems += _look_at(page, "event-organiser")
    return event, problems


def _places_left(left: int) -> str:
    return da(
        "%(left)s of %(capacity)s place left",
        "%(left)s of %(capacity)s places left",
        PLACES,
        left=left,
        capacity=PLACES,
    )


def _resident_signs_up(page, event) -> list[str]:
    occurrence = event.occurrences.order_by("starts_at").first()
    page.goto(occurrence.get_absolute_url())
    signup = page.get_by_role("region", name=da("Sign-up"))
    expect(signup.locator(".event-places")).to_have_text(_places_left(PLACES))

    signup.get_by_role("radio", name=da("Going"), exact=True).check()
    signup.get_by_label(da("Guests"), exact=True).fill("1")
    signup.get_by_role("button", name=da("Answer"), exact=True).click()

    expect(page).to_have_url(_path(occurrence.get_absolute_url()))
    expect(page.locator(".messages [role=status]")).to_have_text(
        da(
            "You are going, with %(count)s guest. See you there!",
            "You are going, with %(count)s guests. See you there!",
            1,
            count=1,
        )
    )
    expect(signup.locator(".event-places")).to_have_text(_places_left(PLACES - 2))
    expect(signup.locator(".event-mine")).to_contain_text(da("You are going."))
    answer = Signup.objects.get(occurrence=occurrence)
    assert (answer.response, answer.guests, answer.waiting) == ("going", 1, False)
    return _look_at(page, "event")


def _organiser_sees_attendees(page, event, resident) -> list[str]:
    occurrence = event.occurrences.order_by("starts_at").first()
    page.goto(occurrence.get_absolute_url())
    tools = page.get_by_role("region", name=da("For the organisers"))
    expect(tools).to_be_visible()
    tools.get_by_role("link", name=da("Who answered"), exact=True).click()

    expect(page).to_have_url(
        _path(reverse("agenda:attendees", args=[event.pk, occurrence.pk]))
    )
    row = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=resident.public_name)
    )
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell").nth(0)).to_have_text(da("Going"))
    expect(row.get_by_role("cell").nth(1)).to_have_text("1")
    return _look_at(page, "attendees")


def _shown_starts(page) -> list[datetime]:
    """The starts of the calendar's entries of the series, as the page says
    them (each entry's first <time datetime>)."""
    entries = page.locator(".cal-entry.is-event").filter(
        has=page.get_by_role("link", name=TITLE, exact=True)
    )
    expect(entries.first).to_be_visible()
    values = entries.evaluate_all(
        "items => items.map(li => li.querySelector('.cal-time time')"
        ".getAttribute('datetime'))"
    )
    return [datetime.fromisoformat(value) for value in values]


def _calendar(page, club) -> tuple[dict[str, list[datetime]], list[str]]:
    first = club["first"]
    url = reverse("agenda:calendar")
    page.goto(f"{url}?view=week&date={first.isoformat()}")
    week = _shown_starts(page)
    thursday = first + timedelta(days=2)
    assert week == [_at(first, time(17)), _at(thursday, time(17))]
    for day in (first, thursday):
        on_day = page.locator(".cal-day").filter(
            has=page.locator(f"#d-{day.isoformat()}")
        )
        expect(on_day.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    problems = _look_at(page, "calendar-week")

    page.get_by_role("link", name=da("Month"), exact=True).click()
    expect(page).to_have_url(re.compile(r"view=month"))
    month = _shown_starts(page)
    stored = Event.objects.get(title=TITLE).occurrences.order_by("starts_at")
    assert month == [
        o.starts_at
        for o in stored
        if recurrence.local(o.starts_at).month == first.month
    ]
    problems += _look_at(page, "calendar-month")
    return {"week": week, "month": month}, problems


def _feed_address(page, *, create: str, label: str) -> str:
    """Make a feed address on the feeds page with the button ``create``; the
    address the page then shows under ``label``."""
    page.goto(reverse("agenda:feeds"))
    page.get_by_role("button", name=create).click()
    expect(page).to_have_url(_path(reverse("agenda:feeds") + r"#feed-\d+"))
    address = page.get_by_label(label, exact=True)
    expect(address).to_have_value(re.compile(r"^https?://.+/calendar/feeds/.+\.ics$"))
    return address.input_value()


def _fetch(page, address: str) -> icalendar.Calendar:
    response = page.request.get(address)
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.body())


def _between(cal: icalendar.Calendar, first: date, last: date) -> list[datetime]:
    """The starts the feed's events expand to, from ``first`` up to and with
    ``last``, as a calendar app works them out."""
    found = recurring_ical_events.of(cal).between(
        _at(first, time(0)), _at(last + timedelta(days=1), time(0))
    )
    return sorted(
        component.decoded("dtstart")
        for component in found
        if str(component.get("summary")) == TITLE
    )


def _feeds(resident, organiser, club, event, shown) -> list[str]:
    first = club["first"]
    # The resident's own calendar: the one date they are going to.
    address = _feed_address(
        resident,
        create=da("Create my feed address"),
        label=da("Your feed address"),
    )
    problems = _look_at(resident, "feeds")
    own = _fetch(resident, address)
    dates = [c for c in own.walk("VEVENT") if str(c.get("summary")) == TITLE]
    assert len(dates) == 1
    assert dates[0].decoded("dtstart") == shown["week"][0]
    assert str(dates[0].get("status")) == "CONFIRMED"
    assert "RRULE" not in dates[0]

    # The portal's calendar, for its organiser: the series as one rule.
    name = club["community"].name
    address = _feed_address(
        organiser,
        create=f"{da('Create the feed address')} ({name})",
        label=da("Feed address of %(name)s", name=name),
    )
    portal = _fetch(organiser, address)
    masters = [
        c
        for c in portal.walk("VEVENT")
        if str(c.get("summary")) == TITLE and "RRULE" in c
    ]
    assert len(masters) == 1
    rule = masters[0]["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert sorted(rule["BYDAY"]) == ["TH", "TU"]
    assert str(masters[0]["UID"]).startswith(str(event.uid))
    week_first = first - timedelta(days=first.weekday())
    assert _between(portal, week_first, week_first + timedelta(days=6)) == shown["week"]
    month_first = first.replace(day=1)
    next_month = (month_first + timedelta(days=32)).replace(day=1)
    assert (
        _between(portal, month_first, next_month - timedelta(days=1)) == shown["month"]
    )
    # And the whole series is the six dates the site stores.
    assert _between(portal, first, club["until"]) == [
        o.starts_at for o in event.occurrences.order_by("starts_at")
    ]
    return problems


def test_a_weekly_series_is_signed_up_to_and_shown_in_the_calendar_and_feeds(
    new_page, live_daphne, club
):
    organiser = signed_in_page(new_page, live_daphne, club["organiser"])
    resident = signed_in_page(new_page, live_daphne, club["resident"])

    event, problems = _organiser_creates(organiser, club)
    problems += _resident_signs_up(resident, event)
    problems += _organiser_sees_attendees(organiser, event, club["resident"])
    shown, seen = _calendar(resident, club)
    problems += seen
    problems += _feeds(resident, organiser, club, event, shown)
    assert problems == []
