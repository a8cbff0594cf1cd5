"""No public page, feed or JSON response may carry the exact point or address.

Every response a non-matched person can reach is scanned for the street address
and for the exact coordinates written in any of the usual ways.
"""

import pytest
from django.urls import reverse

from marketplace import services
from marketplace.models import Listing
from tests.helpers import ADDRESS, EXACT_LAT, EXACT_LON, make_listing

STREET = ADDRESS.split(",")[0]


def _leaks(text: str) -> list[str]:
    needles = [STREET, "Bøgevej", "B\\u00f8gevej"]
    for value in (EXACT_LAT, EXACT_LON):
        needles += [repr(value), f"{value:.5f}", f"{value:.4f}", f"{value:.3f}"]
        needles += [f"{value:.4f}".replace(".", ",")]
    return [needle for needle in needles if needle in text]


@pytest.fixture
def published(author, village):
    request = make_listing(author, communities=[village])
    lend = make_listing(
        author,
        communities=[village],
        kind=Listing.Kind.LEND,
        title="Trailer",
        category="transport",
        tags=["trailer"],
    )
    return request, lend


def _public_urls(listings) -> list[str]:
    urls = [
        reverse("marketplace:list"),
        reverse("marketplace:list") + "?near=Skovby&radius=2",
        reverse("marketplace:list") + "?near=Skovby&view=map",
        reverse("marketplace:list") + "?near=Skovby&sort=newest&q=trailer",
        reverse("marketplace:tags") + "?q=t",
        "/api/marketplace/listings",
        "/api/marketplace/listings?near=Skovby&radius_km=2",
        f"/api/marketplace/listings?lat={EXACT_LAT}&lon={EXACT_LON}&radius_km=1",
        "/api/openapi.json",
    ]
    for listing in listings:
        urls += [
            listing.get_absolute_url(),
            f"/api/marketplace/listings/{listing.pk}",
            f"/api/marketplace/listings/{listing.pk}/responses",
        ]
    return urls


def test_public_pages_and_json_never_carry_the_exact_point_or_address(
    client, published, neighbour, stranger
):
    request, _lend = published
    # A pending response must not reveal anything either.
    services.response_create(responder=neighbour, listing=request, message="Jeg kan")

    for viewer in (None, stranger, neighbour):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        for url in _public_urls(published):
            response = client.get(url)
            assert response.status_code in (200, 401), url
            assert _leaks(response.content.decode()) == [], (viewer, url)


def test_the_owners_own_pages_show_it_only_where_meant(client, published, author):
    request, _lend = published
    client.force_login(author)

    detail = client.get(request.get_absolute_url()).content.decode()
    edit = client.get(reverse("marketplace:edit", args=[request.pk])).content.decode()

    assert _leaks(detail) == []
    assert STREET in edit


def test_a_declined_or_reopened_helper_does_not_see_the_address(
    client, published, author, neighbour
):
    request, _lend = published
    response = services.response_create(
        responder=neighbour, listing=request, message="Jeg kan"
    )
    match = services.response_accept(actor=author, response=response)
    services.match_reopen(actor=author, match=match)
    client.force_login(neighbour)

    page = client.get(reverse("marketplace:match", args=[match.pk])).content.decode()

    assert _leaks(page) == []


def test_a_listing_created_through_the_api_answers_without_the_address(
    client, author, village
):
    client.force_login(author)

    response = client.post(
        "/api/marketplace/listings",
        {
            "kind": "give",
            "title": "Gratis barnevogn",
            "description": "Hentes",
            "category": "children",
            "communities": [village.slug],
            "address": ADDRESS,
            "latitude": EXACT_LAT,
            "longitude": EXACT_LON,
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    assert _leaks(response.content.decode()) == []
