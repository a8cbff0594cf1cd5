"""Radius search: an indexed bounding box, a cheap planar distance, geopy's
geodesic only for the close calls, and one query for a page of cards."""

import heapq
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    F,
    FloatField,
    Func,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from taggit.models import Tag, TaggedItem

from communities.models import Community
from communities.selectors import is_municipal_staff
from hub import geo

from ..models import Listing, ListingPhoto
from .visibility import PER_PAGE, AnyUser, audience_q, not_ended_q

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
    # True when there are more than ``total`` matches (radius search counts up
    # to COUNT_CAP); ``pages`` then counts the pages known so far.
    more: bool = False

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
    # not open any more, whether or not the expiry job has marked it yet. One
    # hidden by moderation only its author (and staff) find; the bounding-box
    # index holds ``hidden_at`` so the check needs no table lookup.
    qs = Listing.objects.filter(not_ended_q(), state=Listing.State.OPEN)
    if not is_municipal_staff(viewer):
        scope = audience_q(viewer) & Q(hidden_at__isnull=True)
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


# Radius search counts matches up to this many; beyond, the page says "more
# than 500" (counting 16,000 matches at 50 km would cost more than the page).
COUNT_CAP = 500
# The first ring on SQLite when the probe says the box is crowded, in km, and
# the least each next one grows by.
FIRST_RING_KM = 2.0
RING_GROWTH = 1.5


class PublicPoint(Func):
    """PostgreSQL's ``point(public_longitude, public_latitude)``: the expression
    the GiST index of migration 0004 holds (x is the longitude, the index only
    open listings: the query must filter ``state = 'open'``)."""

    function = "point"
    output_field = FloatField()  # only ever compared, never read

    def __init__(self) -> None:
        super().__init__(F("public_longitude"), F("public_latitude"))


class _FixedPoint(Func):
    function = "point"
    output_field = FloatField()

    def __init__(self, lon: float, lat: float) -> None:
        super().__init__(Value(float(lon)), Value(float(lat)))


class PointDistance(Func):
    """``point <-> point``: the planar distance in degrees, which the GiST index
    gives in increasing order. Not geodesic: only an order to fetch candidates by."""

    arg_joiner = " <-> "
    template = "(%(expressions)s)"
    output_field = FloatField()

    def __init__(self, lon: float, lat: float) -> None:
        super().__init__(PublicPoint(), _FixedPoint(lon, lat))


class InBox(Func):
    """``point <@ box``: the public point lies in ``box``, which the GiST index
    answers by visiting only the rows inside (ordered by ``<->`` only under
    ``_index_walk``)."""

    arg_joiner = " <@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()

    def __init__(self, box: geo.BBox) -> None:
        corners = Func(
            _FixedPoint(box.min_lon, box.min_lat),
            _FixedPoint(box.max_lon, box.max_lat),
            function="box",
            output_field=FloatField(),
        )
        super().__init__(PublicPoint(), corners)


# A row of candidates: (pk, public latitude, public longitude).
ROW_FIELDS = ("pk", "public_latitude", "public_longitude")
Row = tuple[int, float, float]
# One fetch of candidates and how far it reaches: every match not yet fetched is
# further (geodesic km) than the reach; None when every candidate has come.
Batch = tuple[list[Row], float | None]


def _in_box(qs: QuerySet[Listing], box: geo.BBox) -> QuerySet[Listing]:
    """The rows whose public point lies in ``box``, unordered. On PostgreSQL by
    the GiST index: the B-tree would read the box's whole band of latitude."""
    if connection.vendor == "postgresql":
        return qs.filter(InBox(box)).order_by()
    return qs.filter(
        public_latitude__range=(box.min_lat, box.max_lat),
        public_longitude__range=(box.min_lon, box.max_lon),
    ).order_by()


def _box_rows(qs: QuerySet[Listing], box: geo.BBox) -> QuerySet:
    return _in_box(qs, box).values_list(*ROW_FIELDS)


