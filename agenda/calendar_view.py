"""The municipal calendar page: which period it shows, its filters, and its
entries (event occurrences and public bookings) grouped by local day.

The view parses the request into a ``Period`` and a ``CalendarFilterForm``
(agenda.calendar_filters), then ``calendar_page()`` reads everything in a
fixed number of queries: one for the occurrences, one for the bookings,
whatever the period holds. At most ``LIMIT`` entries are shown; the page says
so when there are more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership
from communities.selectors import AnyUser

from . import recurrence
from .calendar_filters import CalendarFilterForm, FilterOptions, Filters
from .models import Booking, Occurrence
from .selectors import occurrences_between, public_bookings_between

__all__ = [
    "LIMIT",
    "CalendarFilterForm",
    "CalendarPage",
    "FilterOptions",
    "Filters",
    "Period",
    "calendar_page",
    "organised_communities",
    "page_links",
    "parse_view",
]

VIEWS = ("day", "week", "month")
DEFAULT_VIEW = "week"
# A month of a busy municipality holds thousands of dates: the page shows the
# first LIMIT entries and asks for narrower filters.
LIMIT = 500


# --- the period ---------------------------------------------------------------


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=recurrence.zone())


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The days one page shows: a day, a Monday-to-Sunday week or a month,
    around ``anchor`` (the date asked for)."""

    view: str
    anchor: date

    @property
    def first(self) -> date:
        if self.view == "day":
            return self.anchor
        if self.view == "week":
            return self.anchor - timedelta(days=self.anchor.weekday())
        return self.anchor.replace(day=1)

    @property
    def last(self) -> date:
        """The last day shown (inclusive)."""
        if self.view == "day":
            return self.anchor
        if self.view == "week":
            return self.first + timedelta(days=6)
        return _add_months(self.first, 1) - timedelta(days=1)

    @property
    def starts(self) -> datetime:
        """Local midnight at the start of the first day."""
        return _midnight(self.first)

    @property
    def ends(self) -> datetime:
        """Local midnight after the last day (23 or 25 hours on a day the clocks
        change)."""
        return _midnight(self.last + timedelta(days=1))

    @property
    def days(self) -> list[date]:
        count = (self.last - self.first).days + 1
        return [self.first + timedelta(days=n) for n in range(count)]

    def step(self, direction: int) -> date:
        """The anchor of the period before (-1) or after (1) this one."""
        if self.view == "month":
            return _add_months(self.first, direction)
        return self.anchor + timedelta(
            days=direction * (7 if self.view == "week" else 1)
        )

    @property
    def label(self) -> str:
        """The period as a heading says it, in the active language."""
        first, last = self.first, self.last
        if self.view == "day":
            return f"{date_format(first, 'l')} {date_format(first, 'DATE_FORMAT')}"
        if self.view == "month":
            return date_format(first, "YEAR_MONTH_FORMAT")
        start = date_format(first, "MONTH_DAY_FORMAT")
        if first.year != last.year:
            start = date_format(first, "DATE_FORMAT")
        return _("Week %(number)s: %(first)s – %(last)s") % {  # noqa: RUF001
            "number": first.isocalendar().week,
            "first": start,
            "last": date_format(last, "DATE_FORMAT"),
        }

    @property
    def step_labels(self) -> tuple[str, str]:
        if self.view == "day":
            return _("Previous day"), _("Next day")
        if self.view == "week":
            return _("Previous week"), _("Next week")
        return _("Previous month"), _("Next month")


def parse_view(value: object) -> str:
    return value if value in VIEWS else DEFAULT_VIEW


# --- the entries --------------------------------------------------------------


@dataclass
class Entry:
    """One line of the calendar: an event's occurrence or a booking, with its
    times in local time."""

    starts_at: datetime
    ends_at: datetime
    occurrence: Occurrence | None = None
    booking: Booking | None = None
    # A booking's community, when the viewer may see who it is.
    booked_by: Community | None = None

    @property
    def sort_key(self) -> tuple:
        item = self.occurrence or self.booking
        return (self.starts_at, 0 if self.occurrence else 1, item.pk)

    @property
    def spans_days(self) -> bool:
        return self.starts_at.date() != self.last_day

    @property
    def last_day(self) -> date:
        return (self.ends_at - timedelta(microseconds=1)).date()

    @property
    def starts_iso(self) -> str:
        return self.starts_at.isoformat(timespec="seconds")

    @property
    def ends_iso(self) -> str:
        return self.ends_at.isoformat(timespec="seconds")

    @property
    def moved_from(self) -> datetime | None:
        if self.occurrence is None or not self.occurrence.moved:
            return None
        return recurrence.local(self.occurrence.original_start)

    @property
    def moved_from_iso(self) -> str:
        moved = self.moved_from
        return moved.isoformat(timespec="seconds") if moved else ""


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)
    # Past the LIMIT's cut: entries of this day may be left out.
    cut: bool = False
    is_today: bool = False

    @property
    def anchor(self) -> str:
        return f"d-{self.day.isoformat()}"

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    @property
    def label(self) -> str:
        return (
            f"{date_format(self.day, 'l')} {date_format(self.day, 'MONTH_DAY_FORMAT')}"
        )


