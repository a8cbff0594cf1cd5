"""Expanding a portal's feed as a calendar app does (recurring-ical-events)
gives exactly the dates the site stores and shows, for a few hundred random
rules: daily, weekly, monthly and yearly, with intervals, weekday sets,
positions ("the first Monday", "the last Friday"), days of the month, a count
or a last date, starting around the nights the clocks change in
Europe/Copenhagen, with dates moved, cancelled, left out, and series split
("this and following").

Every event is made through agenda.services.events, every change through its
occurrence services, so this checks the site's expansion (agenda.recurrence,
dateutil) and the feed (agenda.feeds) against each other."""

import contextlib
import os
import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import pytest
import recurring_ical_events
from django.utils import timezone

from agenda import feeds, recurrence, selectors
from agenda.errors import AgendaError
from agenda.models import Event, Occurrence
from agenda.services.events import (
    EventFields,
    Scope,
    event_create,
    event_update,
    occurrence_cancel,
    occurrence_exclude,
)
from hub.limits import HOUR, LIMITS, Limit

pytestmark = pytest.mark.django_db

RULES = 300
# Another seed: FEED_RULES_SEED=7 pytest tests/agenda/test_feed_rules.py
SEED = int(os.environ.get("FEED_RULES_SEED", "5545"))
WEEKDAYS = recurrence.WEEKDAYS


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _clock_changes(today: date) -> list[date]:
    """The next nights the clocks change in Denmark (last Sundays of March and
    October), from a week on."""
    found = []
    for year in range(today.year, today.year + 3):
        for month in (3, 10):
            day = _last_sunday(year, month)
            if day > today + timedelta(days=7):
                found.append(day)
    return found[:4]


# Times of day: the night hours around the change (02:30 does not exist on the
# spring night and exists twice on the autumn one), and ordinary ones.
NIGHT = [time(0, 30), time(1, 0), time(1, 30), time(2, 0), time(2, 30), time(3, 0)]
DAY = [time(8), time(10, 15), time(17), time(18, 30), time(21), time(23, 30)]
LENGTHS = [30, 60, 90, 120, 180, 24 * 60 + 60]