def _rings(qs: QuerySet[Listing], circle: Circle, want: int) -> Iterator[Batch]:
    """SQLite: growing bounding boxes, each fetching only what the last did not.

    A probe first takes up to COUNT_CAP + 1 (or ``want``) rows of the whole box
    in the index's latitude order: when that is all of them, one query has done
    and the count is exact (most circles, on a municipality's few thousand
    listings). Otherwise its rows south of the last one's latitude are a
    complete slab of the box, kept and not fetched again. Rings then start at
    ``FIRST_RING_KM`` and each grows to hold ``want`` at the density seen in the
    rings so far (at least ``RING_GROWTH`` times wider): the density of the
    box's edge, where the probe looks, says little about the centre's.
    """
    full = geo.bounding_box(circle.latitude, circle.longitude, circle.radius_km)
    limit = max(want, COUNT_CAP + 1)
    probe = list(_box_rows(qs, full).order_by("public_latitude")[:limit])
    if len(probe) < limit:
        yield probe, None
        return
    slab_top = probe[-1][1]
    yield [row for row in probe if row[1] < slab_top], 0.0
    kx, _gx, ky, _gy = circle.coefficients
    radius = min(circle.radius_km, FIRST_RING_KM)
    inner, fetched = None, 0
    while True:
        box = geo.bounding_box(circle.latitude, circle.longitude, radius)
        rows = _box_rows(qs, box).filter(public_latitude__gte=slab_top)
        if inner is not None:
            rows = rows.exclude(
                public_latitude__range=(inner.min_lat, inner.max_lat),
                public_longitude__range=(inner.min_lon, inner.max_lon),
            )
        rows = list(rows)
        fetched += len(rows)
        if radius >= circle.radius_km:
            yield rows, None
            return
        yield rows, radius
        # The next ring holds ``want`` at the density of the rings so far.
        area = (box.max_lat - box.min_lat) * ky * (box.max_lon - box.min_lon) * kx
        grow = math.sqrt(want * area / (math.pi * radius**2 * max(fetched, 1)))
        inner = box
        radius = min(circle.radius_km, radius * max(RING_GROWTH, grow * 1.15))


# The first ``<->`` batch on PostgreSQL, in multiples of the rows wanted.
KNN_FIRST_BATCH = 4


def _km_per_degree_floor(circle: Circle) -> float:
    """Fewer geodesic km than this per degree of ``<->`` distance (longitude and
    latitude degrees alike) for any point in the circle's box: the km of a
    degree of longitude shrink towards the pole, a degree of latitude is at
    least 110.57 km; 1 % spare covers the plane and the box's margin."""
    box = geo.bounding_box(circle.latitude, circle.longitude, circle.radius_km)
    edge = max(abs(box.min_lat), abs(box.max_lat))
    return min(_km_per_degree(edge)[0], 110.57) * 0.99


@contextmanager
def _index_walk() -> Iterator[None]:
    """For the query inside: no sort and no bitmap scan, so PostgreSQL walks the
    GiST index nearest first within the box. Left to itself it guesses a ``<@``
    box holds a thousandth of the table (geometric operators have no
    statistics) and sorts the whole box instead, which at 20 km reads 3,700 rows
    to return 501 and costs three times the walk."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_sort = off; SET enable_bitmapscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_sort; RESET enable_bitmapscan")


def _nearest_knn(qs: QuerySet[Listing], circle: Circle, want: int) -> Iterator[Batch]:
    """PostgreSQL: candidates in the GiST index's ``<->`` order, in growing batches.

    A row ``d`` degrees away is at least ``d`` times ``_km_per_degree_floor``
    away, so a batch reaches that far from its last row. The GiST index answers
    both the box (``<@``) and the order (``<->``) in one walk that stops at the
    batch's end (``_index_walk``). No second sort key (it would need a sort): a
    larger batch starts again from the nearest and yields only the rows not
    seen, which also settles ties at a batch's end.
    """
    lat0, lon0 = circle.latitude, circle.longitude
    box = geo.bounding_box(lat0, lon0, circle.radius_km)
    ordered = (
        _in_box(qs, box).values_list(*ROW_FIELDS).order_by(PointDistance(lon0, lat0))
    )
    floor = _km_per_degree_floor(circle)
    seen: set[int] = set()
    # ``<->`` counts a degree of longitude as one of latitude, though here it is
    # barely 60 % as long: a batch settles ``want`` only when it reaches about
    # 1.8 times as far in latitude, some three times the area.
    # At least COUNT_CAP + 1 rows: a box holding fewer is read whole at once,
    # and a crowded circle shows itself more than COUNT_CAP (``_nearest``);
    # either way nothing needs counting.
    size = max(want * KNN_FIRST_BATCH, COUNT_CAP + 1)
    while True:
        with _index_walk():
            rows = list(ordered[:size])
        new = [row for row in rows if row[0] not in seen]
        seen.update(row[0] for row in new)
        if len(rows) < size:
            yield new, None
            return
        _pk, lat, lon = rows[-1]
        reach = math.hypot(lon - lon0, lat - lat0) * floor
        # Beyond the radius: whatever is left is no match.
        yield new, None if reach > circle.radius_km else reach
        if reach > circle.radius_km:
            return
        size *= 4


def _matching(rows: list[Row], circle: Circle) -> list[tuple[float, int, float, float]]:
    """(squared planar km, pk, lat, lon) of the rows within the circle: the planar
    distance settles them, geopy's geodesic the few near the edge."""
    lat0, lon0, radius_km = circle.latitude, circle.longitude, circle.radius_km
    kx, gx, ky, gy = circle.coefficients
    inner = (radius_km * (1 - circle.tolerance)) ** 2
    outer = (radius_km * (1 + circle.tolerance)) ** 2
    found = []
    for pk, lat, lon in rows:
        dlat = lat - lat0
        x = (lon - lon0) * (kx + gx * dlat)
        y = dlat * (ky + gy * dlat)
        km2 = x * x + y * y
        if km2 > inner and (
            km2 > outer or geo.geodesic_km(lat0, lon0, lat, lon) > radius_km
        ):
            continue
        found.append((km2, pk, lat, lon))
    return found


