"""Facility bookings: one time or a season, never two at once.

A booking holds its facility from ``starts_at - setup`` to ``ends_at + cleanup``.
Overlaps are looked for first, so a refusal can name what is in the way and
the free slots of that day; the database's own guarantee (migration 0002)
catches the request that loses a race, which is refused the same way.
"""

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from communities.models import Community
from hub import ratelimit
from hub.errors import NotPermitted
from hub.oncommit import on_commit

from .. import permissions, recurrence
from ..errors import AgendaError, BookingConflict
from ..models import Booking, Facility, Occurrence
from ..signals import bookings_declined

OVERLAP_CONSTRAINT = "facility_booking_no_overlap"


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


def blocked_range(facility: Facility, starts_at: datetime, ends_at: datetime) -> Slot:
    return Slot(starts_at - facility.setup, ends_at + facility.cleanup)


def _opening_periods(facility: Facility, day) -> list[Slot] | None:
    """The facility's open periods on a local ``day``; None when it keeps no
    opening hours (always open)."""
    hours = list(facility.opening_hours.all())
    if not hours:
        return None
    tz = recurrence.zone()
    return [
        Slot(
            datetime.combine(day, row.opens, tzinfo=tz),
            datetime.combine(day, row.closes, tzinfo=tz),
        )
        for row in hours
        if row.weekday == day.weekday()
    ]


def check_open(facility: Facility, starts_at: datetime, ends_at: datetime) -> None:
    """Refuse a time outside the facility's opening hours."""
    start = recurrence.local(starts_at)
    periods = _opening_periods(facility, start.date())
    if periods is None:
        return
    if not any(p.starts_at <= starts_at and ends_at <= p.ends_at for p in periods):
        raise AgendaError(
            _("%(facility)s is not open then (%(when)s).")
            % {"facility": facility.name, "when": _format_slot(starts_at, ends_at)},
            field="starts_at",
        )


def _format_slot(starts_at: datetime, ends_at: datetime) -> str:
    start, end = recurrence.local(starts_at), recurrence.local(ends_at)
    return f"{start:%d.%m.%Y %H:%M}\u2013{end:%H:%M}"


def live_bookings(
    facility: Facility, slots: Sequence[Slot], *, exclude=()
) -> list[Booking]:
    """Live bookings of ``facility`` whose blocked range overlaps any of ``slots``
    (already widened by the buffers), in one query."""
    if not slots:
        return []
    overlap = Q()
    for slot in slots:
        overlap |= Q(blocked_from__lt=slot.ends_at, blocked_until__gt=slot.starts_at)
    return list(
        Booking.objects.filter(facility=facility, state__in=Booking.LIVE_STATES)
        .filter(overlap)
        .exclude(pk__in=list(exclude))
        .select_related("community", "occurrence__event")
        .order_by("blocked_from")
    )


def free_slots(facility: Facility, day, *, at_least: timedelta) -> list[Slot]:
    """The free times of a local ``day`` at the facility that fit ``at_least``:
    each is a time a booking may take whole, by the same rules ``place_bookings``
    applies: its start and end within the opening hours (check_open), its own
    set-up and clean-up clear of every live booking's blocked range."""
    tz = recurrence.zone()
    periods = _opening_periods(facility, day)
    if periods is None:
        start = datetime.combine(day, time(0), tzinfo=tz)
        periods = [
            Slot(start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz))
        ]
    # What a booking within a period could hold, buffers included, to find
    # every booking in its way (one just outside the opening hours too).
    taken = live_bookings(
        facility, [blocked_range(facility, p.starts_at, p.ends_at) for p in periods]
    )
    free: list[Slot] = []
    for period in periods:
        cursor = period.starts_at
        for booking in taken:
            # A booking may end where its clean-up meets the next hold, and
            # start where the previous hold meets its set-up.
            end = min(period.ends_at, booking.blocked_from - facility.cleanup)
            if end > cursor and end - cursor >= at_least:
                free.append(Slot(cursor, end))
            cursor = max(cursor, booking.blocked_until + facility.setup)
        if period.ends_at > cursor and period.ends_at - cursor >= at_least:
            free.append(Slot(cursor, period.ends_at))
    return [
        Slot(recurrence.local(s.starts_at), recurrence.local(s.ends_at)) for s in free
    ]


