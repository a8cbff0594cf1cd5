"""Writing one's own listing: create, edit, publish, withdraw, renew, photos."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import selectors, services
from ..forms import KindForm, ListingForm
from ..forms.listing import kind_or_none
from ..models import Listing, ListingPhoto


def _own_listing_or_404(request: HttpRequest, pk: int) -> Listing:
    listing = selectors.own_listing(viewer=request.user, pk=pk)
    if listing is None:
        raise Http404
    return listing


def _form_page(
    request: HttpRequest,
    form: ListingForm,
    listing: Listing | None = None,
    status: int = 200,
) -> HttpResponse:
    photos = list(listing.photos.all()) if listing else []
    typed = form.photo_descriptions()
    for photo in photos:  # a failed form keeps the descriptions typed
        photo.alt_value = typed.get(photo.pk, photo.alt_text)
    context = {
        "form": form,
        "kind_label": Listing.Kind(form.kind).label if form.kind else "",
        "listing": listing,
        "photos": photos,
        "tag_options": selectors.tag_suggestions(""),
        "map_config": {
            "tiles": settings.NABOLAG_MAP_TILE_URL,
            "attribution": settings.NABOLAG_MAP_TILE_ATTRIBUTION,
            "centre": form.map_centre(),
        },
    }
    return render(request, "marketplace/form.html", context, status=status)


def _kind_page(request: HttpRequest, form: KindForm, status: int = 200) -> HttpResponse:
    return render(request, "marketplace/kind.html", {"form": form}, status=status)


@login_required
def listing_create(request: HttpRequest) -> HttpResponse:
    """First the choice of kind, then the empty form for that kind (?kind=),
    or the posted one published, or saved as a draft with "save draft"."""
    if request.method != "POST":
        kind = kind_or_none(request.GET.get("kind"))
        if kind is None:
            # A kind asked for that does not exist is refused on the choice.
            kind_form = KindForm(request.GET) if "kind" in request.GET else KindForm()
            return _kind_page(request, kind_form)
        form = ListingForm(author=request.user, initial={"kind": kind})
        return _form_page(request, form)
    if kind_or_none(request.POST.get("kind")) is None:
        return _kind_page(request, KindForm(request.POST), status=400)
    form = ListingForm(request.POST, request.FILES, author=request.user)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    try:
        listing = services.listing_create(
            author=request.user,
            fields=form.listing_fields(),
            photos=form.cleaned_data["photos"],
            photo_description=form.cleaned_data["photo_description"],
            publish="save_draft" not in request.POST,
            client_id=form.cleaned_data["client_id"],
        )
    except ApplicationError as exc:
        show_refusal(request, exc, form=form)
        return _form_page(request, form, status=400)
    if listing.is_open:
        messages.success(request, _("Your listing is published."))
    else:
        messages.success(
            request, _("Your draft is saved. Publish it when you are ready.")
        )
    return redirect(listing)


@login_required
def listing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """One's own listing's form, starting from what it says now."""
    listing = _own_listing_or_404(request, pk)
    if request.method != "POST":
        form = ListingForm(author=request.user, listing=listing)
        return _form_page(request, form, listing)
    form = ListingForm(
        request.POST, request.FILES, author=request.user, listing=listing
    )
    if not form.is_valid():
        return _form_page(request, form, listing, status=400)
    try:
        services.listing_update(
            actor=request.user,
            listing=listing,
            fields=form.listing_fields(),
            photos=form.cleaned_data["photos"],
            photo_description=form.cleaned_data["photo_description"],
            photo_descriptions=form.photo_descriptions(),
        )
    except ApplicationError as exc:
        show_refusal(request, exc, form=form)
        return _form_page(request, form, listing, status=400)
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
    listing = _own_listing_or_404(request, pk)
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
    listing = _own_listing_or_404(request, pk)
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
