"""Thin adapters: validate input, call one service or selector, render or redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.selectors import communities_visible_to
from hub import geo
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from . import selectors, services, threads
from .forms import (
    BookingForm,
    DoneForm,
    ListingForm,
    ReopenForm,
    ReplyForm,
    RespondForm,
    SearchForm,
    WatchForm,
)
from .models import Booking, Listing, ListingPhoto, Match, Response, Watch


def listing_list(request: HttpRequest) -> HttpResponse:
    """Browse and search: the accessible list by default, a map with ?view=map."""
    form = SearchForm(
        request.GET or None,
        communities=communities_visible_to(request.user),
        viewer=request.user,
    )
    filters = form.search_filters()
    centre = filters.pop("centre")
    result = selectors.listing_search(viewer=request.user, **filters)
    map_view = request.GET.get("view") == "map"
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "result": result,
        "centre": centre,
        "map_view": map_view,
        "query": query.urlencode(),
        "tag_options": selectors.tag_suggestions(""),
        "alert_count": selectors.unseen_alert_count(request.user),
    }
    if map_view:
        context["map_config"] = _map_config(result, centre)
    return render(request, "marketplace/list.html", context)


def _map_config(result: selectors.SearchResult, centre: geo.GeoPoint | None) -> dict:
    """Only public points go to the map: grid-cell centres, never the exact ones."""
    return {
        "tiles": settings.NABOLAG_MAP_TILE_URL,
        "attribution": settings.NABOLAG_MAP_TILE_ATTRIBUTION,
        "cell_m": geo.grid_cell_m(),
        "centre": [centre.latitude, centre.longitude] if centre else None,
        "radius_km": result.radius_km,
        "points": [
            {
                "lat": hit.listing.public_latitude,
                "lon": hit.listing.public_longitude,
                "title": hit.listing.title,
                "kind": hit.listing.get_kind_display(),
                "url": hit.listing.get_absolute_url(),
            }
            for hit in result.hits
        ],
    }


def tag_suggest(request: HttpRequest) -> HttpResponse:
    """Tags starting with ?q=: JSON, or <option>s for htmx to put in a datalist."""
    typed = (
        request.GET.get("q") or request.GET.get("tag") or request.GET.get("tags", "")
    )
    # In a comma-separated list only the last piece is being typed.
    head, _sep, last = typed[:300].rpartition(",")
    names = selectors.tag_suggestions(last.strip()[:50])
    if request.headers.get("HX-Request") or request.GET.get("format") == "options":
        prefix = f"{head}, " if head else ""
        options = [prefix + name for name in names]
        return render(
            request, "marketplace/includes/tag_options.html", {"names": options}
        )
    return JsonResponse({"tags": names})


def _listing_or_404(request: HttpRequest, pk: int) -> Listing:
    listing = selectors.listing_for_viewer(viewer=request.user, pk=pk)
    if listing is None:
        raise Http404
    return listing


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _listing_or_404(request, pk)
    return render(request, "marketplace/detail.html", _detail_context(request, listing))


def _detail_context(request: HttpRequest, listing: Listing, **forms) -> dict:
    user = request.user
    is_author = user.is_authenticated and listing.author_id == user.pk
    responses = list(selectors.responses_for_listing(viewer=user, listing=listing))
    mine = next((r for r in responses if r.responder_id == user.pk), None)
    centre = selectors.user_centre(user)
    distance = None
    if centre and not is_author:
        distance = geo.round_distance_km(
            geo.geodesic_km(
                centre.latitude,
                centre.longitude,
                listing.public_latitude,
                listing.public_longitude,
            )
        )
    context = {
        "listing": listing,
        "is_author": is_author,
        "responses": responses,
        "my_response": mine,
        "distance": distance,
        "centre": centre,
        "respond_form": forms.get("respond_form") or RespondForm(),
        "can_respond": user.is_authenticated
        and not is_author
        and listing.is_open
        and (mine is None or mine.state == Response.State.WITHDRAWN),
        "reply_form": ReplyForm(),
        "default_decline": services.default_decline_text(),
        "matches": list(listing.matches.select_related("helper")) if is_author else [],
    }
    if listing.kind == Listing.Kind.LEND:
        context["bookings"] = list(
            selectors.bookings_for_listing(viewer=user, listing=listing)
        )
        context["calendar_start"] = timezone.localdate()
        context["free_ranges"] = selectors.free_ranges(
            listing, start=context["calendar_start"]
        )
        context["booking_form"] = forms.get("booking_form") or BookingForm()
    return context


def _listing_form_response(request, form, listing=None, status=200) -> HttpResponse:
    photos = list(listing.photos.all()) if listing else []
    typed = _photo_descriptions(request.POST) if request.method == "POST" else {}
    for photo in photos:  # a failed form keeps the descriptions typed
        photo.alt_value = typed.get(photo.pk, photo.alt_text)
    context = {
        "form": form,
        "listing": listing,
        "photos": photos,
        "tag_options": selectors.tag_suggestions(""),
        "map_config": {
            "tiles": settings.NABOLAG_MAP_TILE_URL,
            "attribution": settings.NABOLAG_MAP_TILE_ATTRIBUTION,
        },
    }
    return render(request, "marketplace/form.html", context, status=status)


def _service_fields(data: dict) -> dict:
    return {
        "title": data["title"],
        "description": data["description"],
        "category": data["category"],
        "communities": list(data["communities"]),
        "everyone_nearby": data["everyone_nearby"],
        "tags": data["tags"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "expires_at": data["ends_at"],
        "helpers_needed": data["helpers_needed"],
        "photos": data["photos"],
        "photo_description": data["photo_description"],
    }


def _photo_descriptions(post) -> dict[int, str]:
    """``photo_alt_<id>`` fields of the edit form; the service checks ownership."""
    found = {}
    for name, value in post.items():
        if name.startswith("photo_alt_") and name[10:].isdigit():
            found[int(name[10:])] = value
    return found


@login_required
def listing_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"kind": request.GET.get("kind", Listing.Kind.REQUEST)}
        return _listing_form_response(
            request, ListingForm(author=request.user, initial=initial)
        )
    form = ListingForm(request.POST, request.FILES, author=request.user)
    if not form.is_valid():
        return _listing_form_response(request, form, status=400)
    data = form.cleaned_data
    try:
        listing = services.listing_create(
            author=request.user,
            kind=data["kind"],
            place=data["place"],
            publish="save_draft" not in request.POST,
            client_id=data["client_id"],
            **_service_fields(data),
        )
    except ApplicationError as exc:
        show_refusal(request, exc, form=form)
        return _listing_form_response(request, form, status=400)
    if listing.is_open:
        messages.success(request, _("Your listing is published."))
    else:
        messages.success(
            request, _("Your draft is saved. Publish it when you are ready.")
        )
    return redirect(listing)


def _own_listing(request: HttpRequest, pk: int) -> Listing:
    listing = get_object_or_404(Listing, pk=pk)
    if listing.author_id != request.user.pk:
        raise Http404
    return listing


@login_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _own_listing(request, pk)
    location = selectors.private_location(viewer=request.user, listing=listing)
    initial = {
        "title": listing.title,
        "description": listing.description,
        "category": listing.category,
        "tags": ", ".join(t.name for t in listing.tags.all()),
        "communities": list(listing.communities.all()),
        "everyone_nearby": listing.everyone_nearby,
        "address": location.address if location else "",
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "starts_at": listing.starts_at,
        "ends_at": listing.ends_at,
        "helpers_needed": listing.helpers_needed,
    }
    if request.method != "POST":
        form = ListingForm(author=request.user, listing=listing, initial=initial)
        return _listing_form_response(request, form, listing)
    form = ListingForm(
        request.POST,
        request.FILES,
        author=request.user,
        listing=listing,
        initial=initial,
    )
    if not form.is_valid():
        return _listing_form_response(request, form, listing, status=400)
    fields = _service_fields(form.cleaned_data)
    fields["expires_at"] = None
    fields["photo_descriptions"] = _photo_descriptions(request.POST)
    try:
        services.listing_update(
            actor=request.user,
            listing=listing,
            place=form.cleaned_data.get("place"),
            **fields,
        )
    except ApplicationError as exc:
        show_refusal(request, exc, form=form)
        return _listing_form_response(request, form, listing, status=400)
    messages.success(request, _("Your changes are saved."))
    return redirect(listing)


@login_required
@require_POST
def listing_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Publish, withdraw or renew one's own listing."""
    actions = {
        "publish": (services.listing_publish, _("Your listing is published.")),
        "withdraw": (services.listing_withdraw, _("Your listing is withdrawn.")),
        "renew": (
            services.listing_renew,
            _("Your listing is open for another 30 days."),
        ),
    }
    if action not in actions:
        raise Http404
    listing = _own_listing(request, pk)
    service, done = actions[action]
    try:
        service(actor=request.user, listing=listing)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect(listing)


