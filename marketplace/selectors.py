"""Reads of the marketplace, scoped by who may see what, and radius search.

Visibility of a listing: its author, municipal staff and the other side of one of
its matches always see it. Anyone else sees it once published when it is shared
with "everyone nearby", in a public community, or in a community they are an
active member of. The private location is read only by ``private_location``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import is_municipal_staff
from hub import geo

from .models import (
    Booking,
    Listing,
    ListingLocation,
    ListingPhoto,
    Match,
    Response,
    Watch,
    WatchHit,
)

AnyUser = User | AnonymousUser
PER_PAGE = 20
PUBLISHED = (Listing.State.OPEN, Listing.State.MATCHED, Listing.State.DONE)


def _audience_q(user: AnyUser) -> Q:
    """Listings shared with ``user``'s audience (not counting authorship)."""
    shared = Listing.communities.through.objects.filter(listing_id=OuterRef("pk"))
    reach = Q(community__visibility=Community.Visibility.PUBLIC)
    if user.is_authenticated:
        # A subquery, not a list: one round trip less on every search.
        mine = Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
        reach |= Q(community_id__in=mine.values("community_id"))
    return Q(everyone_nearby=True) | Exists(shared.filter(reach))


def visible_listings(user: AnyUser) -> QuerySet[Listing]:
    """Published listings ``user`` may see, plus their own in any state."""
    qs = Listing.objects.all()
    if is_municipal_staff(user):
        return qs.exclude(state=Listing.State.DRAFT)
    published = Q(state__in=PUBLISHED) & _audience_q(user)
    if user.is_authenticated:
        counterpart = Exists(
            Match.objects.filter(listing_id=OuterRef("pk"), helper=user)
        )
        return qs.filter(published | Q(author=user) | counterpart)
    return qs.filter(published)


def listing_for_viewer(*, viewer: AnyUser, pk: int) -> Listing | None:
    """One listing with author, tags and photos, or None when hidden from ``viewer``."""
    return (
        visible_listings(viewer)
        .select_related("author")
        .prefetch_related("tags", "photos", "communities")
        .filter(pk=pk)
        .first()
    )


def can_view_listing(*, user: AnyUser, listing: Listing) -> bool:
    return visible_listings(user).filter(pk=listing.pk).exists()


def private_location(*, viewer: AnyUser, listing: Listing) -> ListingLocation | None:
    """The exact point and address: for the author and a matched counterpart only."""
    if not viewer.is_authenticated:
        return None
    allowed = listing.author_id == viewer.pk or (
        Match.objects.filter(
            listing=listing,
            helper=viewer,
            state__in=[Match.State.ACTIVE, Match.State.DONE],
        ).exists()
    )
    if not allowed:
        return None
    return ListingLocation.objects.filter(listing=listing).first()


# --- radius search -------------------------------------------------------------------


@dataclass
class Hit:
    listing: Listing
    distance_km: float | None = None  # rounded; never the raw figure


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    page: int
    pages: int
    centre: tuple[float, float] | None = None
    radius_km: float | None = None
    page_range: list[int] = field(default_factory=list)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _filtered(
    viewer: AnyUser,
    *,
    text: str,
    kind: str,
    category: str,
    tag: str,
    community: Community | None,
) -> QuerySet[Listing]:
    # Open listings only: the same rule as visible_listings() without the check
    # for matched counterparts, which only matters once a listing is no longer
    # open and would cost a subquery per candidate.
    qs = Listing.objects.filter(state=Listing.State.OPEN)
    if not is_municipal_staff(viewer):
        scope = _audience_q(viewer)
        if viewer.is_authenticated:
            scope |= Q(author=viewer)
        qs = qs.filter(scope)
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text))
    if kind:
        qs = qs.filter(kind=kind)
    if category:
        qs = qs.filter(category=category)
    if tag:
        qs = qs.filter(tags__name__iexact=tag)
    if community is not None:
        shared = Listing.communities.through.objects.filter(
            listing_id=OuterRef("pk"), community_id=community.pk
        )
        qs = qs.filter(Exists(shared))
    return qs


