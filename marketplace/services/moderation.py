"""Moderation's decisions carried out on the marketplace: hide and restore a
listing, an answer or a photo (registered in ``marketplace.moderation``).

These check no permission: ``moderation.services`` decides who may hide what,
and records the decision and its reasons, before it calls them. They take the
item positionally, as the registry's ``hide`` and ``restore`` call them, and
touch only ``hidden_at``: moderation is not an edit by the author.
"""

from django.db import models, transaction
from django.utils import timezone

from marketplace.models import Listing, ListingPhoto, Response, WatchHit


def _hide(item: models.Model) -> None:
    if item.hidden_at is None:  # hidden twice, it keeps the first time
        item.hidden_at = timezone.now()
        item.save(update_fields=["hidden_at"])


def _restore(item: models.Model) -> None:
    if item.hidden_at is not None:
        item.hidden_at = None
        item.save(update_fields=["hidden_at"])


def listing_hide(listing: Listing) -> None:
    """Hide ``listing`` from everyone but its author and municipal staff, and
    drop it from the watch alerts not yet e-mailed. No permission check: the
    caller (``moderation.services``) has made it."""
    with transaction.atomic():
        _hide(listing)
        WatchHit.objects.filter(listing=listing, emailed_at__isnull=True).delete()


def listing_restore(listing: Listing) -> None:
    """Show ``listing`` again to everyone it is shared with. The watch alerts
    dropped when it was hidden are not sent again. No permission check: the
    caller (``moderation.services``) has made it."""
    _restore(listing)


def response_hide(response: Response) -> None:
    """Hide an answer from the listing's author; its responder still sees it,
    marked. No permission check: the caller (``moderation.services``) has made
    it."""
    _hide(response)


def response_restore(response: Response) -> None:
    """Show a hidden answer to the listing's author again. No permission check:
    the caller (``moderation.services``) has made it."""
    _restore(response)


def photo_hide(photo: ListingPhoto) -> None:
    """Hide a photo from everyone but the listing's author, on its page and on
    cards. No permission check: the caller (``moderation.services``) has made
    it."""
    _hide(photo)


def photo_restore(photo: ListingPhoto) -> None:
    """Show a hidden photo again. No permission check: the caller
    (``moderation.services``) has made it."""
    _restore(photo)
