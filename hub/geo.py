"""Geography for the whole platform. This is the only module that imports geopy.

- ``geocode()`` turns an address or place name into a point, through the geocoder
  chosen in settings: the offline gazetteer (default, no network) or Nominatim
  (one request a second across all processes, a real user agent, cached results).
- ``snap_to_grid()`` gives the public point of a private one: the centre of a fixed
  grid cell, a pure and stable function.
- ``bounding_box()`` is the cheap prefilter for radius search, ``haversine_km()``
  orders candidates, ``geodesic_km()`` refines them.
- ``round_distance_km()`` is the only distance people ever see.
"""

import csv
import logging
import math
import re
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils.formats import number_format
from django.utils.translation import gettext
from geopy.distance import geodesic
from geopy.exc import GeopyError
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim

logger = logging.getLogger(__name__)

EARTH_RADIUS_KM = 6371.0088
# Metres per degree of latitude used for the grid (fixed so cells never move).
GRID_M_PER_DEG = 111_320.0
GAZETTEER_PATH = Path(__file__).resolve().parent / "data" / "gazetteer.csv"
NOMINATIM_CACHE_S = 30 * 24 * 3600
_COORDS = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class GeoPoint:
    latitude: float
    longitude: float
    label: str = ""


@dataclass(frozen=True)
class BBox:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


# --- distances -----------------------------------------------------------------------


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres; cheap, for ordering and prefiltering."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def geodesic_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Ellipsoidal (WGS-84) distance in kilometres; exact but ~100x dearer."""
    return geodesic((lat1, lon1), (lat2, lon2)).km


# Haversine on a sphere differs from the WGS-84 geodesic by at most about 0.56 %.
HAVERSINE_TOLERANCE = 0.006
# The local tangent-plane distance on the ellipsoid stays within 0.015 % of the
# geodesic for points up to 120 km apart between 75 degrees south and north
# (measured against geopy; tests/hub/test_geo.py checks it); we allow 0.05 %.
LOCAL_TOLERANCE = 0.0005
LOCAL_MAX_KM = 100.0
LOCAL_MAX_LAT = 75.0
WGS84_A = 6378.137
WGS84_E2 = (1 / 298.257223563) * (2 - 1 / 298.257223563)


def local_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Short distances on the WGS-84 ellipsoid's local plane; about 1 µs a call.

    Uses the meridional and prime-vertical radii of curvature at the mean
    latitude. Good for nearby points only: see LOCAL_TOLERANCE.
    """
    mid = math.radians((lat1 + lat2) / 2)
    w = math.sqrt(1 - WGS84_E2 * math.sin(mid) ** 2)
    prime_vertical = WGS84_A / w
    meridional = WGS84_A * (1 - WGS84_E2) / w**3
    dy = meridional * math.radians(lat2 - lat1)
    dx = prime_vertical * math.cos(mid) * math.radians(lon2 - lon1)
    return math.hypot(dx, dy)


def cheap_distance(lat: float, radius_km: float) -> tuple[Callable, float]:
    """The cheap distance to use around ``lat`` up to ``radius_km``, and its error
    bound relative to the geodesic: the local plane near by, haversine otherwise."""
    if radius_km <= LOCAL_MAX_KM and abs(lat) <= LOCAL_MAX_LAT:
        return local_km, LOCAL_TOLERANCE
    return haversine_km, HAVERSINE_TOLERANCE


def bounding_box(lat: float, lon: float, radius_km: float) -> BBox:
    """A box that certainly contains every point within ``radius_km`` of the centre.

    Boxes are not split at the antimeridian: the platform serves northern Europe.
    """
    # 110.5 km is the shortest degree of latitude; a margin covers the ellipsoid.
    dlat = radius_km / 110.5 * 1.01
    edge_lat = min(89.9, abs(lat) + dlat)
    dlon = min(180.0, radius_km / (111.0 * math.cos(math.radians(edge_lat))) * 1.01)
    return BBox(
        min_lat=max(-90.0, lat - dlat),
        max_lat=min(90.0, lat + dlat),
        min_lon=lon - dlon,
        max_lon=lon + dlon,
    )


def round_distance_km(km: float) -> float:
    """The distance shown to people: to 500 m below 5 km, whole km above, min 500 m."""
    if km < 4.75:
        return max(0.5, round(km * 2) / 2)
    return float(max(5, round(km)))


def distance_text(km: float | None) -> str:
    """A distance already rounded by ``round_distance_km``, in words of the
    active language ("about 2.5 km")."""
    if km is None:
        return ""
    if km <= 0.5:
        return gettext("about 500 m")
    places = 0 if float(km).is_integer() else 1
    return gettext("about %(km)s km") % {"km": number_format(km, places)}


def shown_distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The rounded geodesic distance, calling geopy only when it can matter.

    Rounding is monotonic, so when the cheap figure rounds the same at both ends
    of its error band the geodesic one rounds the same too.
    """
    distance, tolerance = cheap_distance(lat1, haversine_km(lat1, lon1, lat2, lon2))
    rough = distance(lat1, lon1, lat2, lon2)
    low = round_distance_km(rough * (1 - tolerance))
    if low == round_distance_km(rough * (1 + tolerance)):
        return low
    return round_distance_km(geodesic_km(lat1, lon1, lat2, lon2))


# --- the public grid -----------------------------------------------------------------


def grid_cell_m() -> int:
    return int(getattr(settings, "NABOLAG_GRID_CELL_M", 400))


