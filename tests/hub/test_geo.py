import pytest
from django.test import override_settings
from geopy.distance import geodesic
from hypothesis import given, settings
from hypothesis import strategies as st

from hub import geo

latitudes = st.floats(min_value=-80, max_value=80, allow_nan=False)
longitudes = st.floats(min_value=-179.99, max_value=179.99, allow_nan=False)
distances = st.floats(min_value=0, max_value=20_000, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(latitudes, longitudes)
def test_the_public_point_is_stable_and_within_the_cell_bound(lat, lon):
    first = geo.snap_to_grid(lat, lon)
    second = geo.snap_to_grid(lat, lon)

    assert first == second
    assert geo.snap_to_grid(*first) == first
    assert geo.geodesic_km(lat, lon, *first) <= geo.cell_bound_km()


@settings(max_examples=300, deadline=None)
@given(distances)
def test_shown_distances_are_always_rounded(km):
    shown = geo.round_distance_km(km)

    if shown < 5:
        assert (shown * 2).is_integer()
        assert shown >= 0.5
    else:
        assert shown.is_integer()
    assert abs(shown - km) <= 0.5 or km < 0.5


@settings(max_examples=200, deadline=None)
@given(
    latitudes,
    st.floats(min_value=-170, max_value=170),  # boxes do not cross the antimeridian
    st.floats(min_value=0.1, max_value=100),
)
def test_the_bounding_box_holds_every_point_at_the_radius(lat, lon, radius):
    box = geo.bounding_box(lat, lon, radius)

    for bearing in (0, 90, 180, 270, 45, 135):
        edge = geodesic(kilometers=radius).destination((lat, lon), bearing)
        assert box.min_lat <= edge.latitude <= box.max_lat
        assert box.min_lon <= edge.longitude <= box.max_lon


def test_distances_below_five_km_round_to_half_kilometres():
    assert geo.round_distance_km(0.1) == 0.5
    assert geo.round_distance_km(1.26) == 1.5
    assert geo.round_distance_km(4.6) == 4.5
    assert geo.round_distance_km(7.4) == 7.0


def test_the_gazetteer_finds_the_town_of_an_address():
    point = geo.geocode("Vestergade 5, 8600 Silkeborg")

    assert (point.latitude, point.longitude) == (56.1697, 9.5451)


def test_the_gazetteer_knows_norwegian_and_dutch_places():
    assert geo.geocode("Tromsø").label == "Tromsø"
    assert geo.geocode("Kerkstraat 1, Den Bosch").label == "'s-Hertogenbosch"


def test_typed_coordinates_are_taken_as_a_point():
    assert geo.geocode("56.2, 9.5") == geo.GeoPoint(56.2, 9.5, "56.200, 9.500")


def test_a_communitys_own_centre_is_known_by_name():
    skovby = geo.GeoPoint(56.171, 9.547, "Skovby")

    assert geo.geocode("Skovvej 2, Skovby", extra_places=[skovby]) == skovby


def test_an_unknown_address_geocodes_to_nothing():
    assert geo.geocode("Ingenvej 1, Ukendtby") is None


@override_settings(NABOLAG_GEOCODER="nominatim")
def test_nominatim_results_are_cached_and_failures_fall_back(monkeypatch):
    calls = []

    class FakeLocation:
        latitude, longitude, address = 55.0, 10.0, "Somewhere, Danmark"

    def fake_geocoder(query, **kwargs):
        calls.append(query)
        return FakeLocation()

    monkeypatch.setattr(geo, "_nominatim", lambda: fake_geocoder)

    first = geo.geocode("Hovedgaden 1, Fjernby")
    second = geo.geocode("Hovedgaden 1, Fjernby")

    assert first == second == geo.GeoPoint(55.0, 10.0, "Somewhere, Danmark")
    assert calls == ["Hovedgaden 1, Fjernby"]


@pytest.mark.parametrize(("lat", "lon"), [(56.17, 9.55), (59.91, 10.75), (52.37, 4.9)])
def test_the_nearest_place_is_a_public_area_name(lat, lon):
    assert geo.nearest_place_name(lat, lon) in {"Silkeborg", "Oslo", "Amsterdam"}


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=54, max_value=71),
    st.floats(min_value=3, max_value=20),
    st.floats(min_value=-0.5, max_value=0.5),
    st.floats(min_value=-0.8, max_value=0.8),
)
def test_the_shown_distance_equals_the_rounded_geodesic_one(lat, lon, dlat, dlon):
    exact = geo.round_distance_km(geo.geodesic_km(lat, lon, lat + dlat, lon + dlon))

    assert geo.shown_distance_km(lat, lon, lat + dlat, lon + dlon) == exact


@settings(max_examples=500, deadline=None)
@given(
    st.floats(min_value=-75, max_value=75),
    st.floats(min_value=-170, max_value=170),
    st.floats(min_value=0.01, max_value=geo.LOCAL_MAX_KM),
    st.floats(min_value=0, max_value=360),
)
def test_the_local_distance_stays_within_its_tolerance_of_the_geodesic(
    lat, lon, km, bearing
):
    edge = geodesic(kilometers=km).destination((lat, lon), bearing)
    exact = geo.geodesic_km(lat, lon, edge.latitude, edge.longitude)

    local = geo.local_km(lat, lon, edge.latitude, edge.longitude)

    assert abs(local - exact) <= exact * geo.LOCAL_TOLERANCE
