"""The listing form in two steps without JavaScript: the kind, then its fields."""

import pytest
from django.urls import reverse

from marketplace.models import Listing
from tests.helpers import make_listing

CREATE = "marketplace:create"


def _typed(village, **changes) -> dict:
    return {
        "kind": "lend",
        "title": "Trailer til udlån",
        "description": "Lille trailer med presenning.",
        "category": "repairs",
        "communities": [village.pk],
        "address": "Skovvej 2, Skovby",
        "publish": "1",
        **changes,
    }


def test_a_new_listing_starts_by_asking_for_its_kind_only(client, author):
    client.force_login(author)

    response = client.get(reverse(CREATE))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('type="radio" name="kind"') == len(Listing.Kind.values)
    assert 'name="title"' not in page
    assert 'method="get"' in page


def test_a_chosen_kind_gets_only_the_fields_it_needs(client, author):
    client.force_login(author)

    lend = client.get(reverse(CREATE), {"kind": "lend"}).content.decode()
    volunteer = client.get(reverse(CREATE), {"kind": "volunteer"}).content.decode()

    assert 'name="title"' in lend
    assert '<input type="hidden" name="kind" value="lend"' in lend
    assert 'name="helpers_needed"' not in lend
    assert 'name="starts_at"' not in lend
    assert 'name="helpers_needed"' in volunteer
    assert 'name="starts_at"' in volunteer


def test_the_place_is_never_asked_as_latitude_and_longitude(client, author):
    client.force_login(author)

    page = client.get(reverse(CREATE), {"kind": "request"}).content.decode()

    assert '<input type="hidden" name="latitude"' in page
    assert '<input type="hidden" name="longitude"' in page
    assert 'type="number" name="latitude"' not in page
    assert "Latitude" not in page


def test_an_unknown_kind_is_asked_again_and_nothing_is_created(client, author, village):
    client.force_login(author)

    response = client.post(reverse(CREATE), _typed(village, kind="boat"))

    assert response.status_code == 400
    assert 'type="radio" name="kind"' in response.content.decode()
    assert not Listing.objects.exists()


def test_a_lending_listing_is_created_from_its_own_short_form(client, author, village):
    client.force_login(author)

    response = client.post(reverse(CREATE), _typed(village))

    listing = Listing.objects.get()
    assert response.status_code == 302
    assert (listing.kind, listing.title) == ("lend", "Trailer til udlån")
    assert listing.helpers_needed == 1
    assert listing.starts_at is None


def test_a_point_picked_on_the_map_places_the_listing_without_an_address(
    client, author, village
):
    client.force_login(author)

    client.post(
        reverse(CREATE),
        _typed(village, address="", latitude="56.1712", longitude="9.5468"),
    )

    listing = Listing.objects.get()
    assert listing.kind == "lend"
    assert listing.public_latitude == pytest.approx(56.1712, abs=0.01)


def test_an_unknown_address_is_refused_with_its_error_keeping_the_typing(
    client, author, village
):
    client.force_login(author)

    response = client.post(
        reverse(CREATE), _typed(village, address="Ukendtvej 99, Intetsteds")
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "We could not find this address" in page
    assert 'value="Ukendtvej 99, Intetsteds"' in page
    assert 'value="Trailer til udlån"' in page
    assert "Lille trailer med presenning." in page
    assert '<input type="hidden" name="kind" value="lend"' in page
    assert not Listing.objects.exists()


def test_a_failed_form_keeps_what_was_typed_and_its_kind(client, author, village):
    client.force_login(author)

    response = client.post(
        reverse(CREATE), _typed(village, kind="volunteer", title="", helpers_needed=6)
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors["title"]
    assert 'name="helpers_needed" value="6"' in page
    assert "Lille trailer med presenning." in page
    assert not Listing.objects.exists()


def test_a_half_point_is_refused_beside_the_address(client, author, village):
    client.force_login(author)

    response = client.post(
        reverse(CREATE), _typed(village, address="", latitude="56.17")
    )

    assert response.status_code == 400
    assert "Give both latitude and longitude, or neither." in (
        response.content.decode()
    )
    assert response.context["form"].errors["address"]
    assert not Listing.objects.exists()


def test_an_edit_starts_at_the_fields_with_its_kind_fixed(client, author, village):
    listing = make_listing(author, communities=[village], kind="lend")
    client.force_login(author)

    response = client.get(reverse("marketplace:edit", args=[listing.pk]))

    page = response.content.decode()
    assert 'name="title"' in page
    assert 'name="kind"' not in page
    assert 'name="helpers_needed"' not in page
