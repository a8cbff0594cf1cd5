"""Who may do what in the calendar. Used by services (which refuse) and by
selectors and templates (which offer)."""

from communities.models import Community
from communities.selectors import AnyUser, can_manage_members, is_municipal_staff

from .models import Booking, Event, Facility


def can_organise(user: AnyUser, community: Community | None) -> bool:
    """Organisers of the community, and municipal staff (who alone organise
    for the municipality, ``community`` None)."""
    if community is None:
        return is_municipal_staff(user)
    return can_manage_members(user=user, community=community)


def can_edit_event(user: AnyUser, event: Event) -> bool:
    return can_organise(user, event.community)


def can_manage_facility(user: AnyUser, facility: Facility) -> bool:
    """The owner's organisers; municipal staff for every facility."""
    if is_municipal_staff(user):
        return True
    if facility.owner is None:
        return False
    return can_manage_members(user=user, community=facility.owner)


def can_decide_booking(user: AnyUser, booking: Booking) -> bool:
    """Who approves a pending booking: under "the municipality approves" only
    staff; under "the owner approves" the owner's organisers (and staff)."""
    facility = booking.facility
    if facility.policy == Facility.Policy.MUNICIPALITY:
        return is_municipal_staff(user)
    return can_manage_facility(user, facility)


def can_book(user: AnyUser, community: Community | None) -> bool:
    """Bookings are made for a community by its organisers; municipal staff may
    book for the municipality (no community)."""
    if community is None:
        return is_municipal_staff(user)
    return can_organise(user, community)
