"""Lending: borrow requests over whole days, decisions, handover and return."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hub import ratelimit
from marketplace import selectors
from marketplace.models import Booking, Listing
from moderation.sanctions import require_may_write

from ._common import (
    BookingConflict,
    InvalidState,
    MarketplaceError,
    NotPermitted,
    NotVisible,
    notify,
    require_user,
)

BState = Booking.State
MAX_DAYS = 60
HORIZON_DAYS = 365


def _check_dates(starts_on: date, ends_on: date) -> None:
    today = timezone.localdate()
    if starts_on < today:
        raise MarketplaceError(_("The first day cannot be in the past."))
    if ends_on < starts_on:
        raise MarketplaceError(_("The last day is before the first day."))
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise MarketplaceError(_("You can borrow something for at most 60 days."))
    if starts_on > today + timedelta(days=HORIZON_DAYS):
        raise MarketplaceError(_("Bookings can be made up to a year ahead."))


def _check_bookable(listing: Listing, starts_on: date, ends_on: date) -> None:
    if listing.kind != Listing.Kind.LEND:
        raise InvalidState(_("Only things to lend can be booked."))
    if listing.state != Listing.State.OPEN:
        raise InvalidState(_("This item is not available at the moment."))
    _check_dates(starts_on, ends_on)


def booking_request(
    *,
    borrower: User,
    listing: Listing,
    starts_on: date,
    ends_on: date,
    message: str = "",
) -> Booking:
    """Ask to borrow an open "to lend" listing for whole days.

    Dates that overlap another request, confirmed or running booking are refused
    with the free ranges of the next weeks. Ten requests an hour per person.
    """
    require_user(borrower)
    if not selectors.can_view_listing(user=borrower, listing=listing):
        raise NotVisible
    if listing.author_id == borrower.pk:
        raise NotPermitted(_("You cannot book your own item."))
    _check_bookable(listing, starts_on, ends_on)
    spaces = listing.communities.values_list("pk", flat=True)
    require_may_write(borrower, space_ids=spaces)
    ratelimit.hit("booking-request", key=borrower.pk)
    with transaction.atomic():
        _lock_free_days(listing, starts_on, ends_on)
        booking = Booking.objects.create(
            listing=listing,
            borrower=borrower,
            starts_on=starts_on,
            ends_on=ends_on,
            message=message.strip()[:500],
        )
        notify("booking_requested", user_id=listing.author_id, object_id=booking.pk)
    return booking


def _lock_free_days(listing: Listing, starts_on: date, ends_on: date) -> None:
    """Inside a transaction: lock the item (serialising its bookings) and refuse
    days that another request, booking or block holds, with the free ones."""
    Listing.objects.select_for_update().get(pk=listing.pk)
    overlapping = selectors.holding_bookings(listing).filter(
        starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    if overlapping.exists():
        raise BookingConflict(
            free=selectors.free_ranges(
                listing,
                start=max(timezone.localdate(), starts_on - timedelta(days=14)),
            )
        )


def booking_block(
    *,
    actor: User,
    listing: Listing,
    starts_on: date,
    ends_on: date,
    message: str = "",
) -> Booking:
    """The lender keeps the item on these days (needs it, or lends it elsewhere).

    Stored as a confirmed booking of the lender's own, so the days show as booked
    and nobody can ask for them; cancelling it frees them again.
    """
    require_user(actor)
    if listing.author_id != actor.pk:
        raise NotPermitted(_("Only the lender can do this."))
    _check_bookable(listing, starts_on, ends_on)
    ratelimit.hit("booking-block", key=actor.pk)
    with transaction.atomic():
        _lock_free_days(listing, starts_on, ends_on)
        return Booking.objects.create(
            listing=listing,
            borrower=actor,
            starts_on=starts_on,
            ends_on=ends_on,
            message=message.strip()[:500],
            state=BState.CONFIRMED,
        )


def _lock(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update().select_related("listing").get(pk=booking.pk)
    )


def _lender_step(
    actor: User, booking: Booking, expected: str, new_state: str
) -> Booking:
    require_user(actor)
    with transaction.atomic():
        booking = _lock(booking)
        if booking.listing.author_id != actor.pk:
            raise NotPermitted(_("Only the lender can do this."))
        if booking.state != expected or booking.borrower_id == actor.pk:
            raise InvalidState  # one's own block is only ever cancelled
        booking.state = new_state
        now = timezone.now()
        if new_state == BState.HANDED_OVER:
            booking.handed_over_at = now
        elif new_state == BState.RETURNED:
            booking.returned_at = now
        booking.save()
        if new_state in (BState.CONFIRMED, BState.DECLINED):
            notify("booking_decided", user_id=booking.borrower_id, object_id=booking.pk)
    return booking


def booking_confirm(*, actor: User, booking: Booking) -> Booking:
    """The lender says yes to a request."""
    return _lender_step(actor, booking, BState.REQUESTED, BState.CONFIRMED)


def booking_decline(*, actor: User, booking: Booking) -> Booking:
    """The lender says no; the dates become free again."""
    return _lender_step(actor, booking, BState.REQUESTED, BState.DECLINED)


def booking_handover(*, actor: User, booking: Booking) -> Booking:
    """The lender records that the item was handed over."""
    return _lender_step(actor, booking, BState.CONFIRMED, BState.HANDED_OVER)


def booking_return(*, actor: User, booking: Booking) -> Booking:
    """The lender records that the item came back."""
    return _lender_step(actor, booking, BState.HANDED_OVER, BState.RETURNED)


def booking_cancel(*, actor: User, booking: Booking) -> Booking:
    """Either side cancels a booking before the handover."""
    require_user(actor)
    with transaction.atomic():
        booking = _lock(booking)
        if actor.pk not in (booking.borrower_id, booking.listing.author_id):
            raise NotPermitted
        if booking.state not in (BState.REQUESTED, BState.CONFIRMED):
            raise InvalidState(
                _("Only a booking before its handover can be cancelled.")
            )
        booking.state = BState.CANCELLED
        booking.save(update_fields=["state", "updated_at"])
    return booking
