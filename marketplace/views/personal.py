"""The viewer's own pages: their listings and answers, watches and alerts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import selectors, services
from ..forms import WatchForm
from ..models import Watch


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My listings, my answers, my agreements and my bookings."""
    context = {
        "listings": selectors.my_listings(request.user),
        "responses": selectors.my_responses(request.user),
        "matches": selectors.my_matches(request.user),
        "bookings": selectors.my_bookings(request.user),
    }
    return render(request, "marketplace/mine.html", context)


@login_required
def watches(request: HttpRequest) -> HttpResponse:
    """My watches, and the form for a new one around a place or my village."""
    centre = selectors.user_centre(request.user)
    form = WatchForm(request.POST or None, default_centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.watch_create(
                user=request.user,
                categories=data["categories"],
                kinds=data["kinds"],
                radius_km=data["radius_km"],
                place=data["place"],
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("Your watch is saved."))
            return redirect("marketplace:watches")
    context = {
        "form": form,
        "watches": selectors.watches_for(request.user),
        "centre": centre,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "marketplace/watches.html", context, status=status)


@login_required
@require_POST
def watch_delete(request: HttpRequest, pk: int) -> HttpResponse:
    watch = get_object_or_404(Watch, pk=pk, user=request.user)
    services.watch_delete(user=request.user, watch=watch)
    messages.success(request, _("The watch is removed."))
    return redirect("marketplace:watches")


@login_required
def alerts(request: HttpRequest) -> HttpResponse:
    """New listings my watches found; a POST marks them all seen."""
    if request.method == "POST":
        services.alerts_mark_seen(user=request.user)
        return redirect("marketplace:alerts")
    hits = selectors.alerts_for(request.user)[:100]
    return render(
        request, "marketplace/alerts.html", {"hits": hits, "now": timezone.now()}
    )
