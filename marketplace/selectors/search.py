"""Radius search: an indexed bounding box, a cheap planar distance, geopy's
geodesic only for the close calls, and one query for a page of cards."""

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, Func, JSONField, OuterRef, Q, QuerySet
from taggit.models import Tag, TaggedItem

from communities.models import Community
from communities.selectors import is_municipal_staff
from hub import geo

from ..models import Listing, ListingPhoto
from .visibility import PER_PAGE, AnyUser, _audience_q, not_ended_q

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
    # open and would cost a subquery per candidate. One whose end has passed is
    # not open any more, whether or not the expiry job has marked it yet.
    qs = Listing.objects.filter(not_ended_q(), state=Listing.State.OPEN)
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


# The planar distance (``Circle.km2``) differs from geopy's geodesic by at most
# about 1.2e-9 * r² / cos²(latitude) relative, r in km: measured with geopy over
# random points up to 200 km and 80 degrees, and checked in tests/marketplace.
# Three times that is the band where geopy decides: a point in a thousand at 50 km,
# almost never one at 10 km.
PLANE_ERROR_PER_KM2 = 4e-9
PLANE_MIN_TOLERANCE = 1e-7
PLANE_MAX_KM, PLANE_MAX_LAT = 200.0, 80.0
# Beyond those (far outside the platform's region) a wide band: not measured.
PLANE_TOLERANCE_FAR = 0.05


def _km_per_degree(lat: float) -> tuple[float, float]:
    """Kilometres per degree of longitude and of latitude at ``lat`` on WGS-84."""
    phi = math.radians(lat)
    w = math.sqrt(1 - geo.WGS84_E2 * math.sin(phi) ** 2)
    per_radian = math.pi / 180
    return (
        geo.WGS84_A / w * math.cos(phi) * per_radian,
        geo.WGS84_A * (1 - geo.WGS84_E2) / w**3 * per_radian,
    )


@dataclass(frozen=True)
class Circle:
    """A search circle and its planar distance: hub.geo.local_km (the ellipsoid's
    radii of curvature at the mid latitude) with the radii linearised around the
    centre, so that a candidate costs a few multiplications and no trigonometry.
    """

    latitude: float
    longitude: float
    radius_km: float

    @cached_property
    def coefficients(self) -> tuple[float, float, float, float]:
        """km per degree of longitude and latitude at the centre, and their
        slopes per degree, halved: the radii are taken at lat + dlat / 2."""
        step = 0.01
        kx, ky = _km_per_degree(self.latitude)
        kx_n, ky_n = _km_per_degree(self.latitude + step)
        kx_s, ky_s = _km_per_degree(self.latitude - step)
        return kx, (kx_n - kx_s) / (4 * step), ky, (ky_n - ky_s) / (4 * step)

    def km2(self, lat: float, lon: float) -> float:
        """The squared planar distance in km² from the centre to (lat, lon)."""
        kx, gx, ky, gy = self.coefficients
        dlat = lat - self.latitude
        x = (lon - self.longitude) * (kx + gx * dlat)
        y = dlat * (ky + gy * dlat)
        return x * x + y * y

    @cached_property
    def tolerance(self) -> float:
        """The largest relative error of ``km2`` against the geodesic."""
        edge_lat = abs(self.latitude) + self.radius_km / 110.5
        if self.radius_km > PLANE_MAX_KM or edge_lat > PLANE_MAX_LAT:
            return PLANE_TOLERANCE_FAR
        cos_edge = math.cos(math.radians(edge_lat))
        error = PLANE_ERROR_PER_KM2 * self.radius_km**2 / cos_edge**2
        return max(PLANE_MIN_TOLERANCE, error)