def _within_radius(
    qs: QuerySet[Listing], lat: float, lon: float, radius_km: float, *, newest: bool
) -> list[tuple[float, float, int]]:
    """(sort key, approximate km, pk) of the listings within the radius.

    The indexed bounding box finds candidates; a cheap distance (hub.geo's local
    plane, within 0.05 % of the geodesic) settles the clear cases and geopy's
    geodesic decides those near the edge, where the two can disagree. The
    sort key is the distance, or minus the publication time for ``newest`` (only
    then is the date fetched: parsing it costs more than the distance).
    """
    box = geo.bounding_box(lat, lon, radius_km)
    fields = ["pk", "public_latitude", "public_longitude"]
    rows = (
        qs.filter(
            public_latitude__range=(box.min_lat, box.max_lat),
            public_longitude__range=(box.min_lon, box.max_lon),
        )
        .order_by()
        .values_list(*fields, *(["published_at"] if newest else []))
    )
    cheap_km, tolerance = geo.cheap_distance(lat, radius_km)
    inner, outer = radius_km * (1 - tolerance), radius_km * (1 + tolerance)
    found = []
    for row in rows:
        pk, p_lat, p_lon = row[0], row[1], row[2]
        distance = cheap_km(lat, lon, p_lat, p_lon)
        if distance > outer or (
            distance > inner and geo.geodesic_km(lat, lon, p_lat, p_lon) > radius_km
        ):
            continue
        key = -row[3].timestamp() if newest and row[3] else distance
        found.append((key, distance, pk))
    return found


def _load_page(pks: list[int]) -> list[Listing]:
    """The listings of one page with authors, ``first_photo`` and ``tag_names``.

    Tag names come from one plain query: taggit's own prefetch builds a queryset
    per listing, which costs more than the whole search.
    """
    by_pk = Listing.objects.filter(pk__in=pks).select_related("author").in_bulk()
    first_photo: dict[int, ListingPhoto] = {}
    for photo in ListingPhoto.objects.filter(listing_id__in=pks).order_by("position"):
        first_photo.setdefault(photo.listing_id, photo)
    names: dict[int, list[str]] = defaultdict(list)
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Listing), object_id__in=pks
    )
    for object_id, name in tagged.values_list("object_id", "tag__name").order_by(
        "tag__name"
    ):
        names[object_id].append(name)
    listings = [by_pk[pk] for pk in pks if pk in by_pk]
    for listing in listings:
        listing.tag_names = names[listing.pk]
        listing.first_photo = first_photo.get(listing.pk)
    return listings


def _page_range(page: int, pages: int) -> list[int]:
    return list(range(max(1, page - 3), min(pages, page + 3) + 1))