def _conflict(
    facility: Facility, clashes: list[Booking], duration: timedelta
) -> BookingConflict:
    first = recurrence.local(clashes[0].starts_at).date()
    return BookingConflict(
        _("%(facility)s is already booked then: %(clashes)s.")
        % {
            "facility": facility.name,
            "clashes": "; ".join(
                # A private booking's title is not for the one who asks.
                f"{_format_slot(b.starts_at, b.ends_at)} "
                f"{b.title if b.is_public else _('Booked')}"
                for b in clashes[:3]
            ),
        },
        field="starts_at",
        clashes=clashes,
        free=free_slots(facility, first, at_least=duration),
        day=first,
    )


def _initial_state(actor: User, facility: Facility, community: Community | None) -> str:
    if facility.policy == Facility.Policy.AUTOMATIC:
        return Booking.State.APPROVED
    if facility.policy == Facility.Policy.OWNER:
        own = community is not None and community == facility.owner
        if own or permissions.can_manage_facility(actor, facility):
            return Booking.State.APPROVED
        return Booking.State.PENDING
    if permissions.can_decide_booking(actor, Booking(facility=facility)):
        return Booking.State.APPROVED
    return Booking.State.PENDING


def _check_times(
    facility: Facility, times: Iterable[Slot], *, allow_past: bool
) -> None:
    now = timezone.now()
    for slot in times:
        if slot.ends_at <= slot.starts_at:
            raise AgendaError(_("The end must come after the start."), field="ends_at")
        if not allow_past and slot.starts_at < now:
            raise AgendaError(
                _("%(when)s has already begun: a booking must be in the future.")
                % {"when": _format_slot(slot.starts_at, slot.ends_at)},
                field="starts_at",
            )
        check_open(facility, slot.starts_at, slot.ends_at)


def place_bookings(
    *,
    actor: User,
    facility: Facility,
    community: Community | None,
    title: str,
    times: Sequence[Slot],
    occurrences: Sequence[Occurrence] | None = None,
    is_public: bool = True,
    season: uuid.UUID | None = None,
    exclude: Sequence[int] = (),
    allow_past: bool = False,
) -> list[Booking]:
    """Write one booking per slot, all or none. Must run inside a transaction
    (the caller's), which a conflict rolls back."""
    _check_times(facility, times, allow_past=allow_past)
    widened = [blocked_range(facility, s.starts_at, s.ends_at) for s in times]
    clashes = live_bookings(facility, widened, exclude=exclude)
    duration = times[0].ends_at - times[0].starts_at if times else timedelta(0)
    if clashes:
        raise _conflict(facility, clashes, duration)
    state = _initial_state(actor, facility, community)
    now = timezone.now()
    rows = [
        Booking(
            facility=facility,
            community=community,
            occurrence=occurrences[i] if occurrences else None,
            season=season,
            title=title,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            blocked_from=widened[i].starts_at,
            blocked_until=widened[i].ends_at,
            state=state,
            is_public=is_public,
            requested_by=actor,
            decided_by=actor if state == Booking.State.APPROVED else None,
            decided_at=now if state == Booking.State.APPROVED else None,
        )
        for i, slot in enumerate(times)
    ]
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(rows)
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT not in str(error):
            raise
        # Another request took the time between our check and our write.
        clashes = live_bookings(facility, widened, exclude=exclude)
        raise (
            _conflict(facility, clashes, duration)
            if clashes
            else BookingConflict(field="starts_at")
        ) from None
    return rows


def booking_request(
    *,
    actor: User,
    facility: Facility,
    community: Community | None,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    rrule: str = "",
    is_public: bool = True,
) -> list[Booking]:
    """Book ``facility`` once, or for a season by ``rrule`` (every Wednesday
    17-19 from August to May). Refused as a whole when any date clashes."""
    if not permissions.can_book(actor, community):
        raise NotPermitted(_("Only organisers can book for their community."))
    title = (title or "").strip()
    if not title:
        raise AgendaError(_("Say what the booking is for."), field="title")
    if ends_at <= starts_at:
        raise AgendaError(_("The end must come after the start."), field="ends_at")
    ratelimit.hit("facility-booking", key=actor.pk)
    duration = ends_at - starts_at
    starts = recurrence.expand(starts_at, rrule)
    times = [Slot(s, s + duration) for s in starts]
    with transaction.atomic():
        Facility.objects.select_for_update().filter(pk=facility.pk).first()
        return place_bookings(
            actor=actor,
            facility=facility,
            community=community,
            title=title,
            times=times,
            is_public=is_public,
            season=uuid.uuid4() if rrule else None,
        )


