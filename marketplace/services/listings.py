"""Writes to listings: create, update, publish, withdraw, renew, expire."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community
from communities.selectors import active_community_ids
from hub import geo, ratelimit
from hub.images import MAX_PHOTOS, PhotoInvalid, card_picture, clean_photo
from hub.oncommit import on_commit
from marketplace import selectors, tasks
from marketplace.models import Listing, ListingLocation, ListingPhoto, Match
from moderation import screening
from moderation.sanctions import require_may_write

from ._common import (
    InvalidState,
    ListingInvalid,
    LocationUnknown,
    MarketplaceError,
    NotPermitted,
    notify,
    require_user,
)
from .validation import ENDED, ListingFields, Place

State = Listing.State
CLIENT_ID_MAX = 64
EDITABLE = (State.DRAFT, State.OPEN)


def resolve_place(place: Place) -> geo.GeoPoint:
    """The exact point of ``place``: a picked point wins, else the geocoded address.

    Half a point (a latitude without a longitude) or one off the map is refused.
    """
    if (place.latitude is None) != (place.longitude is None):
        raise LocationUnknown(_("Give both latitude and longitude, or neither."))
    if place.latitude is not None and place.longitude is not None:
        if not (-90 <= place.latitude <= 90 and -180 <= place.longitude <= 180):
            raise LocationUnknown(_("This point is not on the map."))
        return geo.GeoPoint(place.latitude, place.longitude, place.address)
    point = geo.geocode(place.address, extra_places=selectors.community_places())
    if point is None:
        raise LocationUnknown
    return point


def _check_membership(author: User, communities: Sequence[Community]) -> None:
    mine = active_community_ids(author)
    if any(c.pk not in mine for c in communities):
        raise NotPermitted(_("You can only share in communities you are a member of."))


def _store_location(listing: Listing, point: geo.GeoPoint, address: str) -> None:
    """Save the private point and derive the public one, once, from it."""
    ListingLocation.objects.update_or_create(
        listing=listing,
        defaults={
            "latitude": point.latitude,
            "longitude": point.longitude,
            "address": address.strip(),
        },
    )
    listing.public_latitude, listing.public_longitude = geo.snap_to_grid(
        point.latitude, point.longitude
    )
    listing.place_name = geo.nearest_place_name(
        point.latitude, point.longitude, extra_places=selectors.community_places()
    )


def _add_photos(
    listing: Listing,
    photos: Iterable[UploadedFile],
    description: str = "",
    *,
    written: list[str],
) -> None:
    """Every photo is checked and re-encoded before the first is stored; the
    names of the stored files go to ``written``."""
    photos = list(photos)
    existing = listing.photos.count()
    if existing + len(photos) > MAX_PHOTOS:
        raise MarketplaceError(_("A listing can have at most 4 photos."))
    contents = []
    for upload in photos:
        try:
            contents.append(clean_photo(upload))
        except PhotoInvalid as exc:
            raise MarketplaceError(exc.message) from exc
    for position, content in enumerate(contents, start=existing):
        photo = ListingPhoto.objects.create(
            listing=listing,
            image=content,
            card=card_picture(content),
            position=position,
            alt_text=_one_line(description, 200),
        )
        written += [photo.image.name, photo.card.name]


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Photo files stored by a write that then fails are deleted again: the
    rows roll back with the transaction, the files on disk would stay behind."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = ListingPhoto._meta.get_field("image").storage
        for name in written:
            storage.delete(name)
        raise


def _one_line(text: str, limit: int) -> str:
    return " ".join(text.split())[:limit]


def _describe_photos(listing: Listing, descriptions: Mapping[int, str]) -> None:
    """New descriptions (alt texts) for the listing's own photos; others are ignored."""
    for photo in listing.photos.filter(pk__in=list(descriptions)):
        text = _one_line(descriptions[photo.pk], 200)
        if text != photo.alt_text:
            photo.alt_text = text
            photo.save(update_fields=["alt_text", "updated_at"])


