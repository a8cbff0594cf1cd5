"""RFC 5545 recurrence rules: checked, bounded, and expanded in the
municipality's time zone.

A rule is stored as an RRULE value ("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=...Z"). It is
expanded from the event's first start in local time (settings.TIME_ZONE), so a
training at 17:00 stays at 17:00 when summer time begins or ends; each
occurrence is then stored in UTC. UNTIL is written in UTC, as RFC 5545 asks
when DTSTART carries a time zone, and calendar apps read it the same way.
"""

import calendar
import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .errors import AgendaError

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The parts of RFC 5545's RRULE that people write; BYHOUR and finer are refused
# (an event repeats on days, not within one).
PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYWEEKNO",
    "BYYEARDAY",
    "WKST",
}
_PART = re.compile(r"^[A-Z]+=[A-Z0-9,+\-]+$")
# The list parts that hold numbers: the largest value each may have (its
# negative counts from the end; BYMONTH has none).
_NUMBERS = {
    "BYMONTH": 12,
    "BYMONTHDAY": 31,
    "BYYEARDAY": 366,
    "BYWEEKNO": 53,
    "BYSETPOS": 366,
}
_WEEKDAY = re.compile(r"^([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
# The most days each month can have (February in a leap year).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local(moment: datetime) -> datetime:
    return moment.astimezone(zone())


def _limits() -> tuple[int, int]:
    conf = settings.NABOLAG_AGENDA
    return conf["MAX_OCCURRENCES"], conf["MAX_SERIES_DAYS"]


def normalise(text: str) -> str:
    """The rule in one canonical spelling: upper case, no "RRULE:" prefix, its
    parts in a stable order. Raises AgendaError on anything malformed."""
    value = (text or "").strip().upper()
    if value.startswith("RRULE:"):
        value = value[len("RRULE:") :]
    if not value:
        return ""
    parts: dict[str, str] = {}
    for part in value.split(";"):
        if not part:
            continue
        if not _PART.match(part):
            raise AgendaError(_("The repetition rule is not valid."), field="rrule")
        name, _sep, item = part.partition("=")
        if name not in PARTS or name in parts:
            raise AgendaError(
                _("The repetition rule cannot use %(part)s.") % {"part": name},
                field="rrule",
            )
        parts[name] = item
    if parts.get("FREQ") not in FREQUENCIES:
        raise AgendaError(
            _("The repetition must be daily, weekly, monthly or yearly."), field="rrule"
        )
    for name in ("INTERVAL", "COUNT"):
        if name in parts and not (parts[name].isdigit() and int(parts[name]) >= 1):
            # INTERVAL=0 would repeat the first date for ever.
            raise AgendaError(_("The repetition rule is not valid."), field="rrule")
    if "COUNT" in parts and "UNTIL" in parts:
        raise AgendaError(
            _("A repetition ends after a number of times or on a date, not both."),
            field="rrule",
        )
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise AgendaError(
            _("A repetition must end: give a last date or a number of times."),
            field="rrule",
        )
    _check_values(parts)
    order = [
        "FREQ",
        "INTERVAL",
        "BYMONTH",
        "BYWEEKNO",
        "BYYEARDAY",
        "BYMONTHDAY",
        "BYDAY",
        "BYSETPOS",
        "WKST",
        "COUNT",
        "UNTIL",
    ]
    return ";".join(f"{name}={parts[name]}" for name in order if name in parts)


def _invalid() -> AgendaError:
    return AgendaError(_("The repetition rule is not valid."), field="rrule")


def _numbers(parts: dict[str, str], name: str) -> list[int]:
    """The values of the list part ``name``, each checked against its range."""
    most = _NUMBERS[name]
    values = []
    items = parts[name].split(",") if name in parts else []
    for item in items:
        try:
            number = int(item)
        except ValueError:
            raise _invalid() from None
        if not 1 <= abs(number) <= most or (number < 0 and name == "BYMONTH"):
            raise _invalid()
        values.append(number)
    return values


def _weekdays(parts: dict[str, str]) -> list[tuple[int, int]]:
    """BYDAY as (weekday, position) pairs; position 0 for every such weekday."""
    pairs = []
    items = parts["BYDAY"].split(",") if "BYDAY" in parts else []
    for item in items:
        found = _WEEKDAY.match(item)
        if found is None or (found[1] is not None and int(found[1]) == 0):
            raise _invalid()
        pairs.append((WEEKDAYS.index(found[2]), int(found[1] or 0)))
    return pairs


def _check_values(parts: dict[str, str]) -> None:
    """Refuse values out of range, and rules no calendar has a date for, which
    dateutil would search for until the year 9999 before giving up."""
    numbers = {name: _numbers(parts, name) for name in _NUMBERS}
    if parts.get("WKST", "MO") not in WEEKDAYS:
        raise _invalid()
    if "BYWEEKNO" in parts and parts["FREQ"] != "YEARLY":
        # As RFC 5545 says; dateutil reads it in its own way across a new year.
        raise AgendaError(
            _("The repetition rule can use BYWEEKNO only with FREQ=YEARLY."),
            field="rrule",
        )
    pairs = _weekdays(parts)
    by_month = parts["FREQ"] == "MONTHLY" or "BYMONTH" in parts
    if any(abs(n) > (5 if by_month else 53) for _day, n in pairs):
        raise _invalid()  # no month has a sixth Monday, no year a 54th
    if parts["FREQ"] in ("MONTHLY", "YEARLY") and len({n == 0 for _d, n in pairs}) > 1:
        # dateutil would give only the dates that are both (none at all).
        raise AgendaError(
            _(
                "The repetition rule cannot mix weekdays with a position (such "
                "as 1MO) and without one (such as TU)."
            ),
            field="rrule",
        )
    months = numbers["BYMONTH"] or range(1, 13)
    longest = max(_MONTH_DAYS[month - 1] for month in months)
    missing = [day for day in numbers["BYMONTHDAY"] if abs(day) > longest]
    if missing:
        raise AgendaError(
            ngettext(
                "The repetition rule asks for day %(days)s of the month, which "
                "none of its months has.",
                "The repetition rule asks for days %(days)s of the month, which "
                "none of its months has.",
                len(missing),
            )
            % {"days": ", ".join(map(str, missing))},
            field="rrule",
        )


@dataclass(frozen=True)
class _Days:
    """Which days of the calendar a rule may give, read as dateutil reads it
    from its first date: its defaults (the first date's day, weekday or
    month), every part limiting the others, its periods and interval."""

    freq: str
    interval: int
    week_start: date  # of the first date's week, by WKST
    months: frozenset[int]
    monthdays: frozenset[int]
    yeardays: frozenset[int]
    weeknos: frozenset[int]
    weekdays: frozenset[int]
    nth: frozenset[tuple[int, int]]
    setpos: tuple[int, ...]
    wkst: int

    @classmethod
    def of(cls, value: str, first: date) -> "_Days":
        parts = dict(part.split("=", 1) for part in value.split(";"))
        numbers = {name: frozenset(_numbers(parts, name)) for name in _NUMBERS}
        pairs = _weekdays(parts)
        freq, wkst = parts["FREQ"], WEEKDAYS.index(parts.get("WKST", "MO"))
        # Positions count within a month or year; dateutil drops them otherwise.
        counted = freq in ("MONTHLY", "YEARLY")
        weekdays = frozenset(d for d, n in pairs if not (n and counted))
        months, monthdays = numbers["BYMONTH"], numbers["BYMONTHDAY"]
        if not (pairs or monthdays or numbers["BYYEARDAY"] or numbers["BYWEEKNO"]):
            if freq == "YEARLY":
                months = months or frozenset({first.month})
            if freq in ("YEARLY", "MONTHLY"):
                monthdays = frozenset({first.day})
            elif freq == "WEEKLY":
                weekdays = frozenset({first.weekday()})
        return cls(
            freq=freq,
            interval=int(parts.get("INTERVAL", "1")),
            week_start=first - timedelta(days=(first.weekday() - wkst) % 7),
            months=months,
            monthdays=monthdays,
            yeardays=numbers["BYYEARDAY"],
            weeknos=numbers["BYWEEKNO"],
            weekdays=weekdays,
            nth=frozenset(p for p in pairs if p[1] and counted),
            setpos=tuple(sorted(numbers["BYSETPOS"])),
            wkst=wkst,
        )

    def period(self, day: date, first: date) -> int:
        """The number of the period (day, week, month, year) ``day`` is in."""
        if self.freq == "DAILY":
            return (day - first).days
        if self.freq == "WEEKLY":
            return (day - self.week_start).days // 7
        if self.freq == "MONTHLY":
            return (day.year - first.year) * 12 + day.month - first.month
        return day.year - first.year

    def matches(self, day: date) -> bool:
        month_length = calendar.monthrange(day.year, day.month)[1]
        year_length = 365 + calendar.isleap(day.year)
        year_day = day.timetuple().tm_yday
        return (
            (not self.months or day.month in self.months)
            and (not self.weekdays or day.weekday() in self.weekdays)
            and _in(self.monthdays, day.day, month_length)
            and _in(self.yeardays, year_day, year_length)
            and (not self.weeknos or bool(self.weeknos & _week_numbers(day, self.wkst)))
            and (not self.nth or self._nth(day, month_length, year_day, year_length))
        )

    def _nth(self, day: date, month_length: int, year_day: int, year_length: int):
        if self.freq == "MONTHLY" or self.months:
            at, length = day.day, month_length
        else:
            at, length = year_day, year_length
        return any(
            (day.weekday(), n) in self.nth
            for n in ((at - 1) // 7 + 1, -((length - at) // 7 + 1))
        )


def _in(values: frozenset[int], at: int, length: int) -> bool:
    """Whether day ``at`` of ``length`` is one of ``values`` (-1 the last)."""
    return not values or at in values or at - length - 1 in values


def _week_one(year: int, wkst: int) -> date:
    """The first day of week 1 of ``year``: the week holding 4 January."""
    fourth = date(year, 1, 4)
    return fourth - timedelta(days=(fourth.weekday() - wkst) % 7)


def _week_numbers(day: date, wkst: int) -> frozenset[int]:
    """The numbers of the week ``day`` is in, counted from the start and from
    the end of the year the week belongs to (as dateutil counts: a last week
    of December that is next year's first is only week 1)."""
    if _week_one(day.year + 1, wkst) <= day:
        return frozenset({1})
    year = day.year if _week_one(day.year, wkst) <= day else day.year - 1
    start = _week_one(year, wkst)
    weeks = (_week_one(year + 1, wkst) - start).days // 7
    number = (day - start).days // 7 + 1
    return frozenset({number, number - weeks - 1})


def _gives_a_date(value: str, first: date, last: date) -> bool:
    """Whether the rule ``value`` from ``first`` gives a day up to ``last``,
    found by walking the days in between (a few hundred). dateutil itself
    searches until the year 9999 for a rule that gives none at all."""
    days = _Days.of(value, first)
    if days.freq in ("DAILY", "WEEKLY"):
        day = first
    else:
        day = first.replace(month=1 if days.freq == "YEARLY" else first.month, day=1)
    # BYSETPOS chooses among a period's days: walk to the end of the last one.
    end = last + timedelta(days=366 if days.setpos else 0)
    period, chosen = None, []
    while day <= end:
        number = days.period(day, first)
        if number != period:
            if any(first <= d <= last for d in _positions(chosen, days.setpos)):
                return True
            period, chosen = number, []
        if number % days.interval == 0 and days.matches(day):
            if not days.setpos and first <= day <= last:
                return True
            chosen.append(day)
        day += timedelta(days=1)
    return False


def _positions(chosen: list[date], setpos: tuple[int, ...]) -> list[date]:
    return [chosen[p - 1 if p > 0 else p] for p in setpos if abs(p) <= len(chosen)]


# What dateutil raises on a rule it cannot read or expand (BYDAY=9MO is an
# IndexError deep inside it).
_BROKEN = (ValueError, TypeError, OverflowError, IndexError, KeyError)


def _rule(starts_at: datetime, value: str) -> du.rrule:
    first = local(starts_at)
    try:
        rule = du.rrulestr(value, dtstart=first)
    except _BROKEN:
        raise AgendaError(
            _("The repetition rule is not valid."), field="rrule"
        ) from None
    return rule


def expand(starts_at: datetime, value: str) -> list[datetime]:
    """Every start of the series, in local time (aware), first one included.

    An event that happens once gives one start. Raises AgendaError when the rule
    is invalid, gives no date, or runs past the limits."""
    if not value:
        return [local(starts_at)]
    value = normalise(value)
    rule = _rule(starts_at, value)
    most, days = _limits()
    first = local(starts_at)
    horizon = first + timedelta(days=days)
    # Checked first: dateutil would search until the year 9999 for a date.
    if not _gives_a_date(value, first.date(), horizon.date()):
        raise AgendaError(
            _("The repetition rule gives no date within %(years)s years.")
            % {"years": days // 365},
            field="rrule",
        )
    starts: list[datetime] = []
    try:
        for moment in rule:
            if moment > horizon or len(starts) >= most:
                raise AgendaError(
                    _(
                        "A series may have at most %(count)s dates within "
                        "%(years)s years. End it sooner."
                    )
                    % {"count": most, "years": days // 365},
                    field="rrule",
                )
            starts.append(moment)
    except _BROKEN:
        raise AgendaError(
            _("The repetition rule is not valid."), field="rrule"
        ) from None
    if not starts:
        raise AgendaError(
            _("The repetition rule gives no date from the first one on."), field="rrule"
        )
    if len(starts) > 1 and _exists(starts[0]) != starts[0]:
        # The series would start an hour later than the time it repeats, and
        # DTSTART (its first date) would carry that hour to every date.
        raise AgendaError(
            _(
                "The first date, %(day)s, falls in the hour skipped when summer "
                "time begins. Choose another time or start the series later."
            )
            % {"day": starts[0].strftime("%d.%m.%Y %H:%M")},
            field="starts_at",
        )
    # A wall-clock time that does not exist on a later day (02:30 when summer
    # time begins) is read as the same moment one hour on, as calendar apps do.
    return [_exists(moment) for moment in starts]


def _exists(moment: datetime) -> datetime:
    there = moment.astimezone(ZoneInfo("UTC")).astimezone(moment.tzinfo)
    return there


def until_utc(day: date) -> str:
    """The UNTIL value for a series whose last date is ``day`` (local): the end
    of that day, in UTC."""
    end = datetime.combine(day, time(23, 59, 59), tzinfo=zone())
    return end.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def with_until(value: str, moment: datetime) -> str:
    """The rule cut to end just before ``moment`` (for "this and following")."""
    parts = dict(part.split("=", 1) for part in normalise(value).split(";"))
    parts.pop("COUNT", None)
    parts["UNTIL"] = (
        (moment - timedelta(seconds=1))
        .astimezone(ZoneInfo("UTC"))
        .strftime("%Y%m%dT%H%M%SZ")
    )
    return normalise(";".join(f"{k}={v}" for k, v in parts.items()))


def with_count(value: str, count: int) -> str:
    parts = dict(part.split("=", 1) for part in normalise(value).split(";"))
    parts.pop("UNTIL", None)
    parts["COUNT"] = str(count)
    return normalise(";".join(f"{k}={v}" for k, v in parts.items()))


@dataclass(frozen=True)
class Simple:
    """The rule as the event form offers it: how often, on which days, until."""

    freq: str  # "" (once), DAILY, WEEKLY, MONTHLY
    interval: int = 1
    weekdays: tuple[str, ...] = ()
    # MONTHLY by weekday position: 1 (first) to 4, or -1 (last); 0 by date.
    position: int = 0
    until: date | None = None
    count: int | None = None

    def to_rule(self, starts_at: datetime) -> str:
        if not self.freq:
            return ""
        parts = [f"FREQ={self.freq}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.freq == "WEEKLY" and self.weekdays:
            parts.append("BYDAY=" + ",".join(d for d in WEEKDAYS if d in self.weekdays))
        if self.freq == "MONTHLY" and self.position:
            weekday = WEEKDAYS[local(starts_at).weekday()]
            parts.append(f"BYDAY={self.position}{weekday}")
        if self.count:
            parts.append(f"COUNT={self.count}")
        elif self.until:
            parts.append(f"UNTIL={until_utc(self.until)}")
        return normalise(";".join(parts))

    @classmethod
    def from_rule(cls, value: str, starts_at: datetime) -> "Simple | None":
        """The form's choices for a stored rule of a series starting at
        ``starts_at``, or None when the rule says more than they can (the form
        then shows the rule itself). ``to_rule`` of the result gives the same
        dates as ``value``."""
        if not value:
            return cls("")
        try:
            parts = dict(p.split("=", 1) for p in normalise(value).split(";"))
        except AgendaError:
            return None
        freq = parts.pop("FREQ")
        interval = int(parts.pop("INTERVAL", "1"))
        count = parts.pop("COUNT", None)
        until = parts.pop("UNTIL", None)
        byday = parts.pop("BYDAY", "")
        start = local(starts_at)
        own_day = WEEKDAYS[start.weekday()]
        if parts or freq not in ("DAILY", "WEEKLY", "MONTHLY"):
            return None
        weekdays: tuple[str, ...] = ()
        position = 0
        if freq == "WEEKLY":
            weekdays = tuple(byday.split(",")) if byday else (own_day,)
            if not set(weekdays) <= set(WEEKDAYS):
                return None
        elif freq == "MONTHLY" and byday:
            found = re.fullmatch(r"(\+?[1-4]|-1)([A-Z]{2})", byday)
            if found is None or found[2] != own_day:
                return None
            position = int(found[1])
        elif byday:
            return None
        last_day = None
        if until is not None:
            try:
                moment = datetime.strptime(until + "+0000", "%Y%m%dT%H%M%SZ%z")
            except ValueError:
                return None
            moment = local(moment)
            # The last date whose start is not after UNTIL (a series cut by
            # "this and following" ends a second before a start), shown as
            # the series' own last date where it has one.
            last_day = moment.date()
            if moment.time() < start.time():
                last_day -= timedelta(days=1)
            with contextlib.suppress(AgendaError):
                last_day = min(last_day, expand(starts_at, value)[-1].date())
        return cls(
            freq,
            interval,
            weekdays,
            position,
            last_day,
            int(count) if count is not None else None,
        )
