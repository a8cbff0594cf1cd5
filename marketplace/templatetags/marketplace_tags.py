import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django import template
from django.utils.dates import MONTHS, WEEKDAYS_ABBR

from hub import geo
from marketplace.selectors import unseen_alert_count

register = template.Library()


@register.filter
def distance(km: float | None) -> str:
    """A distance that was already rounded by hub.geo, in words."""
    return geo.distance_text(km)


@register.simple_tag(takes_context=True)
def unseen_alerts(context) -> int:
    """How many watch alerts the signed-in user has not looked at (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return unseen_alert_count(user) if user is not None else 0


@dataclass(frozen=True)
class CalendarDay:
    day: date | None  # None: a blank cell before the 1st or after the last
    state: str = ""  # "free", "booked", or "" outside the shown window


@register.simple_tag
def availability_months(
    free_ranges: list[tuple[date, date]], start: date, days: int = 60
) -> list[dict]:
    """Month grids (Monday first) of the ``days`` from ``start``, each day marked
    free or booked from ``free_ranges`` (as ``selectors.free_ranges`` gives)."""
    end = start + timedelta(days=days - 1)
    free = set()
    for first, last in free_ranges:
        free.update(first + timedelta(n) for n in range((last - first).days + 1))
    months, month = [], date(start.year, start.month, 1)
    weeks_of = calendar.Calendar(firstweekday=0).monthdatescalendar
    while month <= end:
        weeks = []
        for week in weeks_of(month.year, month.month):
            cells = []
            for day in week:
                if day.month != month.month:
                    cells.append(CalendarDay(None))
                elif start <= day <= end:
                    cells.append(CalendarDay(day, "free" if day in free else "booked"))
                else:
                    cells.append(CalendarDay(day))
            weeks.append(cells)
        months.append({"label": f"{MONTHS[month.month]} {month.year}", "weeks": weeks})
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


@register.simple_tag
def weekday_names() -> list[str]:
    """Short weekday names, Monday first, in the active language."""
    return [str(WEEKDAYS_ABBR[n]) for n in range(7)]
