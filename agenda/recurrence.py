"""RFC 5545 recurrence rules: checked, bounded, and expanded in the
municipality's time zone.

A rule is stored as an RRULE value ("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=...Z"). It is
expanded from the event's first start in local time (settings.TIME_ZONE), so a
training at 17:00 stays at 17:00 when summer time begins or ends; each
occurrence is then stored in UTC. UNTIL is written in UTC, as RFC 5545 asks
when DTSTART carries a time zone, and calendar apps read it the same way.
"""

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.conf import settings
from django.utils.translation import gettext as _

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
    rule = _rule(starts_at, normalise(value))
    most, days = _limits()
    first = local(starts_at)
    horizon = first + timedelta(days=days)
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