def _within(
    qs: QuerySet[Listing], circle: Circle, *, newest: bool
) -> list[tuple[float, float, int]]:
    """(sort key, squared planar km, pk) of every listing within the circle.

    The indexed bounding box finds the candidates and the planar distance
    settles them, written out here rather than called: this loop runs once per
    candidate (900 at 10 km, 21,000 at 50 km). Geopy's geodesic decides the few
    near the edge. The sort key is the distance, or minus the publication time
    for ``newest`` (only then is the date read: converting it costs more than
    the distance). Doing the distance in SQL instead was slower on SQLite, which
    evaluates the expression several times per row.
    """
    box = geo.bounding_box(circle.latitude, circle.longitude, circle.radius_km)
    rows = (
        qs.filter(
            public_latitude__range=(box.min_lat, box.max_lat),
            public_longitude__range=(box.min_lon, box.max_lon),
        )
        .order_by()
        .values_list(
            "pk",
            "public_latitude",
            "public_longitude",
            *(["published_at"] if newest else []),
        )
    )
    lat0, lon0, radius_km = circle.latitude, circle.longitude, circle.radius_km
    kx, gx, ky, gy = circle.coefficients
    inner = (radius_km * (1 - circle.tolerance)) ** 2
    outer = (radius_km * (1 + circle.tolerance)) ** 2
    found = []
    for row in rows:
        dlat = row[1] - lat0
        x = (row[2] - lon0) * (kx + gx * dlat)
        y = dlat * (ky + gy * dlat)
        km2 = x * x + y * y
        if km2 > inner and (
            km2 > outer or geo.geodesic_km(lat0, lon0, row[1], row[2]) > radius_km
        ):
            continue
        key = (-row[3].timestamp() if row[3] else math.inf) if newest else km2
        found.append((key, km2, row[0]))
    return found


def _last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


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


class _CardJSON(Func):
    """A correlated subquery on a listing, giving JSON, written out as one SQL
    expression: building and compiling the same subquery through the ORM cost
    more than running it (SQLite and PostgreSQL name their JSON functions apart).
    """

    output_field = JSONField()

    def __init__(self) -> None:
        super().__init__(F("pk"))

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        sql, params = self.subquery(
            connection.ops.quote_name, connection.vendor == "postgresql", pk_sql
        )
        return f"({sql})", [*params, *pk_params]


class TagNames(_CardJSON):
    """The listing's tag names as a JSON array, or NULL."""

    def subquery(self, q: Callable, postgres: bool, pk_sql: str) -> tuple[str, list]:
        item, tag = TaggedItem._meta, Tag._meta
        column = item.get_field
        names = "JSONB_AGG" if postgres else "JSON_GROUP_ARRAY"
        return (
            # Only quoted names from the models' _meta go into the text: S608.
            f"SELECT {names}(t.{q(tag.get_field('name').column)})"  # noqa: S608
            f" FROM {q(item.db_table)} i JOIN {q(tag.db_table)} t"
            f" ON t.{q(tag.pk.column)} = i.{q(column('tag').column)}"
            f" WHERE i.{q(column('content_type').column)} = %s"
            f" AND i.{q(column('object_id').column)} = {pk_sql}",
            [ContentType.objects.get_for_model(Listing).pk],
        )


class FirstPhoto(_CardJSON):
    """The listing's first photo as a JSON object of ``PHOTO_FIELDS``, or NULL."""

    PHOTO_FIELDS = ("id", "image", "width", "height", "alt_text")

    def subquery(self, q: Callable, postgres: bool, pk_sql: str) -> tuple[str, list]:
        photo = ListingPhoto._meta
        column = {
            name: f"p.{q(photo.get_field(name).column)}"
            for name in (*self.PHOTO_FIELDS, "listing", "position")
        }
        pairs = ", ".join(f"'{name}', {column[name]}" for name in self.PHOTO_FIELDS)
        build = "JSONB_BUILD_OBJECT" if postgres else "JSON_OBJECT"
        return (
            f"SELECT {build}({pairs}) FROM {q(photo.db_table)} p"  # noqa: S608
            f" WHERE {column['listing']} = {pk_sql}"
            f" ORDER BY {column['position']}, {column['id']} LIMIT 1",
            [],
        )


def _cards(pks: list[int]) -> list[Listing]:
    """The listings ``pks`` in that order, with authors, ``first_photo`` and
    ``tag_names``: one query whatever the page size.

    Tags and the first photo come as JSON from subqueries on the page's rows:
    taggit's own prefetch builds a queryset per listing, and separate queries for
    tags and photos cost more round trips.
    """
    rows = (
        Listing.objects.filter(pk__in=pks)
        .order_by()
        .select_related("author")
        .only(*CARD_FIELDS)
        .annotate(tag_list=TagNames(), photo=FirstPhoto())
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
    found = _within(qs, Circle(latitude, longitude, radius_km), newest=sort == "newest")
    total = len(found)
    page = min(page, _last_page(total, per_page))
    # Only the pages up to this one are ordered, not every match.
    window = heapq.nsmallest(page * per_page, found)[(page - 1) * per_page :]
    pks = [pk for _key, _km2, pk in window]
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