def listing_create(
    *,
    author: User,
    fields: ListingFields,
    photos: Iterable[UploadedFile] = (),
    photo_description: str = "",
    publish: bool = False,
    client_id: str = "",
) -> Listing:
    """Create a listing as a draft, or published at once with ``publish``.

    Refuses what ``ListingFields`` refuses (ListingInvalid, naming the fields:
    an unknown kind or category, a blank title or description, a window that
    has ended, several helpers on anything but a volunteer call, no audience),
    communities the author is not an active member of, no place or an address
    nobody can find, more than four photos or a file that is not a photo. The
    listing expires at its end, or 30 days after publishing. Ten an hour per
    person. A retry with the same ``client_id`` returns the first listing
    unchanged and creates nothing.
    """
    require_user(author)
    client_id = _clean_client_id(client_id)
    if client_id:
        replayed = Listing.objects.filter(author=author, client_id=client_id).first()
        if replayed is not None:
            return replayed
    fields.check()
    _check_membership(author, fields.communities)
    require_may_write(
        author,
        space_ids=[c.pk for c in fields.communities],
        text=f"{fields.title}\n{fields.description}",
        action="listing-create",
    )
    place = fields.place or Place()
    point = resolve_place(place)
    ratelimit.hit("listing-create", key=author.pk)
    try:
        with _files_removed_on_failure() as written, transaction.atomic():
            listing = _new_listing(author, fields, client_id)
            _store_location(listing, point, place.address)
            listing.save(
                update_fields=["public_latitude", "public_longitude", "place_name"]
            )
            listing.communities.set(fields.communities)
            listing.tags.set(list(fields.tags))
            _add_photos(listing, photos, photo_description, written=written)
            if publish:
                _publish(listing)
            _screen(listing, fields)
    except IntegrityError:
        # The same client_id raced us: the first of the two is the listing.
        raced = client_id and Listing.objects.filter(author=author, client_id=client_id)
        if not raced or not raced.exists():
            raise
        return raced.get()
    return listing


def _clean_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    if len(client_id) > CLIENT_ID_MAX:
        raise ListingInvalid({"client_id": [_("This form is out of date; reload.")]})
    return client_id


def _new_listing(author: User, fields: ListingFields, client_id: str) -> Listing:
    listing = Listing(
        author=author,
        client_id=client_id,
        kind=fields.kind,
        title=fields.title,
        description=fields.description,
        category=fields.category,
        everyone_nearby=fields.everyone_nearby,
        starts_at=fields.starts_at,
        ends_at=fields.ends_at,
        expires_at=fields.ends_at,
        helpers_needed=fields.helpers_needed,
        public_latitude=0.0,
        public_longitude=0.0,
    )
    listing.save()
    return listing


def _require_author(actor: User, listing: Listing) -> None:
    require_user(actor)
    if listing.author_id != actor.pk:
        raise NotPermitted(_("Only the person who posted this can change it."))


def listing_update(
    *,
    actor: User,
    listing: Listing,
    fields: ListingFields,
    photos: Iterable[UploadedFile] = (),
    photo_description: str = "",
    photo_descriptions: Mapping[int, str] | None = None,
) -> Listing:
    """Change a draft or open listing to ``fields``; author only, checked like
    ``listing_create``.

    The kind stays the listing's own (``fields.kind`` is not read). A place
    moves the public point once more; None keeps it. A new end moves the
    expiry with it. ``photo_descriptions`` maps the listing's photos to new alt
    texts.
    """
    _require_author(actor, listing)
    if listing.state not in EDITABLE:
        raise InvalidState(_("Only drafts and open listings can be edited."))
    fields = replace(fields, kind=listing.kind).check()
    _check_membership(actor, fields.communities)
    require_may_write(
        actor,
        space_ids=[c.pk for c in fields.communities],
        text=f"{fields.title}\n{fields.description}",
    )
    point = resolve_place(fields.place) if fields.place is not None else None
    ratelimit.hit("listing-update", key=actor.pk)
    with _files_removed_on_failure() as written, transaction.atomic():
        _apply(listing, fields)
        if point is not None:
            _store_location(listing, point, fields.place.address)
        listing.save()
        listing.communities.set(fields.communities)
        listing.tags.set(list(fields.tags))
        _describe_photos(listing, photo_descriptions or {})
        _add_photos(listing, photos, photo_description, written=written)
        _screen(listing, fields)
    return listing


def _screen(listing: Listing, fields: ListingFields) -> None:
    """Automated screening (moderation.screening): a match queues the listing for
    its space's moderators and hides nothing."""
    screening.screen(
        kind="listing",
        item=listing,
        author=listing.author,
        text=f"{fields.title}\n{fields.description}",
        space_ids=[c.pk for c in fields.communities],
    )


