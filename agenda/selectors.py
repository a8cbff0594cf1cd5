"""Reads of the calendar, scoped by what the viewer may see."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from communities.models import Community, Membership
from communities.selectors import AnyUser, is_municipal_staff

from .models import Booking, Event, Occurrence, Signup


def visible_events_q(viewer: AnyUser, prefix: str = "") -> Q:
    """Events ``viewer`` may see: public events of public communities; every
    event of a community they are an active member of; all, for staff."""
    if is_municipal_staff(viewer):
        return Q()
    public = Q(**{f"{prefix}is_public": True}) & (
        Q(**{f"{prefix}community__isnull": True})
        | Q(**{f"{prefix}community__visibility": Community.Visibility.PUBLIC})
    )
    if not viewer.is_authenticated:
        return public
    mine = Membership.objects.filter(user=viewer, state=Membership.State.ACTIVE)
    return public | Q(**{f"{prefix}community__in": mine.values("community")})


def can_see_event(viewer: AnyUser, event: Event) -> bool:
    return Event.objects.filter(visible_events_q(viewer), pk=event.pk).exists()


def occurrences_between(
    viewer: AnyUser, starts: datetime, ends: datetime
) -> QuerySet[Occurrence]:
    """Occurrences overlapping [starts, ends) that ``viewer`` may see, left-out
    dates excluded, soonest first, with their event, organiser and facility."""
    return (
        Occurrence.objects.filter(starts_at__lt=ends, ends_at__gt=starts)
        .exclude(state=Occurrence.State.EXCLUDED)
        .filter(visible_events_q(viewer, "event__"))
        .select_related("event__community", "event__facility", "event__village")
        .order_by("starts_at", "pk")
    )


def public_bookings_between(starts: datetime, ends: datetime) -> QuerySet[Booking]:
    """Approved public bookings not made for an event (those show as their
    event), overlapping [starts, ends)."""
    return (
        Booking.objects.filter(
            starts_at__lt=ends,
            ends_at__gt=starts,
            state=Booking.State.APPROVED,
            is_public=True,
            occurrence__isnull=True,
        )
        .select_related("facility", "community")
        .order_by("starts_at", "pk")
    )


# --- the event page and its sign-ups


def visible_event(viewer: AnyUser, pk: int) -> Event | None:
    """Event ``pk`` with its organiser, village and facility, when ``viewer``
    may see it (the rule of ``can_see_event``, in the same query); else None."""
    return (
        Event.objects.filter(visible_events_q(viewer), pk=pk)
        .select_related("community", "village", "facility")
        .first()
    )


def coming_occurrences(
    event: Event, *, limit: int = 12, now: datetime | None = None
) -> list[Occurrence]:
    """The next ``limit`` dates of ``event`` that have not ended, soonest
    first: cancelled ones included (they stay visible), left-out ones not."""
    now = now or timezone.now()
    return list(
        event.occurrences.filter(ends_at__gt=now)
        .exclude(state=Occurrence.State.EXCLUDED)
        .order_by("starts_at", "pk")[:limit]
    )


def last_occurrence(event: Event) -> Occurrence | None:
    """The latest date of ``event`` that is not left out (for an event that is
    over)."""
    return (
        event.occurrences.exclude(state=Occurrence.State.EXCLUDED)
        .order_by("-starts_at", "-pk")
        .first()
    )


def event_occurrence(event: Event, pk: int) -> Occurrence | None:
    """Date ``pk`` of ``event`` in any state (left out too: its organisers may
    bring it back), or None."""
    return event.occurrences.filter(pk=pk).first()


@dataclass(frozen=True)
class SignupCounts:
    """How one date stands: people with a place and their guests, the waiting
    list, and the other answers."""

    going: int = 0
    guests: int = 0
    waiting: int = 0
    waiting_heads: int = 0
    maybe: int = 0
    not_going: int = 0

    @property
    def heads(self) -> int:
        """People with a place, guests counted."""
        return self.going + self.guests


def signup_counts(occurrence: Occurrence) -> SignupCounts:
    """The answers to ``occurrence``, counted in one query."""
    going = Q(response=Signup.Response.GOING)
    row = Signup.objects.filter(occurrence=occurrence).aggregate(
        n_going=Count("pk", filter=going & Q(waiting=False)),
        n_guests=Sum("guests", filter=going & Q(waiting=False)),
        n_waiting=Count("pk", filter=going & Q(waiting=True)),
        n_waiting_guests=Sum("guests", filter=going & Q(waiting=True)),
        n_maybe=Count("pk", filter=Q(response=Signup.Response.MAYBE)),
        n_not_going=Count("pk", filter=Q(response=Signup.Response.NOT_GOING)),
    )
    return SignupCounts(
        going=row["n_going"],
        guests=row["n_guests"] or 0,
        waiting=row["n_waiting"],
        waiting_heads=row["n_waiting"] + (row["n_waiting_guests"] or 0),
        maybe=row["n_maybe"],
        not_going=row["n_not_going"],
    )


def _ahead_in_queue() -> Subquery:
    """For a sign-up row: how many wait before it (first come first)."""
    return Subquery(
        Signup.objects.filter(
            occurrence=OuterRef("occurrence"),
            response=Signup.Response.GOING,
            waiting=True,
        )
        .filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), pk__lt=OuterRef("pk"))
        )
        .order_by()
        .values("occurrence")
        .annotate(ahead=Count("pk"))
        .values("ahead"),
        output_field=IntegerField(),
    )


def signup_of(user: AnyUser, occurrence: Occurrence) -> Signup | None:
    """``user``'s answer to ``occurrence``, or None. A sign-up on the waiting
    list carries its place in it (``position``, 1 for the next in line)."""
    if not user.is_authenticated:
        return None
    signup = (
        Signup.objects.filter(occurrence=occurrence, user=user)
        .annotate(ahead=Coalesce(_ahead_in_queue(), Value(0)))
        .first()
    )
    if signup is not None:
        signup.position = signup.ahead + 1 if signup.waiting else None
    return signup


def attendees(occurrence: Occurrence) -> list[Signup]:
    """Every answer to ``occurrence`` with its person, for its organisers:
    those with a place first, then the waiting list in its order (each with
    its ``position``), then maybe, then not going. One query."""
    going = Q(response=Signup.Response.GOING)
    rows = list(
        Signup.objects.filter(occurrence=occurrence)
        .select_related("user")
        .annotate(
            rank=Case(
                When(going & Q(waiting=False), then=Value(0)),
                When(going & Q(waiting=True), then=Value(1)),
                When(response=Signup.Response.MAYBE, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "queued_at", "pk")
    )
    position = 0
    for signup in rows:
        if signup.waiting:
            position += 1
            signup.position = position
        else:
            signup.position = None
    return rows


def coming_for_community(viewer: AnyUser, community: Community) -> QuerySet[Occurrence]:
    """The dates of ``community``'s events not yet over that ``viewer`` may see,
    soonest first (cancelled ones too, marked so; left-out ones not)."""
    return (
        Occurrence.objects.filter(
            event__community=community, ends_at__gte=timezone.now()
        )
        .exclude(state=Occurrence.State.EXCLUDED)
        .filter(visible_events_q(viewer, "event__"))
        .select_related("event")
        .order_by("starts_at", "pk")
    )