def cell_bound_km(cell_m: int | None = None) -> float:
    """The furthest a point can be from its cell centre (half diagonal, with margin)."""
    cell_m = cell_m or grid_cell_m()
    return cell_m / 1000 * math.sqrt(2) / 2 * 1.02


def snap_to_grid(
    lat: float, lon: float, cell_m: int | None = None
) -> tuple[float, float]:
    """The centre of the fixed grid cell containing (lat, lon).

    Rows are ``cell_m`` tall; each row is cut into columns ``cell_m`` wide at its
    centre latitude. Pure: the same point always gives the same centre, and a
    centre snaps to itself.
    """
    cell_m = cell_m or grid_cell_m()
    lat = max(-85.0, min(85.0, lat))
    lat_step = cell_m / GRID_M_PER_DEG
    row = math.floor(lat / lat_step)
    centre_lat = (row + 0.5) * lat_step
    lon_step = cell_m / (GRID_M_PER_DEG * math.cos(math.radians(centre_lat)))
    col = math.floor(lon / lon_step)
    centre_lon = (col + 0.5) * lon_step
    if centre_lon > 180:
        centre_lon -= 360
    elif centre_lon < -180:
        centre_lon += 360
    return round(centre_lat, 6), round(centre_lon, 6)


# --- geocoding -----------------------------------------------------------------------


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    text = re.sub(r"\b\d{4}(?:\s?[a-z]{2})?\b", " ", text)  # DK/NO/NL postcodes
    return re.sub(r"[^\w' -]+", " ", text).strip()


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, GeoPoint]:
    places: dict[str, GeoPoint] = {}
    with GAZETTEER_PATH.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            point = GeoPoint(
                float(row["latitude"]), float(row["longitude"]), row["name"]
            )
            for name in [row["name"], *filter(None, row["alt_names"].split("|"))]:
                places[_normalise(name)] = point
    return places


def parse_coordinates(text: str) -> GeoPoint | None:
    """``"56.17, 9.55"`` typed as an address is taken as a point."""
    match = _COORDS.match(text or "")
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return GeoPoint(lat, lon, f"{lat:.3f}, {lon:.3f}")
    return None


def gazetteer_lookup(
    query: str, extra_places: Iterable[GeoPoint] = ()
) -> GeoPoint | None:
    """Find the most specific known place named in ``query`` (offline).

    The parts of an address are tried from the last (town) back to the first, and
    the caller's own places (for example the communities' centres) come first.
    """
    places = {_normalise(p.label): p for p in extra_places if p.label}
    places = {**_gazetteer(), **places}
    parts = [_normalise(part) for part in (query or "").split(",")]
    for part in [p for p in reversed(parts) if p]:
        if part in places:
            return places[part]
    # No part was a bare place name: look for a place name inside the text.
    whole = f" {' '.join(parts)} "
    for name in sorted(places, key=len, reverse=True):
        if len(name) >= 3 and f" {name} " in whole:
            return places[name]
    return None


def _nominatim_slot() -> None:
    """Nominatim allows one request a second per application, across processes."""
    for _attempt in range(50):
        if cache.add("geo:nominatim:slot", 1, timeout=1):
            return
        time.sleep(0.1)


@lru_cache(maxsize=1)
def _nominatim() -> RateLimiter:
    geocoder = Nominatim(
        user_agent=settings.NABOLAG_GEOCODER_USER_AGENT,
        domain=getattr(
            settings, "NABOLAG_NOMINATIM_DOMAIN", "nominatim.openstreetmap.org"
        ),
        timeout=5,
    )
    return RateLimiter(geocoder.geocode, min_delay_seconds=1.0, max_retries=1)


def nominatim_lookup(query: str) -> GeoPoint | None:
    key = "geo:nominatim:" + _normalise(query).replace(" ", "_")[:200]
    cached = cache.get(key)
    if cached is not None:
        return GeoPoint(*cached) if cached else None
    _nominatim_slot()
    try:
        location = _nominatim()(
            query,
            country_codes=getattr(settings, "NABOLAG_GEOCODER_COUNTRIES", None),
        )
    except GeopyError:
        logger.warning("nominatim lookup failed", exc_info=True)
        return None  # not cached: a network failure is not an answer
    point = (
        GeoPoint(location.latitude, location.longitude, location.address)
        if location
        else None
    )
    cache.set(
        key,
        (point.latitude, point.longitude, point.label) if point else (),
        NOMINATIM_CACHE_S,
    )
    return point


def geocode(query: str, *, extra_places: Iterable[GeoPoint] = ()) -> GeoPoint | None:
    """The point of an address or place name, or None when nobody knows it.

    Typed coordinates are accepted as they are. ``NABOLAG_GEOCODER`` chooses
    ``"gazetteer"`` (offline, the default) or ``"nominatim"``, which falls back to
    the gazetteer when it finds nothing or the network is down.
    """
    if not (query or "").strip():
        return None
    point = parse_coordinates(query)
    if point:
        return point
    extra_places = list(extra_places)
    if getattr(settings, "NABOLAG_GEOCODER", "gazetteer") == "nominatim":
        point = nominatim_lookup(query)
        if point:
            return point
    return gazetteer_lookup(query, extra_places)


def nearest_place_name(
    lat: float, lon: float, *, extra_places: Iterable[GeoPoint] = (), max_km: float = 15
) -> str:
    """The name of the nearest known place within ``max_km``: a public area label."""
    best, best_km = "", max_km
    for place in [*extra_places, *_gazetteer().values()]:
        distance = haversine_km(lat, lon, place.latitude, place.longitude)
        if distance <= best_km:
            best, best_km = place.label, distance
    return best
