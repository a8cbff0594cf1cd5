"""Listings, answers and photos as moderation sees them: registered with
``moderation.registry`` from ``MarketplaceConfig.ready``.

All three are moderated in the first community the listing is shared in (by
its organisers), or by the municipality's moderators alone when it is shared
with no community ("everyone nearby" only). A report links to the listing's
page, which shows the answer or the photo reported.
"""

import hashlib

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community
from communities.selectors import is_municipal_staff
from moderation import registry

from . import selectors, services
from .models import Listing, ListingPhoto, Response


def _fingerprint(text: str) -> str:
    """A short, stable mark of the version reported: an edit opens a new case."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _space(listing: Listing) -> Community | None:
    return listing.communities.order_by("pk").first()


def _can_see_response(user: User, response: Response) -> bool:
    """The two sides of an answer and municipal staff: nobody else reads it.
    Once hidden, the listing's author does not either (the report form would
    show her its text)."""
    if not user.is_authenticated:
        return False
    if user.pk == response.responder_id:
        return True
    if user.pk == response.listing.author_id:
        return response.hidden_at is None
    return is_municipal_staff(user)


def _can_see_photo(user: User, photo: ListingPhoto) -> bool:
    """Whoever may see the listing; once hidden, its author (and staff) only."""
    listing = photo.listing
    if not selectors.can_view_listing(user=user, listing=listing):
        return False
    return (
        photo.hidden_at is None
        or selectors.is_author(viewer=user, listing=listing)
        or is_municipal_staff(user)
    )


def _listing() -> registry.Reportable:
    return registry.Reportable(
        kind="listing",
        model=Listing,
        label=_("listing"),
        author=lambda listing: listing.author,
        space=_space,
        revision=lambda listing: _fingerprint(
            f"{listing.title}\n{listing.description}"
        ),
        excerpt=lambda listing: f"{listing.title}\n\n{listing.description}",
        url=lambda listing: listing.get_absolute_url(),
        can_see=lambda user, listing: selectors.can_view_listing(
            user=user, listing=listing
        ),
        hide=services.listing_hide,
        restore=services.listing_restore,
    )


def _response() -> registry.Reportable:
    return registry.Reportable(
        kind="response",
        model=Response,
        label=_("response to a listing"),
        author=lambda response: response.responder,
        space=lambda response: _space(response.listing),
        revision=lambda response: _fingerprint(response.message),
        excerpt=lambda response: response.message,
        url=lambda response: response.listing.get_absolute_url(),
        can_see=_can_see_response,
        hide=services.response_hide,
        restore=services.response_restore,
    )


def _photo() -> registry.Reportable:
    return registry.Reportable(
        kind="photo",
        model=ListingPhoto,
        label=_("photo of a listing"),
        author=lambda photo: photo.listing.author,
        space=lambda photo: _space(photo.listing),
        revision=lambda photo: _fingerprint(photo.image.name),
        excerpt=lambda photo: photo.alt_text or photo.image.name,
        url=lambda photo: photo.listing.get_absolute_url(),
        can_see=_can_see_photo,
        hide=services.photo_hide,
        restore=services.photo_restore,
    )


def register() -> None:
    """Make listings, answers and photos reportable and hideable."""
    for reportable in (_listing(), _response(), _photo()):
        registry.register(reportable)
