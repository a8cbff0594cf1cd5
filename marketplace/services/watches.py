"""Watches: "tell me about new listings in these categories within R km"."""

from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hub import geo, ratelimit
from marketplace import selectors
from marketplace.models import Category, Listing, Watch, WatchHit
from messaging import events

from ._common import MarketplaceError, NotPermitted, require_user
from .listings import resolve_place
from .validation import Place

MAX_WATCHES = 10
MAX_RADIUS_KM = 50


def watch_create(
    *,
    user: User,
    categories: Sequence[str],
    place: Place,
    radius_km: int = 5,
    kinds: Sequence[str] = (),
) -> Watch:
    """Save a watch around a place (typed, picked, or the home village)."""
    require_user(user)
    if not categories:
        raise MarketplaceError(_("Choose at least one category."))
    if any(c not in Category.values for c in categories):
        raise MarketplaceError(_("Unknown category."))
    if any(k not in Listing.Kind.values for k in kinds):
        raise MarketplaceError(_("Unknown kind of listing."))
    if not 1 <= radius_km <= MAX_RADIUS_KM:
        raise MarketplaceError(_("Choose a distance between 1 and 50 km."))
    if Watch.objects.filter(user=user).count() >= MAX_WATCHES:
        raise MarketplaceError(_("You can keep at most 10 watches."))
    point = resolve_place(place)
    ratelimit.hit("watch-create", key=user.pk)
    label = place.address.strip() or geo.nearest_place_name(
        point.latitude, point.longitude, extra_places=selectors.community_places()
    )
    return Watch.objects.create(
        user=user,
        categories=list(dict.fromkeys(categories)),
        kinds=list(dict.fromkeys(kinds)),
        radius_km=radius_km,
        latitude=point.latitude,
        longitude=point.longitude,
        centre_label=label[:120],
    )


def watch_delete(*, user: User, watch: Watch) -> None:
    """Remove one of one's own watches and its alerts."""
    require_user(user)
    if watch.user_id != user.pk:
        raise NotPermitted
    watch.delete()


def watch_match_listing(*, listing: Listing) -> list[WatchHit]:
    """Alert every watch (not the author's) that a newly published listing fits.

    Watches are prefiltered on a latitude band, then by category, kind, distance
    from the public point, and whether the watcher may see the listing at all.
    A listing hidden by moderation alerts nobody, staff included.
    """
    if listing.state != Listing.State.OPEN or listing.hidden_at is not None:
        return []
    box = geo.bounding_box(
        listing.public_latitude, listing.public_longitude, MAX_RADIUS_KM
    )
    candidates = (
        Watch.objects.filter(active=True, latitude__range=(box.min_lat, box.max_lat))
        .exclude(user_id=listing.author_id)
        .exclude(hits__listing=listing)  # alerted already: never twice
        .select_related("user")
    )
    hits = []
    for watch in candidates:
        if listing.category not in watch.categories:
            continue
        if watch.kinds and listing.kind not in watch.kinds:
            continue
        distance = geo.geodesic_km(
            watch.latitude,
            watch.longitude,
            listing.public_latitude,
            listing.public_longitude,
        )
        if distance > watch.radius_km:
            continue
        if not selectors.can_view_listing(user=watch.user, listing=listing):
            continue
        hits.append((WatchHit(watch=watch, listing=listing), distance))
    with transaction.atomic():
        created = WatchHit.objects.bulk_create(
            [hit for hit, _distance in hits], ignore_conflicts=True
        )
        for hit, distance in hits:
            _alert_live(hit.watch.user, listing, distance)
    return created


def _alert_live(user: User, listing: Listing, distance_km: float) -> None:
    """Tell the watcher's open tabs at once, in their language. Only what a
    public list shows leaves: title, kind and the rounded distance."""
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        text = _("New near you: %(title)s (%(kind)s, %(distance)s)") % {
            "title": listing.title,
            "kind": listing.get_kind_display(),
            "distance": geo.distance_text(geo.round_distance_km(distance_km)),
        }
    events.to_user(
        user.pk,
        {
            "type": "alert",
            "listing": listing.pk,
            "text": str(text),
            "url": reverse("marketplace:detail", args=[listing.pk]),
        },
    )


def alerts_mark_seen(*, user: User) -> int:
    """Mark all of the user's alerts as seen; returns how many changed."""
    require_user(user)
    return WatchHit.objects.filter(watch__user=user, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
