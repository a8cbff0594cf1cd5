"""Clash checks while an organiser creates or moves an event.

- The same facility at the same time is refused (``bookings``); here it is
  reported first so the form can say so before anything is written.
- The same village and audience within two hours is warned about.
- Two large events near each other on the same day are warned about.

Each clash names the other event and links to it. A series is checked on
every date it gives, in a few queries whatever its length.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from communities.models import Community
from hub.geo import haversine_km

from . import recurrence
from .models import Booking, Event, Occurrence
from .services import bookings

# How many rival events the check reads per date of the new event.
RIVALS_PER_DATE = 3


@dataclass(frozen=True)
class Clash:
    """One problem with one date: ``refused`` for the facility, else a warning."""

    kind: str  # "facility", "audience", "large"
    starts_at: datetime
    message: str
    other_title: str
    # The other event's date, when the organiser may follow a link to it.
    linked: Occurrence | None
    other_starts_at: datetime

    @property
    def refused(self) -> bool:
        return self.kind == "facility"

    @property
    def other_url(self) -> str | None:
        # Reversed only for the clashes the form shows, not every rival read.
        return self.linked.get_absolute_url() if self.linked is not None else None


def _point(event: Event) -> tuple[float, float] | None:
    for place in (event.facility, event.village, event.community):
        if (
            place is not None
            and place.latitude is not None
            and place.longitude is not None
        ):
            return place.latitude, place.longitude
    return None


def check(
    candidate: Event,
    starts: Sequence[datetime],
    *,
    exclude_event: int | None = None,
    exclude_occurrences: Sequence[int] = (),
) -> list[Clash]:
    """The clashes of ``candidate`` (an unsaved or saved event holding the
    fields typed) at each of ``starts``, soonest first."""
    if not starts:
        return []
    conf = settings.NABOLAG_AGENDA
    near = timedelta(hours=conf["NEAR_IN_TIME_HOURS"])
    duration = candidate.duration
    windows = [(s, s + duration) for s in starts]
    first, last = windows[0][0], windows[-1][1]
    clashes: list[Clash] = []

    if candidate.facility is not None:
        widened = [bookings.blocked_range(candidate.facility, a, b) for a, b in windows]
        taken = bookings.live_bookings(
            candidate.facility,
            widened,
            exclude=_bookings_of(exclude_event, exclude_occurrences),
        )
        for booking in taken:
            mine = _window_of(
                windows, widened, booking.blocked_from, booking.blocked_until
            )
            shown = _shown(candidate, booking.community, is_public=booking.is_public)
            if not shown:
                other = _("a booking that is not public")
            elif booking.occurrence:
                other = booking.occurrence.event.title
            else:
                other = booking.title
            clashes.append(
                Clash(
                    "facility",
                    mine,
                    _("%(facility)s is already booked: %(other)s.")
                    % {"facility": candidate.facility.name, "other": other},
                    other,
                    booking.occurrence if shown else None,
                    recurrence.local(booking.starts_at),
                )
            )

    # Only the rivals of some date come back: the same village and audience
    # within ``near`` of a date, or a large event on a date's local day. The
    # database picks them by the dates' windows, not the whole span's, and
    # reads only the occurrences of the events that could be rivals (by the
    # occurrence's (event, starts_at) index), not every occurrence of the span.
    rivals, rival_events = Q(), Q()
    if candidate.village_id is not None:
        same = Q(village_id=candidate.village_id, audience=candidate.audience)
        rival_events |= same
        rivals |= Q(
            event__village_id=candidate.village_id, event__audience=candidate.audience
        ) & _any_overlap([(a - near, b + near) for a, b in windows])
    large = candidate.is_large
    if large:
        rival_events |= Q(expected_attendance__gte=conf["LARGE_EVENT"])
        rivals |= Q(event__expected_attendance__gte=conf["LARGE_EVENT"]) & _any_overlap(
            [_local_day(a) for a, _b in windows]
        )
    if rivals:
        events = Event.objects.filter(rival_events, cancelled_at__isnull=True)
        if exclude_event is not None:
            events = events.exclude(pk=exclude_event)
        others = (
            Occurrence.objects.filter(
                rivals,
                event_id__in=events.values("pk"),
                starts_at__lt=last + max(near, timedelta(days=1)),
                ends_at__gt=first - max(near, timedelta(days=1)),
                state=Occurrence.State.SCHEDULED,
                event__cancelled_at__isnull=True,
            )
            .exclude(pk__in=list(exclude_occurrences))
            .select_related("event__facility", "event__village", "event__community")
            .order_by("starts_at")
        )
        if exclude_event is not None:
            others = others.exclude(event_id=exclude_event)
        point = _point(candidate)
        # A few rivals per date are enough to warn about it; a busy village
        # must not make the check read (and the form list) hundreds.
        for other in others[: RIVALS_PER_DATE * len(windows)]:
            clashes.extend(
                _warnings(
                    candidate, windows, other, near=near, large=large, point=point
                )
            )
    clashes.sort(key=lambda c: (c.starts_at, c.refused is False, c.kind))
    return _first_per_date(clashes)


def _first_per_date(clashes: list[Clash]) -> list[Clash]:
    """Every refusal, and the first warning of each kind on each date."""
    seen: set[tuple] = set()
    kept = []
    for clash in clashes:
        key = (clash.kind, clash.starts_at)
        if clash.refused or key not in seen:
            kept.append(clash)
            seen.add(key)
    return kept


def _any_overlap(spans) -> Q:
    """Occurrences overlapping any of ``spans`` ((from, until) pairs)."""
    found = Q()
    for since, until in spans:
        found |= Q(starts_at__lt=until, ends_at__gt=since)
    return found


def _local_day(moment: datetime) -> tuple[datetime, datetime]:
    """The local calendar day of ``moment``, from midnight to midnight."""
    day = recurrence.local(moment).date()
    tz = recurrence.zone()
    return (
        datetime.combine(day, time(0), tzinfo=tz),
        datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz),
    )


def _shown(candidate: Event, community: Community | None, *, is_public: bool) -> bool:
    """Whether the organiser of ``candidate`` may read what the other event or
    booking (of ``community``) is: their own, or public in a public community;
    else the clash is told without its title or link."""
    if community is not None and community.pk == candidate.community_id:
        return True
    return is_public and (
        community is None or community.visibility == Community.Visibility.PUBLIC
    )


def _warnings(candidate, windows, other, *, near, large, point) -> list[Clash]:
    found = []
    event = other.event
    if _shown(candidate, event.community, is_public=event.is_public):
        title, linked = event.title, other
    else:
        title, linked = _("An event that is not public"), None
    same_audience = (
        candidate.village_id is not None
        and event.village_id == candidate.village_id
        and event.audience == candidate.audience
    )
    for start, end in windows:
        if (
            same_audience
            and other.starts_at < end + near
            and other.ends_at > start - near
        ):
            found.append(
                Clash(
                    "audience",
                    start,
                    _(
                        "%(other)s is for the same audience in %(village)s within "
                        "two hours."
                    )
                    % {"other": title, "village": event.village.name},
                    title,
                    linked,
                    recurrence.local(other.starts_at),
                )
            )
            break
        if (
            large
            and event.is_large
            and recurrence.local(other.starts_at).date()
            == recurrence.local(start).date()
            and _near(point, _point(event))
        ):
            found.append(
                Clash(
                    "large",
                    start,
                    _("%(other)s is another large event nearby on the same day.")
                    % {"other": title},
                    title,
                    linked,
                    recurrence.local(other.starts_at),
                )
            )
            break
    return found


def _near(a, b) -> bool:
    if a is None or b is None:
        return True  # where unknown, two large events on one day are worth a word
    return (
        haversine_km(a[0], a[1], b[0], b[1])
        <= settings.NABOLAG_AGENDA["LARGE_EVENT_KM"]
    )


def _window_of(windows, widened, blocked_from, blocked_until) -> datetime:
    """The start of the candidate's date that ``blocked_from``-``blocked_until``
    is in the way of, the facility's buffers counted on both sides."""
    for (start, _end), slot in zip(windows, widened, strict=True):
        if slot.starts_at < blocked_until and slot.ends_at > blocked_from:
            return start
    return windows[0][0]


def _bookings_of(event_id, occurrence_ids) -> list[int]:
    q = Q(occurrence_id__in=list(occurrence_ids))
    if event_id is not None:
        q |= Q(occurrence__event_id=event_id)
    return list(Booking.objects.filter(q).values_list("pk", flat=True))