def _ranked(
    matches: list[tuple[float, int, float, float]], count: int, circle: Circle
) -> list[tuple[float, int, float, float]]:
    """The ``count`` nearest matches in geodesic order, ties by pk.

    The planar distance orders them except where two lie within its tolerance
    of each other: there geopy's geodesic decides (one per distinct point).
    """
    if count <= 0 or not matches:
        return []
    top = heapq.nsmallest(count, matches)
    spread = (1 + circle.tolerance) ** 2 / (1 - circle.tolerance) ** 2
    last = top[-1][0] * spread**2
    band = sorted(m for m in matches if m[0] <= last)
    exact: dict[tuple[float, float], float] = {}

    def geodesic(match: tuple[float, int, float, float]) -> float:
        point = match[2], match[3]
        if point not in exact:
            exact[point] = geo.geodesic_km(circle.latitude, circle.longitude, *point)
        return exact[point]

    ranked: list[tuple[float, int, float, float]] = []
    group: list[tuple[float, int, float, float]] = []
    for match in band:
        if group and match[0] > group[-1][0] * spread:
            ranked += group if len(group) == 1 else _by_geodesic(group, geodesic)
            group = []
        group.append(match)
    ranked += group if len(group) == 1 else _by_geodesic(group, geodesic)
    return ranked[:count]


def _by_geodesic(group: list, geodesic: Callable) -> list:
    if all(m[2:] == group[0][2:] for m in group):
        return group  # one point: already by pk
    return sorted(group, key=lambda m: (geodesic(m), m[1]))


def _inscribed_box(circle: Circle) -> geo.BBox:
    """A box certainly inside the circle: a square of half-side r/sqrt(2), shrunk
    by 2 % and measured with the largest km per degree it spans, so every corner
    lies within the radius whatever the plane's error."""
    half = circle.radius_km / math.sqrt(2) * 0.98
    dlat = half / 111.7  # a degree of latitude is at most 111.70 km (at the poles)
    lats = (circle.latitude - dlat, circle.latitude + dlat)
    nearest_equator = 0.0 if lats[0] < 0 < lats[1] else min(map(abs, lats))
    dlon = half / _km_per_degree(nearest_equator)[0]
    return geo.BBox(
        min_lat=lats[0],
        max_lat=lats[1],
        min_lon=circle.longitude - dlon,
        max_lon=circle.longitude + dlon,
    )


