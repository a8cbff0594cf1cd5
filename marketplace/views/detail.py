"""One listing's page, which the answer and booking forms come back to."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .. import selectors, services
from ..forms import BookingForm, ReplyForm, RespondForm
from ..models import Listing


def visible_listing_or_404(request: HttpRequest, pk: int) -> Listing:
    """Listing ``pk`` as the viewer may see it; 404 when it is hidden from them."""
    listing = selectors.listing_for_viewer(viewer=request.user, pk=pk)
    if listing is None:
        raise Http404
    return listing


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = visible_listing_or_404(request, pk)
    return render(request, "marketplace/detail.html", detail_context(request, listing))


def detail_context(
    request: HttpRequest,
    listing: Listing,
    *,
    respond_form: RespondForm | None = None,
    booking_form: BookingForm | None = None,
) -> dict:
    """The detail page's context; a posted form that failed shows its errors."""
    standing = selectors.listing_standing(viewer=request.user, listing=listing)
    context = {
        "listing": listing,
        "is_author": standing.is_author,
        "responses": standing.responses,
        "my_response": standing.my_response,
        "distance": standing.distance_km,
        "centre": standing.centre,
        "respond_form": respond_form or RespondForm(),
        "can_respond": standing.can_respond,
        "reply_form": ReplyForm(),
        "default_decline": services.default_decline_text(),
        "matches": standing.matches,
    }
    if listing.kind == Listing.Kind.LEND:
        context["bookings"] = list(
            selectors.bookings_for_listing(viewer=request.user, listing=listing)
        )
        context["calendar_start"] = timezone.localdate()
        context["free_ranges"] = selectors.free_ranges(
            listing, start=context["calendar_start"]
        )
        context["booking_form"] = booking_form or BookingForm()
    return context