def _apply(listing: Listing, fields: ListingFields) -> None:
    """Copy the fields onto the instance; a new end of a published listing
    moves its expiry."""
    end_moved = fields.ends_at != listing.ends_at
    listing.title, listing.description = fields.title, fields.description
    listing.category, listing.everyone_nearby = fields.category, fields.everyone_nearby
    listing.starts_at, listing.ends_at = fields.starts_at, fields.ends_at
    listing.helpers_needed = fields.helpers_needed
    if end_moved and listing.published_at:
        listing.expires_at = default_expiry(listing)


def default_expiry(listing: Listing) -> datetime:
    """When a listing published or re-opened now expires: its end if that is
    still ahead, else the default number of days from now."""
    days = getattr(settings, "NABOLAG_LISTING_DEFAULT_DAYS", 30)
    now = timezone.now()
    if listing.ends_at and listing.ends_at > now:
        return listing.ends_at
    return now + timedelta(days=days)


def _publish(listing: Listing) -> None:
    listing.state = State.OPEN
    listing.published_at = timezone.now()
    if not listing.expires_at or listing.expires_at <= listing.published_at:
        listing.expires_at = default_expiry(listing)
    listing.expiry_notified_at = None
    listing.save(
        update_fields=["state", "published_at", "expires_at", "expiry_notified_at"]
    )
    pk = listing.pk
    on_commit(
        lambda: tasks.match_watches.enqueue(listing_id=pk),
        what=f"match watches for listing {pk}",
    )


def listing_publish(*, actor: User, listing: Listing) -> Listing:
    """Publish a draft; author only. Watches that match are alerted after commit."""
    _require_author(actor, listing)
    if listing.state != State.DRAFT:
        raise InvalidState(_("Only a draft can be published."))
    if listing.ends_at and listing.ends_at <= timezone.now():
        raise ListingInvalid({"ends_at": [str(ENDED)]})
    with transaction.atomic():
        _publish(listing)
    return listing


def listing_withdraw(*, actor: User, listing: Listing) -> Listing:
    """Take a listing down; its agreed matches are cancelled. Author only."""
    _require_author(actor, listing)
    if listing.state not in (State.DRAFT, State.OPEN, State.MATCHED):
        raise InvalidState(_("This listing can no longer be withdrawn."))
    with transaction.atomic():
        listing.state = State.WITHDRAWN
        listing.save(update_fields=["state", "updated_at"])
        Match.objects.filter(listing=listing, state=Match.State.ACTIVE).update(
            state=Match.State.CANCELLED, updated_at=timezone.now()
        )
    return listing


def listing_renew(*, actor: User, listing: Listing, days: int | None = None) -> Listing:
    """Keep an open or expired listing up for another period. Author only."""
    _require_author(actor, listing)
    if listing.state not in (State.OPEN, State.EXPIRED):
        raise InvalidState(_("Only open or expired listings can be renewed."))
    ratelimit.hit("listing-renew", key=actor.pk)
    days = days or getattr(settings, "NABOLAG_LISTING_DEFAULT_DAYS", 30)
    with transaction.atomic():
        listing.state = State.OPEN
        listing.expires_at = timezone.now() + timedelta(days=days)
        listing.expiry_notified_at = None
        if listing.ends_at and listing.ends_at < timezone.now():
            listing.ends_at = None
        listing.save(
            update_fields=["state", "expires_at", "expiry_notified_at", "ends_at"]
        )
    return listing


def listing_expire_due(*, now: datetime | None = None) -> int:
    """Expire open listings past their expiry or their end and tell each author;
    returns how many."""
    now = now or timezone.now()
    past = Q(expires_at__lte=now) | Q(ends_at__lte=now)
    due = list(
        Listing.objects.filter(past, state=State.OPEN).values_list("pk", "author_id")
    )
    for pk, author_id in due:
        with transaction.atomic():
            changed = Listing.objects.filter(pk=pk, state=State.OPEN).update(
                state=State.EXPIRED, expiry_notified_at=now, updated_at=now
            )
            if changed:
                notify("listing_expired", user_id=author_id, object_id=pk)
    return len(due)


def photo_delete(*, actor: User, photo: ListingPhoto) -> None:
    """Remove one photo of one's own listing."""
    _require_author(actor, photo.listing)
    photo.image.delete(save=False)
    if photo.card:
        photo.card.delete(save=False)
    photo.delete()