def _count(qs: QuerySet[Listing], circle: Circle) -> tuple[int, bool]:
    """The matches in the circle, counted up to COUNT_CAP: (count, more than that).

    One capped COUNT over the square inscribed in the circle settles a crowded
    circle without reading a row; only a sparse one (fewer than COUNT_CAP in the
    square, so at most about 1.6 times that in the box) has its box read and
    its matches counted.
    """
    inside = _in_box(qs, _inscribed_box(circle))
    if inside.values("pk")[: COUNT_CAP + 1].count() > COUNT_CAP:
        return COUNT_CAP, True
    box = geo.bounding_box(circle.latitude, circle.longitude, circle.radius_km)
    found = len(_matching(list(_box_rows(qs, box)), circle))
    return min(found, COUNT_CAP), found > COUNT_CAP


def _nearest(
    qs: QuerySet[Listing], circle: Circle, need: int
) -> tuple[list[tuple[float, int, float, float]], int, bool]:
    """The ``need`` nearest matches in order, how many matches there are and
    whether that is all of them (otherwise more than COUNT_CAP and ``need``).

    Candidates come nearest first (by the GiST index on PostgreSQL, by rings on
    SQLite) until the page and one match beyond it are settled; the page is
    settled once its last match is nearer than anything not yet fetched can be.
    Only then, when the batches have not reached every match, are the matches
    counted (``_count``): ordering the nearest 21 costs far less than ordering
    the nearest 501 to count them.
    """
    want = need + 1
    batches = _nearest_knn if connection.vendor == "postgresql" else _rings
    matches: list[tuple[float, int, float, float]] = []
    margin = 1 + 3 * circle.tolerance
    for rows, reach in batches(qs, circle, want):
        matches += _matching(rows, circle)
        if reach is None:
            return _ranked(matches, need, circle), len(matches), True
        if len(matches) >= want:
            page = _ranked(matches, need, circle)
            if math.sqrt(page[-1][0]) * margin < reach:
                break
    else:
        raise AssertionError("unreachable: the last batch reaches everything")
    if need >= COUNT_CAP or len(matches) > COUNT_CAP:
        return page, COUNT_CAP, False  # more than the cap (and than need)
    total, more = _count(qs, circle)
    return page, total, not more


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
    "hidden_at",
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
    """The listing's first photo not hidden by moderation, as a JSON object of
    ``PHOTO_FIELDS``, or NULL (a card shows no hidden photo, not even to the
    author: the detail page marks it for her)."""

    PHOTO_FIELDS = ("id", "image", "card", "width", "height", "alt_text")

    def subquery(self, q: Callable, postgres: bool, pk_sql: str) -> tuple[str, list]:
        photo = ListingPhoto._meta
        column = {
            name: f"p.{q(photo.get_field(name).column)}"
            for name in (*self.PHOTO_FIELDS, "listing", "position", "hidden_at")
        }
        pairs = ", ".join(f"'{name}', {column[name]}" for name in self.PHOTO_FIELDS)
        build = "JSONB_BUILD_OBJECT" if postgres else "JSON_OBJECT"
        return (
            f"SELECT {build}({pairs}) FROM {q(photo.db_table)} p"  # noqa: S608
            f" WHERE {column['listing']} = {pk_sql}"
            f" AND {column['hidden_at']} IS NULL"
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
    circle = Circle(latitude, longitude, radius_km)
    more = False
    if sort == "newest":
        found = _within(qs, circle, newest=True)
        total = len(found)
        page = min(page, _last_page(total, per_page))
        # Only the pages up to this one are ordered, not every match.
        window = heapq.nsmallest(page * per_page, found)[(page - 1) * per_page :]
        pks = [pk for _key, _km2, pk in window]
        pages = _last_page(total, per_page)
    else:
        ranked, found_count, complete = _nearest(qs, circle, page * per_page)
        if complete:
            total = found_count
            last = _last_page(total, per_page)
            if page > last:
                page = last
                ranked = ranked[: page * per_page]
            pages = last
        else:
            # More than COUNT_CAP, and at least one beyond this page.
            total, more = COUNT_CAP, True
            pages = max(page + 1, _last_page(COUNT_CAP, per_page))
        pks = [match[1] for match in ranked[(page - 1) * per_page :]]
    hits = [
        Hit(
            listing,
            geo.shown_distance_km(
                latitude, longitude, listing.public_latitude, listing.public_longitude
            ),
        )
        for listing in _cards(pks)
    ]
    return SearchResult(
        hits,
        total,
        page,
        pages,
        (latitude, longitude),
        radius_km,
        _page_range(page, pages),
        more,
    )
