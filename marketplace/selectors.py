"""Reads of the marketplace, scoped by who may see what, and radius search.

Visibility of a listing: its author, municipal staff and the other side of one of
its matches always see it. Anyone else sees it once published when it is shared
with "everyone nearby", in a public community, or in a community they are an
active member of. The private location is read only by ``private_location``.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Aggregate,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import JSONObject
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
        # A subquery, not a join: two tags differing only in case would
        # otherwise count a listing twice.
        tagged = TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Listing),
            object_id=OuterRef("pk"),
            tag__name__iexact=tag,
        )
        qs = qs.filter(Exists(tagged))
    if community is not None:
        shared = Listing.communities.through.objects.filter(
            listing_id=OuterRef("pk"), community_id=community.pk
        )
        qs = qs.filter(Exists(shared))
    return qs


# The database's planar distance (``PlaneKm2``) differs from geopy's geodesic by
# at most about 1.2e-9 * r² / cos²(latitude) relative, r in km: measured with
# geopy over random points up to 200 km and 80 degrees, and checked in
# tests/marketplace. Three times that is the band where geopy decides; it holds a
# point in a thousand at 50 km and almost never one at 10 km.
PLANE_ERROR_PER_KM2 = 4e-9
PLANE_MIN_TOLERANCE = 1e-7
PLANE_MAX_KM, PLANE_MAX_LAT = 200.0, 80.0
# Beyond those (far outside the platform's region) a wide band: not measured.
PLANE_TOLERANCE_FAR = 0.05


@dataclass(frozen=True)
class Circle:
    latitude: float
    longitude: float
    radius_km: float

    @property
    def tolerance(self) -> float:
        """The largest relative error of ``PlaneKm2`` against the geodesic."""
        edge_lat = abs(self.latitude) + self.radius_km / 110.5
        if self.radius_km > PLANE_MAX_KM or edge_lat > PLANE_MAX_LAT:
            return PLANE_TOLERANCE_FAR
        cos_edge = math.cos(math.radians(edge_lat))
        error = PLANE_ERROR_PER_KM2 * self.radius_km**2 / cos_edge**2
        return max(PLANE_MIN_TOLERANCE, error)

    @property
    def inner_km2(self) -> float:
        """Below this squared planar distance a point is certainly inside."""
        return (self.radius_km * (1 - self.tolerance)) ** 2

    @property
    def outer_km2(self) -> float:
        """Above this squared planar distance a point is certainly outside."""
        return (self.radius_km * (1 + self.tolerance)) ** 2


def _km_per_degree(lat: float) -> tuple[float, float]:
    """Kilometres per degree of longitude and of latitude at ``lat`` on WGS-84."""
    phi = math.radians(lat)
    w = math.sqrt(1 - geo.WGS84_E2 * math.sin(phi) ** 2)
    per_radian = math.pi / 180
    return (
        geo.WGS84_A / w * math.cos(phi) * per_radian,
        geo.WGS84_A * (1 - geo.WGS84_E2) / w**3 * per_radian,
    )


class PlaneKm2(Func):
    """The squared distance in km² from a centre to a listing's public point.

    hub.geo.local_km (the ellipsoid's radii of curvature at the mid latitude)
    with the radii linearised around the centre, so that the database needs
    plain arithmetic only (SQLite may lack trigonometry). Written as one SQL
    expression, not a tree of ORM ones: compiling such a tree cost more than the
    query it built.
    """

    output_field = FloatField()

    def __init__(self, lat: float, lon: float) -> None:
        super().__init__(F("public_latitude"), F("public_longitude"))
        step = 0.01
        kx, ky = _km_per_degree(lat)
        kx_n, ky_n = _km_per_degree(lat + step)
        kx_s, ky_s = _km_per_degree(lat - step)
        # The slopes of the radii, halved: they are taken at lat + dlat / 2.
        gx, gy = (kx_n - kx_s) / (4 * step), (ky_n - ky_s) / (4 * step)
        self.centre = (lat, lon)
        self.coefficients = (kx, gx, ky, gy)

    def as_sql(self, compiler, connection, **extra_context):
        lat_sql, lat_params = compiler.compile(self.source_expressions[0])
        lon_sql, lon_params = compiler.compile(self.source_expressions[1])
        (lat, lon), (kx, gx, ky, gy) = self.centre, self.coefficients
        dlat = f"({lat_sql} - %s)"
        x = f"(({lon_sql} - %s) * (%s + %s * {dlat}))"
        y = f"({dlat} * (%s + %s * {dlat}))"
        x_params = [*lon_params, lon, kx, gx, *lat_params, lat]
        y_params = [*lat_params, lat, ky, gy, *lat_params, lat]
        return f"({x} * {x} + {y} * {y})", [*x_params, *x_params, *y_params, *y_params]


def _near(qs: QuerySet[Listing], circle: Circle) -> QuerySet[Listing]:
    """Candidates: inside the indexed bounding box and the outer planar circle."""
    box = geo.bounding_box(circle.latitude, circle.longitude, circle.radius_km)
    return (
        qs.filter(
            public_latitude__range=(box.min_lat, box.max_lat),
            public_longitude__range=(box.min_lon, box.max_lon),
        )
        .annotate(km2=PlaneKm2(circle.latitude, circle.longitude))
        .filter(km2__lte=circle.outer_km2)
    )


def _outside(near: QuerySet[Listing], circle: Circle) -> set[int]:
    """Candidates in the error band that geopy's geodesic puts beyond the radius."""
    band = near.filter(km2__gt=circle.inner_km2).values_list(
        "pk", "public_latitude", "public_longitude"
    )
    lat, lon, radius_km = circle.latitude, circle.longitude, circle.radius_km
    return {
        pk
        for pk, p_lat, p_lon in band.order_by()
        if geo.geodesic_km(lat, lon, p_lat, p_lon) > radius_km
    }


def _last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _ranked_page(
    near: QuerySet[Listing], circle: Circle, *, newest: bool, page: int, per_page: int
) -> tuple[list[int], int, int]:
    """The pks of one page within the circle, the total, and the page (clamped).

    The database ranks the candidates and counts them, and those in the error
    band, with window functions: one query reading the covering index. Only when
    the band is not empty are its few points fetched for geopy; the page is read
    again only if a point geopy rejects could sort before its end.
    """
    order = ["km2", "pk"]
    if newest:
        order.insert(0, F("published_at").desc(nulls_last=True))
    in_band = Case(When(km2__gt=circle.inner_km2, then=Value(1)))
    ranked = near.annotate(
        total=Window(Count("pk")), band=Window(Count(in_band))
    ).order_by(*order)
    rejected: set[int] | None = None  # None: the band has not been looked at
    for _attempt in range(5):  # at most: past the end, rejected, past the end
        scope = ranked.exclude(pk__in=rejected) if rejected else ranked
        start = (page - 1) * per_page
        rows = list(
            scope.values_list("pk", "km2", "total", "band")[start : start + per_page]
        )
        if not rows:
            if page == 1:
                return [], 0, 1
            counted = near.exclude(pk__in=rejected) if rejected else near
            page = _last_page(counted.count(), per_page)
            continue
        total, band = rows[0][2], rows[0][3]
        if band and rejected is None:
            rejected = _outside(near, circle)
            if rejected and (newest or rows[-1][1] > circle.inner_km2):
                continue
            total -= len(rejected)
        return [row[0] for row in rows], total, page
    raise AssertionError("unreachable: the page settles within five reads")


# What a result card and the JSON API read; everything else stays in the table.
CARD_FIELDS = (
    "author",
    "author__display_name",
    "author__email",
    "kind",
    "title",
    "description",
    "category",
    "state",
    "place_name",
    "public_latitude",
    "public_longitude",
    "published_at",
    "expires_at",
    "starts_at",
    "ends_at",
    "helpers_needed",
)


class JSONList(Aggregate):
    """The aggregated values as one JSON array, on SQLite and PostgreSQL alike."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _cards(pks: list[int]) -> list[Listing]:
    """The listings ``pks`` in that order, with authors, ``first_photo`` and
    ``tag_names``: one query whatever the page size.

    Tags and the first photo come as JSON from subqueries on the page's rows:
    taggit's own prefetch builds a queryset per listing, and separate queries for
    tags and photos cost more than ranking the whole search.
    """
    tags = (
        TaggedItem.objects.filter(
            content_type=ContentType.objects.get_for_model(Listing),
            object_id=OuterRef("pk"),
        )
        .values("object_id")
        .annotate(names=JSONList("tag__name"))
        .values("names")
    )
    photo = (
        ListingPhoto.objects.filter(listing_id=OuterRef("pk"))
        .order_by("position", "id")
        .values(
            json=JSONObject(
                id="id",
                image="image",
                width="width",
                height="height",
                alt_text="alt_text",
            )
        )[:1]
    )
    rows = (
        Listing.objects.filter(pk__in=pks)
        .order_by()
        .select_related("author")
        .only(*CARD_FIELDS)
        .annotate(
            tag_list=Subquery(tags, output_field=JSONField()),
            photo=Subquery(photo, output_field=JSONField()),
        )
    )
    by_pk = {listing.pk: listing for listing in rows}
    listings = [by_pk[pk] for pk in pks if pk in by_pk]
    for listing in listings:
        listing.tag_names = sorted(listing.tag_list or [])
        listing.first_photo = (
            ListingPhoto(listing_id=listing.pk, **listing.photo)
            if listing.photo
            else None
        )
    return listings


def _page_range(page: int, pages: int) -> list[int]:
    return list(range(max(1, page - 3), min(pages, page + 3) + 1))


def _newest_page(
    qs: QuerySet[Listing], page: int, per_page: int
) -> tuple[list[Listing], int, int]:
    total = qs.count()
    page = min(page, _last_page(total, per_page))
    start = (page - 1) * per_page
    ordered = qs.order_by("-published_at", "-pk").values_list("pk", flat=True)
    return _cards(list(ordered[start : start + per_page])), total, page


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

    With a centre: only listings whose public point lies within ``radius_km``
    (geodesic), sorted by distance (default) or newest; distances shown are from
    the public point and rounded. Without a centre: newest first. Pages of
    ``per_page``. The exact point is never read.
    """
    qs = _filtered(
        viewer, text=text, kind=kind, category=category, tag=tag, community=community
    )
    page = max(1, page)
    if latitude is None or longitude is None:
        listings, total, page = _newest_page(qs, page, per_page)
        pages = _last_page(total, per_page)
        hits = [Hit(listing) for listing in listings]
        return SearchResult(
            hits, total, page, pages, None, None, _page_range(page, pages)
        )
    circle = Circle(latitude, longitude, radius_km)
    pks, total, page = _ranked_page(
        _near(qs, circle), circle, newest=sort == "newest", page=page, per_page=per_page
    )
    hits = [
        Hit(
            listing,
            geo.shown_distance_km(
                latitude, longitude, listing.public_latitude, listing.public_longitude
            ),
        )
        for listing in _cards(pks)
    ]
    pages = _last_page(total, per_page)
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
