"""Lending: booking days of an item, and the lender's answers to bookings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import selectors, services
from ..forms import BookingForm
from ..models import Booking
from .detail import detail_context, visible_listing_or_404

BOOKING_ACTIONS = {
    "confirm": services.booking_confirm,
    "decline": services.booking_decline,
    "handover": services.booking_handover,
    "return": services.booking_return,
    "cancel": services.booking_cancel,
}


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """A borrower asks for days; the lender marks days the item is not available.
    A clash shows the listing again with the free days."""
    listing = visible_listing_or_404(request, pk)
    form = BookingForm(request.POST)
    lender = selectors.is_author(viewer=request.user, listing=listing)
    if form.is_valid():
        try:
            if lender:  # the lender keeps the item on these days
                services.booking_block(
                    actor=request.user, listing=listing, **form.cleaned_data
                )
            else:
                services.booking_request(
                    borrower=request.user, listing=listing, **form.cleaned_data
                )
        except services.BookingConflict as exc:
            show_refusal(request, exc, form=form)
            form.free_ranges = exc.free
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(
                request,
                _("These days are marked as not available.")
                if lender
                else _("Your booking request is sent to the lender."),
            )
            return redirect(listing)
    context = detail_context(request, listing, booking_form=form)
    return render(request, "marketplace/detail.html", context, status=400)


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Confirm, decline, hand over, take back or cancel a booking."""
    booking = get_object_or_404(Booking.objects.select_related("listing"), pk=pk)
    if action not in BOOKING_ACTIONS:
        raise Http404
    try:
        BOOKING_ACTIONS[action](actor=request.user, booking=booking)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The booking is updated."))
    return redirect("marketplace:detail", pk=booking.listing_id)
