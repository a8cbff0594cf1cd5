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