@dataclass
class CalendarPage:
    period: Period
    filters: Filters
    days: list[Day]
    truncated: bool
    entry_count: int

    @property
    def listed_days(self) -> list[Day]:
        """The days the list shows: every day of a day or week view (an empty one
        says so), only the days with entries of a month."""
        if self.period.view == "month":
            return [d for d in self.days if d.entries or d.cut]
        return self.days

    @property
    def month_grid(self) -> list[Day]:
        """The month's days for the compact grid (a month view's only)."""
        return self.days if self.period.view == "month" else []

    @property
    def weekday_names(self) -> list[str]:
        monday = self.period.first - timedelta(days=self.period.first.weekday())
        return [date_format(monday + timedelta(days=n), "D") for n in range(7)]


def _entries(
    viewer: AnyUser, period: Period, filters: Filters, visible: set[int]
) -> tuple[list[Entry], bool]:
    """The first LIMIT entries of the period, soonest first, and whether there
    were more. Two queries at most, whatever the period holds."""
    occurrences = occurrences_between(viewer, period.starts, period.ends).filter(
        filters.occurrences_q()
    )
    entries = [
        Entry(recurrence.local(o.starts_at), recurrence.local(o.ends_at), occurrence=o)
        for o in occurrences[: LIMIT + 1]
    ]
    bookings_q = filters.bookings_q()
    if bookings_q is not None:
        bookings = public_bookings_between(period.starts, period.ends).filter(
            bookings_q
        )
        entries += [
            Entry(
                recurrence.local(b.starts_at),
                recurrence.local(b.ends_at),
                booking=b,
                booked_by=b.community if b.community_id in visible else None,
            )
            for b in bookings[: LIMIT + 1]
        ]
    entries.sort(key=lambda e: e.sort_key)
    return entries[:LIMIT], len(entries) > LIMIT


def _group(period: Period, entries: Iterable[Entry], truncated: bool) -> list[Day]:
    days = {d: Day(d) for d in period.days}
    last_start = None
    for entry in entries:
        last_start = entry.starts_at.date()
        day = max(entry.starts_at.date(), period.first)
        while day <= min(entry.last_day, period.last):
            days[day].entries.append(entry)
            day += timedelta(days=1)
    today = timezone.localdate()
    for day in days.values():
        day.is_today = day.day == today
        day.cut = truncated and last_start is not None and day.day >= last_start
    return list(days.values())


def calendar_page(
    *, viewer: AnyUser, period: Period, filters: Filters, options: FilterOptions
) -> CalendarPage:
    """Every occurrence and public booking of ``period`` that ``viewer`` may see
    and ``filters`` let through, grouped by local day."""
    entries, truncated = _entries(viewer, period, filters, options.community_ids)
    return CalendarPage(
        period=period,
        filters=filters,
        days=_group(period, entries, truncated),
        truncated=truncated,
        entry_count=len(entries),
    )


def organised_communities(viewer: AnyUser) -> list[Community]:
    """The communities ``viewer`` organises, for the page's "new event" links;
    one query for a signed-in person, none for a visitor."""
    if not viewer.is_authenticated:
        return []
    return list(
        Community.objects.filter(
            memberships__user=viewer,
            memberships__state=Membership.State.ACTIVE,
            memberships__role=Membership.Role.ORGANISER,
        )
        .only("pk", "name", "slug")
        .order_by("name")
    )


def page_links(period: Period, filters: Filters, today: date) -> dict:
    """The page's navigation, each link keeping the filters."""

    def link(view: str, day: date) -> str:
        return "?" + urlencode(
            {"view": view, "date": day.isoformat(), **filters.query()}
        )

    previous_label, next_label = period.step_labels
    return {
        "views": [
            {
                "name": name,
                "label": label,
                "url": link(name, period.anchor),
                "current": name == period.view,
            }
            for name, label in (
                ("day", _("Day")),
                ("week", _("Week")),
                ("month", _("Month")),
            )
        ],
        "previous": {
            "url": link(period.view, period.step(-1)),
            "label": previous_label,
        },
        "next": {"url": link(period.view, period.step(1)), "label": next_label},
        "today": link(period.view, today),
    }