def listing_search(
    *,
    viewer: AnyUser,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: float = 10,
    text: str = "",
    kind: str = "",
    category: str = "",
    tag: str = "",
    community: Community | None = None,
    sort: str = "distance",
    page: int = 1,
    per_page: int = PER_PAGE,
) -> SearchResult:
    """Open listings ``viewer`` may see, filtered, near a centre when one is given.

    With a centre: only listings whose public point lies within ``radius_km``,
    sorted by distance (default) or newest; distances shown are from the public
    point and rounded. Without a centre: newest first. Pages of ``per_page``.
    """
    qs = _filtered(
        viewer, text=text, kind=kind, category=category, tag=tag, community=community
    )
    page = max(1, page)
    if latitude is None or longitude is None:
        total = qs.count()
        pages = max(1, -(-total // per_page))
        page = min(page, pages)
        start = (page - 1) * per_page
        pks = list(
            qs.order_by("-published_at", "-pk").values_list("pk", flat=True)[
                start : start + per_page
            ]
        )
        hits = [Hit(listing) for listing in _load_page(pks)]
        return SearchResult(
            hits, total, page, pages, None, None, _page_range(page, pages)
        )
    found = _within_radius(qs, latitude, longitude, radius_km, newest=sort == "newest")
    found.sort()
    total = len(found)
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    window = found[(page - 1) * per_page : page * per_page]
    listings = _load_page([pk for _key, _distance, pk in window])
    hits = [
        Hit(
            listing,
            geo.shown_distance_km(
                latitude, longitude, listing.public_latitude, listing.public_longitude
            ),
        )
        for listing in listings
    ]
    return SearchResult(
        hits,
        total,
        page,
        pages,
        (latitude, longitude),
        radius_km,
        _page_range(page, pages),
    )


# --- the viewer's own things ---------------------------------------------------------


def my_listings(user: AnyUser) -> QuerySet[Listing]:
    if not user.is_authenticated:
        return Listing.objects.none()
    return (
        Listing.objects.filter(author=user)
        .annotate(
            pending_count=Count(
                "responses", filter=Q(responses__state=Response.State.PENDING)
            )
        )
        .order_by("-created_at")
    )


def my_responses(user: AnyUser) -> QuerySet[Response]:
    if not user.is_authenticated:
        return Response.objects.none()
    return (
        Response.objects.filter(responder=user)
        .select_related("listing", "listing__author", "match")
        .order_by("-created_at")
    )


def my_matches(user: AnyUser) -> QuerySet[Match]:
    if not user.is_authenticated:
        return Match.objects.none()
    return (
        Match.objects.filter(Q(author=user) | Q(helper=user))
        .select_related("listing", "author", "helper")
        .order_by("-created_at")
    )


def responses_for_listing(*, viewer: AnyUser, listing: Listing) -> QuerySet[Response]:
    """All responses, for the author only; otherwise just the viewer's own."""
    if not viewer.is_authenticated:
        return Response.objects.none()
    qs = Response.objects.filter(listing=listing).select_related("responder", "match")
    if listing.author_id == viewer.pk:
        return qs
    return qs.filter(responder=viewer)


def match_for_viewer(*, viewer: AnyUser, pk: int) -> Match | None:
    """A match, for its two sides only."""
    if not viewer.is_authenticated:
        return None
    return (
        Match.objects.select_related("listing", "author", "helper", "response")
        .filter(Q(author=viewer) | Q(helper=viewer), pk=pk)
        .first()
    )


def active_match_count(listing: Listing) -> int:
    return Match.objects.filter(
        listing=listing, state__in=[Match.State.ACTIVE, Match.State.DONE]
    ).count()


# --- lending -------------------------------------------------------------------------


def holding_bookings(listing: Listing) -> QuerySet[Booking]:
    """Bookings that occupy the item's calendar."""
    return Booking.objects.filter(listing=listing, state__in=Booking.HOLDING)


def bookings_for_listing(*, viewer: AnyUser, listing: Listing) -> QuerySet[Booking]:
    """All bookings for the lender; the borrower's own for anyone else."""
    if not viewer.is_authenticated:
        return Booking.objects.none()
    qs = Booking.objects.filter(listing=listing).select_related("borrower")
    if listing.author_id == viewer.pk:
        return qs.order_by("starts_on")
    return qs.filter(borrower=viewer).order_by("starts_on")


def free_ranges(
    listing: Listing, *, start: date | None = None, days: int = 60
) -> list[tuple[date, date]]:
    """Free whole-day ranges (both ends included) from ``start`` for ``days`` days."""
    start = start or timezone.localdate()
    end = start + timedelta(days=days - 1)
    busy = holding_bookings(listing).filter(ends_on__gte=start, starts_on__lte=end)
    free, cursor = [], start
    for b_start, b_end in busy.order_by("starts_on").values_list(
        "starts_on", "ends_on"
    ):
        if b_start > cursor:
            free.append((cursor, min(end, b_start - timedelta(days=1))))
        cursor = max(cursor, b_end + timedelta(days=1))
    if cursor <= end:
        free.append((cursor, end))
    return free


def my_bookings(user: AnyUser) -> QuerySet[Booking]:
    if not user.is_authenticated:
        return Booking.objects.none()
    return (
        Booking.objects.filter(Q(borrower=user) | Q(listing__author=user))
        .select_related("listing", "borrower", "listing__author")
        .order_by("starts_on")
    )


# --- watches, alerts, tags -----------------------------------------------------------


def watches_for(user: AnyUser) -> QuerySet[Watch]:
    if not user.is_authenticated:
        return Watch.objects.none()
    return Watch.objects.filter(user=user).order_by("-created_at")


def alerts_for(user: AnyUser) -> QuerySet[WatchHit]:
    """The user's alerts, newest first, hiding listings they may no longer see."""
    if not user.is_authenticated:
        return WatchHit.objects.none()
    return (
        WatchHit.objects.filter(
            watch__user=user, listing__in=visible_listings(user).values("pk")
        )
        .select_related("listing", "watch")
        .order_by("-created_at")
    )


def unseen_alert_count(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return WatchHit.objects.filter(watch__user=user, seen_at__isnull=True).count()


def tag_suggestions(prefix: str, *, limit: int = 10) -> list[str]:
    """Existing tag names starting with ``prefix``, the most used first."""
    qs = Tag.objects.all()
    prefix = (prefix or "").strip()
    if prefix:
        qs = qs.filter(name__istartswith=prefix)
    return list(
        qs.annotate(uses=Count("taggit_taggeditem_items"))
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:limit]
    )


def user_centre(user: AnyUser) -> geo.GeoPoint | None:
    """Where "near me" starts without a typed address: the home village's centre."""
    if not user.is_authenticated or user.home_community_id is None:
        return None
    community = user.home_community
    if not community.has_point:
        return None
    return geo.GeoPoint(community.latitude, community.longitude, community.name)


def community_places() -> list[geo.GeoPoint]:
    """The communities' own centres, which the offline geocoder knows by name."""
    return [
        geo.GeoPoint(lat, lon, name)
        for name, lat, lon in Community.objects.filter(
            latitude__isnull=False
        ).values_list("name", "latitude", "longitude")
    ]
