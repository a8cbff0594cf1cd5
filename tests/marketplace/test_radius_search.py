"""Radius search at the edge: the database ranks, geopy decides the close calls."""

import math
import random
from datetime import timedelta

import pytest
from django.utils import timezone

from hub import geo
from marketplace import selectors
from marketplace.models import Listing

CENTRE = (56.1710, 9.5470)


def _open_listing(author, lat: float, lon: float, **fields) -> Listing:
    return Listing.objects.create(
        author=author,
        kind=Listing.Kind.OFFER,
        title=fields.pop("title", "Tilbud"),
        description="x",
        category="other",
        everyone_nearby=True,
        state=Listing.State.OPEN,
        public_latitude=lat,
        public_longitude=lon,
        published_at=fields.pop("published_at", timezone.now()),
        **fields,
    )


def _due_east(lat: float, lon: float, km: float) -> tuple[float, float]:
    """The point ``km`` (geodesic) east of (lat, lon), found by bisection."""
    low, high = 0.0, km / 50
    for _step in range(80):
        middle = (low + high) / 2
        if geo.geodesic_km(lat, lon, lat, lon + middle) < km:
            low = middle
        else:
            high = middle
    return lat, lon + (low + high) / 2


def test_the_planar_distance_stays_within_its_tolerance_of_the_geodesic():
    rng = random.Random(5)

    for _n in range(2000):
        lat, lon = rng.uniform(-78, 78), rng.uniform(-170, 170)
        circle = selectors.Circle(lat, lon, rng.choice([2, 10, 50, 100, 200]))
        angle, reach = rng.uniform(0, 2 * math.pi), rng.uniform(0.05, 1.0)
        p_lat = lat + reach * circle.radius_km / 111.0 * math.sin(angle)
        p_lon = lon + reach * circle.radius_km / 111.0 * math.cos(angle) / math.cos(
            math.radians(p_lat)
        )
        exact = geo.geodesic_km(lat, lon, p_lat, p_lon)
        if exact > circle.radius_km:
            continue

        error = abs(math.sqrt(circle.km2(p_lat, p_lon)) / exact - 1)

        assert error <= circle.tolerance


@pytest.mark.parametrize("sort", ["distance", "newest"])
def test_geopy_decides_the_points_a_few_metres_either_side_of_the_radius(
    author, neighbour, sort
):
    # At 150 km the planar distance is trusted to about 50 m: closer calls go to geopy.
    radius, now = 150.0, timezone.now()
    near = _open_listing(author, CENTRE[0] + 0.01, CENTRE[1], published_at=now)
    inside = _open_listing(
        author,
        *_due_east(*CENTRE, radius - 0.01),
        published_at=now + timedelta(minutes=1),
    )
    # The one outside is the newest: sorted by newest it would lead the page.
    _open_listing(
        author,
        *_due_east(*CENTRE, radius + 0.01),
        published_at=now + timedelta(minutes=2),
    )

    result = selectors.listing_search(
        viewer=neighbour,
        latitude=CENTRE[0],
        longitude=CENTRE[1],
        radius_km=radius,
        sort=sort,
    )

    expected = [near, inside] if sort == "distance" else [inside, near]
    assert [hit.listing for hit in result.hits] == expected
    assert result.total == 2


def test_a_page_past_the_end_shows_the_last_page(author, neighbour):
    for n in range(23):
        _open_listing(author, CENTRE[0] + n / 10_000, CENTRE[1], title=f"T{n}")

    result = selectors.listing_search(
        viewer=neighbour, latitude=CENTRE[0], longitude=CENTRE[1], page=9
    )

    assert (result.page, result.pages, result.total, len(result.hits)) == (2, 2, 23, 3)


