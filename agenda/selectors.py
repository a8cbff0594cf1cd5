"""Reads of the calendar, scoped by what the viewer may see."""

from datetime import datetime

from django.db.models import Q, QuerySet

from communities.models import Community, Membership
from communities.selectors import AnyUser, is_municipal_staff

from .models import Booking, Event, Occurrence


def visible_events_q(viewer: AnyUser, prefix: str = "") -> Q:
    """Events ``viewer`` may see: public events of public communities; every
    event of a community they are an active member of; all, for staff."""
    if is_municipal_staff(viewer):
        return Q()
    public = Q(
        **{
            f"{prefix}is_public": True,
            f"{prefix}community__visibility": Community.Visibility.PUBLIC,
        }
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