@login_required
def listing_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """The page the expiry e-mail links to: one button to renew (a POST)."""
    listing = _own_listing(request, pk)
    return render(request, "marketplace/renew.html", {"listing": listing})


@login_required
@require_POST
def photo_delete(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(ListingPhoto.objects.select_related("listing"), pk=pk)
    try:
        services.photo_delete(actor=request.user, photo=photo)
    except ApplicationError as exc:
        show_refusal(request, exc)
    return redirect("marketplace:edit", pk=photo.listing_id)


@login_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _listing_or_404(request, pk)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.response_create(
                responder=request.user,
                listing=listing,
                message=form.cleaned_data["message"],
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(
                request, _("Your answer is sent. You will hear back soon.")
            )
            return redirect(listing)
    context = _detail_context(request, listing, respond_form=form)
    return render(request, "marketplace/detail.html", context, status=400)


@login_required
@require_POST
def response_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept or decline (the author), or withdraw (the responder) a response."""
    response = get_object_or_404(Response.objects.select_related("listing"), pk=pk)
    form = ReplyForm(request.POST)
    reply = form.cleaned_data["reply"] if form.is_valid() else ""
    try:
        if action == "accept":
            match = services.response_accept(
                actor=request.user, response=response, reply=reply
            )
            messages.success(
                request, _("Agreed! You can now see each other's details.")
            )
            return redirect(match)
        if action == "decline":
            services.response_decline(
                actor=request.user, response=response, reply=reply
            )
            messages.success(request, _("The answer is declined with a friendly note."))
        elif action == "withdraw":
            services.response_withdraw(actor=request.user, response=response)
            messages.success(request, _("Your answer is withdrawn."))
        else:
            raise Http404
    except ApplicationError as exc:
        show_refusal(request, exc)
    return redirect("marketplace:detail", pk=response.listing_id)


@login_required
def match_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The agreement: both sides, the exact address (recorded), the conversation."""
    match = selectors.match_for_viewer(viewer=request.user, pk=pk)
    if match is None:
        raise Http404
    location = services.match_reveal_address(viewer=request.user, match=match)
    counterpart = match.helper if match.author_id == request.user.pk else match.author
    context = {
        "match": match,
        "listing": match.listing,
        "location": location,
        "counterpart": counterpart,
        "is_author": match.author_id == request.user.pk,
        "done_form": DoneForm(),
        "reopen_form": ReopenForm(),
        "thread_url": _thread_url(match),
    }
    response = render(request, "marketplace/match.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _thread_url(match: Match) -> str | None:
    return threads.thread_url(match)


@login_required
@require_POST
def match_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    match = selectors.match_for_viewer(viewer=request.user, pk=pk)
    if match is None:
        raise Http404
    try:
        if action == "done":
            form = DoneForm(request.POST)
            thanks = form.cleaned_data["thanks"] if form.is_valid() else ""
            services.match_done(actor=request.user, match=match, thanks=thanks)
            messages.success(
                request, _("Marked as done. Thank you for helping each other!")
            )
        elif action == "reopen":
            form = ReopenForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.match_reopen(actor=request.user, match=match, reason=reason)
            messages.success(request, _("Your listing is open again."))
            return redirect(match.listing)
        else:
            raise Http404
    except ApplicationError as exc:
        show_refusal(request, exc)
    return redirect(match)


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    listing = _listing_or_404(request, pk)
    form = BookingForm(request.POST)
    lender = listing.author_id == request.user.pk
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
    context = _detail_context(request, listing, booking_form=form)
    return render(request, "marketplace/detail.html", context, status=400)


@login_required
@require_POST
def booking_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = get_object_or_404(Booking.objects.select_related("listing"), pk=pk)
    actions = {
        "confirm": services.booking_confirm,
        "decline": services.booking_decline,
        "handover": services.booking_handover,
        "return": services.booking_return,
        "cancel": services.booking_cancel,
    }
    if action not in actions:
        raise Http404
    try:
        actions[action](actor=request.user, booking=booking)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("The booking is updated."))
    return redirect("marketplace:detail", pk=booking.listing_id)


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
    if request.method == "POST":
        services.alerts_mark_seen(user=request.user)
        return redirect("marketplace:alerts")
    hits = selectors.alerts_for(request.user)[:100]
    return render(
        request, "marketplace/alerts.html", {"hits": hits, "now": timezone.now()}
    )