def _crowd(author, count: int, spread_deg: float, seed: int) -> list[Listing]:
    """``count`` open listings on public grid points around CENTRE, densest near
    it, several on the same cell (as in a village)."""
    rng, now = random.Random(seed), timezone.now()
    points = []
    for _n in range(count):
        reach = spread_deg * rng.random() ** 1.5
        angle = rng.uniform(0, 2 * math.pi)
        points.append(
            geo.snap_to_grid(
                CENTRE[0] + reach * math.sin(angle),
                CENTRE[1] + reach * math.cos(angle) * 1.8,
            )
        )
    points += points[:: count // 20]  # shared cells: ties are broken by id
    return Listing.objects.bulk_create(
        Listing(
            author=author,
            kind=Listing.Kind.OFFER,
            title=f"Nabo {n}",
            description="x",
            category="other",
            everyone_nearby=True,
            state=Listing.State.OPEN,
            public_latitude=lat,
            public_longitude=lon,
            published_at=now,
        )
        for n, (lat, lon) in enumerate(points)
    )


def _full_scan(radius_km: float) -> list[int]:
    """Every open listing's geodesic distance, sorted: what the page must equal."""
    found = sorted(
        (geo.geodesic_km(*CENTRE, lat, lon), pk)
        for pk, lat, lon in Listing.objects.filter(
            state=Listing.State.OPEN
        ).values_list("pk", "public_latitude", "public_longitude")
        if geo.geodesic_km(*CENTRE, lat, lon) <= radius_km
    )
    return [pk for _km, pk in found]


def _page(viewer, radius_km: float, page: int = 1) -> selectors.SearchResult:
    return selectors.listing_search(
        viewer=viewer,
        latitude=CENTRE[0],
        longitude=CENTRE[1],
        radius_km=radius_km,
        page=page,
    )


def test_the_nearest_page_at_a_large_radius_equals_the_full_scans_first_page(
    author, neighbour
):
    _crowd(author, 1200, spread_deg=0.6, seed=11)
    scan = _full_scan(50)

    first, third = _page(neighbour, 50), _page(neighbour, 50, page=3)

    assert len(scan) > selectors.COUNT_CAP
    assert [hit.listing.pk for hit in first.hits] == scan[:20]
    assert [hit.listing.pk for hit in third.hits] == scan[40:60]


def test_more_matches_than_the_cap_are_counted_as_more_than_the_cap(author, neighbour):
    _crowd(author, 1200, spread_deg=0.6, seed=12)

    result = _page(neighbour, 50)

    assert (result.total, result.more) == (selectors.COUNT_CAP, True)
    assert result.pages == selectors.COUNT_CAP // 20
    assert result.has_next


@pytest.mark.parametrize(
    ("radius", "page"), [(1, 1), (5, 1), (20, 2), (50, 1), (50, 4), (50, 40)]
)
def test_every_radius_and_page_equals_the_scan_and_counts_exactly_below_the_cap(
    author, neighbour, monkeypatch, radius, page
):
    # A small cap makes the rings and the index batches grow on a small table.
    monkeypatch.setattr("marketplace.selectors.search.COUNT_CAP", 40)
    _crowd(author, 400, spread_deg=0.5, seed=radius)
    scan = _full_scan(radius)

    result = _page(neighbour, radius, page=page)

    shown = min(page, max(1, -(-len(scan) // 20)))
    assert [hit.listing.pk for hit in result.hits] == scan[(shown - 1) * 20 :][:20]
    assert result.page == shown
    if len(scan) > max(40, page * 20):
        assert (result.total, result.more) == (40, True)
    else:
        assert (result.total, result.more) == (len(scan), False)


def test_a_crowded_circle_reads_only_the_nearest_candidates_not_every_match(
    author, neighbour, monkeypatch
):
    monkeypatch.setattr("marketplace.selectors.search.COUNT_CAP", 40)
    read = []
    matching = selectors.search._matching

    def counting(rows, circle):
        read.append(len(rows))
        return matching(rows, circle)

    monkeypatch.setattr("marketplace.selectors.search._matching", counting)
    _crowd(author, 1000, spread_deg=0.3, seed=3)

    _page(neighbour, 50)

    assert sum(read) < 400


@pytest.mark.parametrize("latitude", [-60.0, -0.3, 0.0, 0.4, 56.2, 69.5, 79.0])
@pytest.mark.parametrize("radius_km", [0.5, 5.0, 50.0, 150.0])
def test_the_square_that_settles_a_crowded_count_lies_inside_the_circle(
    latitude, radius_km
):
    circle = selectors.search.Circle(latitude, 9.5, radius_km)

    square = selectors.search._inscribed_box(circle)

    corners = [
        (lat, lon)
        for lat in (square.min_lat, square.max_lat)
        for lon in (square.min_lon, square.max_lon)
    ]
    distances = [geo.geodesic_km(latitude, 9.5, *corner) for corner in corners]
    assert max(distances) < radius_km
    # ...and is not needlessly small: its corners reach 95 % of the radius.
    assert max(distances) > 0.95 * radius_km