def _rule(rnd: random.Random, first: datetime) -> str:
    """A random rule starting at ``first`` that ends (COUNT or UNTIL)."""
    freq = rnd.choice(["DAILY", "WEEKLY", "WEEKLY", "MONTHLY", "MONTHLY", "YEARLY"])
    parts = [f"FREQ={freq}"]
    interval = rnd.choice([1, 1, 2, 3])
    if interval > 1:
        parts.append(f"INTERVAL={interval}")
    if freq == "WEEKLY" and rnd.random() < 0.7:
        days = rnd.sample(WEEKDAYS, rnd.randint(1, 3))
        parts.append("BYDAY=" + ",".join(d for d in WEEKDAYS if d in days))
    elif freq == "MONTHLY":
        how = rnd.random()
        if how < 0.45:
            position = rnd.choice([1, 2, 3, 4, -1])
            parts.append(f"BYDAY={position}{rnd.choice(WEEKDAYS)}")
        elif how < 0.8:
            days = sorted(rnd.sample([1, 5, 15, 28, 29, 30, 31, -1], rnd.randint(1, 2)))
            parts.append("BYMONTHDAY=" + ",".join(map(str, days)))
    elif freq == "DAILY" and rnd.random() < 0.3:
        days = rnd.sample(WEEKDAYS, rnd.randint(2, 5))
        parts.append("BYDAY=" + ",".join(d for d in WEEKDAYS if d in days))
    span = {"DAILY": 40, "WEEKLY": 120, "MONTHLY": 500, "YEARLY": 1000}[freq]
    if rnd.random() < 0.5:
        most = {"DAILY": 40, "WEEKLY": 25, "MONTHLY": 14, "YEARLY": 3}[freq]
        parts.append(f"COUNT={rnd.randint(1, most)}")
    elif rnd.random() < 0.7:
        last = first.date() + timedelta(days=rnd.randint(0, span))
        parts.append(f"UNTIL={recurrence.until_utc(last)}")
    else:
        # Any moment: a last date whose time is before, at or after the start's.
        until = first + timedelta(
            days=rnd.randint(0, span), minutes=rnd.choice([-1, 0, 1, 600])
        )
        parts.append(f"UNTIL={until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def _typeable(moment: datetime) -> bool:
    """Whether a person can type ``moment`` in a form: Django refuses a local
    time that does not exist (02:30 on the spring night) or exists twice (on
    the autumn night). Later dates of a series may still fall there."""
    exists = recurrence.local(moment.astimezone(UTC)).replace(tzinfo=None)
    twice = moment.replace(fold=1).utcoffset() != moment.utcoffset()
    return exists == moment.replace(tzinfo=None) and not twice


def _first(rnd: random.Random, changes: list[date]) -> datetime:
    while True:
        back = rnd.choice([0, 0, 1, 2, 6, 7, 13, 27])
        day = rnd.choice(changes) - timedelta(days=back)
        moment = rnd.choice(NIGHT if rnd.random() < 0.4 else DAY)
        first = datetime.combine(day, moment, tzinfo=recurrence.zone())
        if _typeable(first):
            return first


def _change(rnd: random.Random, actor, event: Event) -> None:
    """Move, cancel or leave out some dates, or split the series, through the
    services."""
    dates = list(event.occurrences.order_by("original_start"))
    for occurrence in rnd.sample(dates, min(len(dates), rnd.randint(0, 3))):
        occurrence.refresh_from_db()
        what = rnd.random()
        if occurrence.state != Occurrence.State.SCHEDULED:
            continue
        if what < 0.35:
            occurrence_cancel(actor=actor, occurrence=occurrence)
        elif what < 0.65 and event.is_series:
            occurrence_exclude(actor=actor, occurrence=occurrence)
        else:
            shift = timedelta(
                minutes=rnd.choice([-90, -60, 30, 60, 24 * 60, 3 * 24 * 60])
            )
            length = timedelta(minutes=rnd.choice([45, 60, 150]))
            # In UTC: a wall-clock sum from the second 02:30 of the autumn
            # night would end before it starts.
            start = occurrence.starts_at + shift
            event.refresh_from_db()
            _try(
                event_update,
                actor=actor,
                event=event,
                fields=replace(
                    EventFields.of(event, occurrence),
                    starts_at=recurrence.local(start),
                    ends_at=recurrence.local(start + length),
                ),
                scope=Scope.THIS,
                occurrence=occurrence,
            )
    if event.is_series and len(dates) > 3 and rnd.random() < 0.15:
        at = dates[rnd.randint(1, len(dates) - 1)]
        at.refresh_from_db()
        if at.state == Occurrence.State.EXCLUDED:
            return
        event.refresh_from_db()
        later = recurrence.local(at.original_start + timedelta(minutes=30))
        _try(
            event_update,
            actor=actor,
            event=event,
            fields=replace(
                EventFields.of(event, at),
                starts_at=later,
                ends_at=later + event.duration,
            ),
            scope=Scope.FOLLOWING,
            occurrence=at,
        )


def _try(service, **kwargs) -> None:
    """Call ``service``; an edit the site refuses (a date moved onto another,
    say) changes nothing, which the feed must show all the same."""
    with contextlib.suppress(AgendaError):
        service(**kwargs)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _from_feed(calendar: icalendar.Calendar, starts, ends) -> dict[str, set]:
    """Each UID's dates as a calendar app expands the feed: (start, end,
    status), in UTC."""
    found: dict[str, set] = {}
    for component in recurring_ical_events.of(calendar).between(starts, ends):
        uid = str(component["UID"]).split("@")[0]
        found.setdefault(uid, set()).add(
            (
                _utc(component["DTSTART"].dt),
                _utc(component["DTEND"].dt),
                str(component.get("STATUS", "CONFIRMED")),
            )
        )
    return found


def _on_site(viewer, starts, ends) -> dict[str, set]:
    """Each event's dates as the site stores and shows them (left-out dates
    are shown nowhere; cancelled ones stay, marked)."""
    found: dict[str, set] = {}
    for o in selectors.occurrences_between(viewer, starts, ends):
        found.setdefault(str(o.event.uid), set()).add(
            (
                _utc(o.starts_at),
                _utc(o.ends_at),
                "CANCELLED" if o.is_cancelled else "CONFIRMED",
            )
        )
    return found


def _rule_disagrees(event: Event) -> bool:
    """Whether ``event``'s stored dates are not those its rule gives from its
    own start, which is all a feed can say (DTSTART and RRULE)."""
    if not event.is_series:
        return False
    stored = sorted(_utc(o.original_start) for o in event.occurrences.all())
    return stored != [_utc(s) for s in recurrence.expand(event.starts_at, event.rrule)]


def _make_series(rnd: random.Random, actor, community) -> dict[str, str]:
    """RULES random series through the services, some of their dates changed;
    each one's UID and how it was made."""
    changes = _clock_changes(timezone.localdate())
    rules: dict[str, str] = {}
    for _n in range(RULES):
        first = _first(rnd, changes)
        rule = _rule(rnd, first)
        length = timedelta(minutes=rnd.choice(LENGTHS))
        try:
            event = event_create(
                actor=actor,
                community=community,
                fields=EventFields(
                    title="Træning", starts_at=first, ends_at=first + length, rrule=rule
                ),
            )
        except AgendaError:
            continue  # a rule that gives no date from the first one on
        rules[str(event.uid)] = f"{rule} from {first:%Y-%m-%d %H:%M} for {length}"
        _change(rnd, actor, event)
    for event in Event.objects.filter(community=community):
        rules.setdefault(str(event.uid), f"{event.rrule} (split off)")
    return rules


def test_a_feed_expands_to_exactly_the_dates_the_site_shows(
    monkeypatch, organiser, club
):
    for name in ("event-create", "event-update"):
        monkeypatch.setitem(LIMITS, name, Limit(100_000, HOUR))
    rules = _make_series(random.Random(SEED), organiser, club)
    # The site's own fault, not the feed's (see the xfail test below): the
    # first date fell in the hour skipped in spring, so the event's start is
    # an hour later than the time its rule repeats.
    disagree = {
        str(e.uid)
        for e in Event.objects.filter(community=club).prefetch_related("occurrences")
        if _rule_disagrees(e)
    }
    starts = timezone.now() - timedelta(days=2)
    ends = starts + timedelta(days=5 * 366)

    text = feeds.community_calendar(community=club, viewer=organiser).to_ical()
    from_feed = _from_feed(icalendar.Calendar.from_ical(text), starts, ends)
    on_site = _on_site(organiser, starts, ends)

    assert len(rules) > RULES * 0.9
    assert len(disagree) < 10
    dates = list(Occurrence.objects.filter(event__community=club))
    nights = set(_clock_changes(timezone.localdate()))
    assert len(dates) > RULES * 5
    assert {o.state for o in dates} == set(Occurrence.State.values)
    assert any(o.moved for o in dates)
    assert len({recurrence.local(o.starts_at).date() for o in dates} & nights) == 4
    assert Event.objects.filter(community=club).count() > len(rules) * 0.9
    wrong = {
        uid: (rules[uid], sorted(on_site.get(uid, set()) ^ from_feed.get(uid, set())))
        for uid in (set(on_site) | set(from_feed)) - disagree
        if on_site.get(uid) != from_feed.get(uid)
    }
    assert not wrong, "\n".join(f"{rule}: {diff[:4]}" for rule, diff in wrong.values())


def _feed_and_site(organiser, club) -> tuple[dict, dict]:
    starts = timezone.now() - timedelta(days=2)
    ends = starts + timedelta(days=5 * 366)
    text = feeds.community_calendar(community=club, viewer=organiser).to_ical()
    calendar = icalendar.Calendar.from_ical(text)
    return _from_feed(calendar, starts, ends), _on_site(organiser, starts, ends)


def test_a_date_in_the_skipped_hour_keeps_its_length_in_the_feed(organiser, club):
    spring = next(d for d in _clock_changes(timezone.localdate()) if d.month == 3)
    first = datetime.combine(spring - timedelta(days=2), time(2, 30), recurrence.zone())
    event_create(
        actor=organiser,
        community=club,
        fields=EventFields(
            title="Nattevagt",
            starts_at=first,
            ends_at=first + timedelta(hours=2),
            rrule="FREQ=DAILY;COUNT=4",
        ),
    )

    from_feed, on_site = _feed_and_site(organiser, club)

    # 02:30 does not exist that night: 03:30 to 05:30, two hours as every night.
    night = datetime.combine(spring, time(3, 30), recurrence.zone())
    assert (_utc(night), _utc(night + timedelta(hours=2)), "CONFIRMED") in next(
        iter(on_site.values())
    )
    assert from_feed == on_site


def test_a_series_whose_first_date_falls_in_the_skipped_hour_is_refused(
    organiser, club
):
    spring = next(d for d in _clock_changes(timezone.localdate()) if d.month == 3)
    typed = datetime.combine(spring - timedelta(days=6), time(2), recurrence.zone())

    with pytest.raises(AgendaError) as refused:
        event_create(
            actor=organiser,
            community=club,
            fields=EventFields(
                title="Natløb",
                starts_at=typed,
                ends_at=typed + timedelta(hours=1),
                rrule="FREQ=MONTHLY;BYDAY=-1SU;COUNT=3",
            ),
        )

    assert refused.value.field == "starts_at"
    assert not Event.objects.filter(title="Natløb").exists()
