"""Reads of facilities and their bookings, scoped by what the viewer may see.

A facility's schedule shows every live booking (the time is taken, whoever
took it) and the cancelled dates of events held there; what a booking is for
is shown only where it is public, or to those who run the facility."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from communities.models import Community, Membership
from communities.selectors import AnyUser, is_municipal_staff

from . import recurrence
from .models import Booking, Facility, Occurrence, OpeningHours
from .selectors import visible_events_q


def facilities() -> QuerySet[Facility]:
    """Every facility with its owner and village, by name."""
    return Facility.objects.select_related("owner", "village").order_by("name")


def facility_by_slug(slug: str) -> Facility | None:
    """The facility with its owner, village and opening hours (prefetched, so
    the booking rules read them without another query)."""
    return (
        Facility.objects.select_related("owner", "village")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.all())
        )
        .filter(slug=slug)
        .first()
    )


def organised_communities(user: AnyUser) -> list[Community]:
    """The communities ``user`` is an active organiser of, by name."""
    if not user.is_authenticated:
        return []
    return list(
        Community.objects.filter(
            memberships__user=user,
            memberships__state=Membership.State.ACTIVE,
            memberships__role=Membership.Role.ORGANISER,
        ).order_by("name")
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass
class Entry:
    """One line of a facility's schedule: a booking or an event's date."""

    starts_at: datetime
    ends_at: datetime
    title: str  # "" when the viewer may not see what it is for
    community: Community | None = None
    url: str = ""
    state: str = ""  # a Booking.State, or "cancelled" for a cancelled date
    state_label: str = ""


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)


def _booking_entry(booking: Booking, *, full: bool, visible: set[int]) -> Entry:
    occurrence = booking.occurrence
    shown = full or (
        booking.is_public
        and (occurrence is None or occurrence.pk in visible)
        and (booking.community is None or booking.community.is_public)
    )
    entry = Entry(
        starts_at=recurrence.local(booking.starts_at),
        ends_at=recurrence.local(booking.ends_at),
        title=booking.title if shown else "",
        community=booking.community if shown else None,
        state=booking.state,
        state_label=booking.get_state_display(),
    )
    if occurrence is not None and occurrence.pk in visible:
        entry.title = occurrence.event.title
        entry.url = occurrence.get_absolute_url()
    return entry


def facility_schedule(
    viewer: AnyUser, facility: Facility, starts: date, days: int, *, full: bool
) -> list[Day]:
    """The local days from ``starts`` on, each with what takes the facility:
    its live bookings and the cancelled dates of its events. ``full``: the
    viewer runs the facility and sees what every booking is for. Two queries."""
    tz = recurrence.zone()
    since = datetime.combine(starts, time(0), tzinfo=tz)
    until = datetime.combine(starts + timedelta(days=days), time(0), tzinfo=tz)
    bookings = list(
        Booking.objects.filter(
            facility=facility,
            state__in=Booking.LIVE_STATES,
            starts_at__lt=until,
            ends_at__gt=since,
        )
        .select_related("community", "occurrence__event")
        .order_by("starts_at", "pk")
    )
    # The event dates at the facility the viewer may see: the bookings of
    # those carry the event's title and link; cancelled ones have no booking.
    occurrences = list(
        Occurrence.objects.filter(
            event__facility=facility, starts_at__lt=until, ends_at__gt=since
        )
        .exclude(state=Occurrence.State.EXCLUDED)
        .filter(visible_events_q(viewer, "event__"))
        .select_related("event__community")
    )
    visible = {o.pk for o in occurrences}
    entries = [_booking_entry(b, full=full, visible=visible) for b in bookings]
    for occurrence in occurrences:
        if occurrence.is_cancelled:
            entries.append(
                Entry(
                    starts_at=recurrence.local(occurrence.starts_at),
                    ends_at=recurrence.local(occurrence.ends_at),
                    title=occurrence.event.title,
                    community=occurrence.event.community,
                    url=occurrence.get_absolute_url(),
                    state="cancelled",
                    state_label=Occurrence.State.CANCELLED.label,
                )
            )
    entries.sort(key=lambda e: (e.starts_at, e.ends_at))
    schedule = [Day(starts + timedelta(days=i)) for i in range(days)]
    for entry in entries:
        index = (entry.starts_at.date() - starts).days
        schedule[max(index, 0)].entries.append(entry)
    return schedule


# --- the bookings page


def decidable_bookings(viewer: AnyUser) -> list[Booking]:
    """Pending bookings, not yet over, that ``viewer`` may approve or decline
    (``permissions.can_decide_booking``), soonest first. One query."""
    if not viewer.is_authenticated:
        return []
    pending = Booking.objects.filter(
        state=Booking.State.PENDING, ends_at__gt=timezone.now()
    )
    if not is_municipal_staff(viewer):
        organised = Membership.objects.filter(
            user=viewer,
            state=Membership.State.ACTIVE,
            role=Membership.Role.ORGANISER,
        ).values("community")
        pending = pending.filter(facility__owner__in=organised).exclude(
            facility__policy=Facility.Policy.MUNICIPALITY
        )
    return list(
        pending.select_related("facility", "community", "requested_by").order_by(
            "starts_at", "pk"
        )
    )


def community_bookings(
    viewer: AnyUser, *, now: datetime | None = None
) -> list[Booking]:
    """The live bookings, not yet over and not made for an event (those are
    the event's to change), of the communities ``viewer`` organises, and the
    municipality's for staff. One query."""
    if not viewer.is_authenticated:
        return []
    now = now or timezone.now()
    organised = Membership.objects.filter(
        user=viewer, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
    ).values("community")
    mine = Q(community__in=organised)
    if is_municipal_staff(viewer):
        mine |= Q(community__isnull=True)
    return list(
        Booking.objects.filter(
            mine,
            state__in=Booking.LIVE_STATES,
            occurrence__isnull=True,
            ends_at__gt=now,
        )
        .select_related("facility", "community")
        .order_by("starts_at", "pk")
    )


@dataclass
class Group:
    """One request as it was made: a single booking, or a season's dates."""

    bookings: list[Booking]

    @property
    def first(self) -> Booking:
        return self.bookings[0]

    @property
    def last(self) -> Booking:
        return self.bookings[-1]

    @property
    def count(self) -> int:
        return len(self.bookings)

    @property
    def is_season(self) -> bool:
        return self.first.season is not None


def by_request(bookings: list[Booking]) -> list[Group]:
    """``bookings`` (in time order) grouped by season, each season one group at
    the place of its first date."""
    groups: list[Group] = []
    seasons: dict = {}
    for booking in bookings:
        key = (booking.season, booking.state) if booking.season else None
        if key is not None and key in seasons:
            seasons[key].bookings.append(booking)
            continue
        group = Group([booking])
        groups.append(group)
        if key is not None:
            seasons[key] = group
    return groups