def _season_or_one(booking: Booking) -> list[Booking]:
    if booking.season is None:
        return [booking]
    return list(Booking.objects.filter(season=booking.season, state=booking.state))


def _decide(actor: User, booking: Booking, state: str) -> list[Booking]:
    if not permissions.can_decide_booking(actor, booking):
        raise NotPermitted(_("You cannot decide on this booking."))
    ratelimit.hit("facility-decide", key=actor.pk)
    with transaction.atomic():
        # Locked and read again: two people deciding at once decide once.
        current = Booking.objects.select_for_update().filter(pk=booking.pk).first()
        if current is None or current.state != Booking.State.PENDING:
            raise AgendaError(_("This booking has already been decided."))
        rows = _season_or_one(current)
        Booking.objects.filter(pk__in=[b.pk for b in rows]).update(
            state=state, decided_by=actor, decided_at=timezone.now()
        )
        for row in rows:
            row.state = state
        if state == Booking.State.DECLINED:
            # Apps above the calendar that hold these times (a task's work)
            # follow the refusal inside this transaction.
            bookings_declined.send(sender=Booking, bookings=rows, actor=actor)
        _tell_decided(current, len(rows))
    booking.state = state
    return rows


def _tell_decided(booking: Booking, dates: int) -> None:
    """Tell the one who asked how their request was decided, after commit."""
    from ..booking_tasks import booking_decided

    on_commit(
        lambda: booking_decided.enqueue(booking.pk, dates),
        what=f"tell the requester of booking {booking.pk} it was decided",
    )


def booking_approve(*, actor: User, booking: Booking) -> list[Booking]:
    """Approve a pending booking (its whole season)."""
    return _decide(actor, booking, Booking.State.APPROVED)


def booking_decline(*, actor: User, booking: Booking) -> list[Booking]:
    """Decline a pending booking (its whole season); its times are free again."""
    return _decide(actor, booking, Booking.State.DECLINED)


# Apps above the calendar that hold bookings of their own (the task board's
# work that blocks a site) register a function here at start-up: given a
# booking, it returns why it cannot be cancelled from the calendar, or None.
BOOKING_KEEPERS: list[Callable[[Booking], str | None]] = []


def bookings_release(booking_ids: Sequence[int]) -> int:
    """Free the facility of bookings an app above the calendar holds and no
    longer needs (a task moved or called off). Returns how many were live."""
    return Booking.objects.filter(
        pk__in=list(booking_ids), state__in=Booking.LIVE_STATES
    ).update(state=Booking.State.CANCELLED, decided_at=timezone.now())


def booking_cancel(
    *, actor: User, booking: Booking, season: bool = False
) -> list[Booking]:
    """The booker (or the facility's managers) cancels one booking or, with
    ``season``, it and the later dates of its season still to come. A booking
    made for an event's date is the event's: it is freed by cancelling or
    moving that date, never here."""
    allowed = permissions.can_manage_facility(actor, booking.facility) or (
        booking.community is not None
        and permissions.can_organise(actor, booking.community)
    )
    if not allowed:
        raise NotPermitted(_("You cannot cancel this booking."))
    if booking.occurrence_id is not None:
        raise AgendaError(
            _(
                "This booking belongs to an event. To free the facility, cancel "
                "or move the event's date on the event's page."
            )
        )
    for keeper in BOOKING_KEEPERS:
        refusal = keeper(booking)
        if refusal:
            raise AgendaError(refusal)
    if not booking.is_live:
        raise AgendaError(_("This booking is no longer active."))
    if season and booking.season:
        rows = list(
            Booking.objects.filter(
                season=booking.season,
                state__in=Booking.LIVE_STATES,
                occurrence__isnull=True,
                starts_at__gte=max(timezone.now(), booking.starts_at),
            )
        )
    else:
        rows = [booking]
    Booking.objects.filter(pk__in=[b.pk for b in rows]).update(
        state=Booking.State.CANCELLED, decided_by=actor, decided_at=timezone.now()
    )
    return rows
