"""A listing's card in the search shows its first photo with its description, and
photos on every card cost no query more."""

import re

import pytest
from django.urls import reverse

from tests.helpers import make_listing, photo_upload, session_queries

pytestmark = pytest.mark.django_db


def _card_images(html: str) -> list[str]:
    return re.findall(r'<img [^>]*class="listing-thumb card-picture"[^>]*>', html)


def test_a_search_card_shows_the_listings_first_photo_with_its_description(
    client, author, village
):
    listing = make_listing(
        author,
        communities=[village],
        title="Ladcykel til udlån",
        photos=[photo_upload(gps=False), photo_upload("two.jpg", gps=False)],
        photo_description="En blå ladcykel foran en hæk",
    )
    first = listing.photos.order_by("position").first()

    html = client.get(reverse("marketplace:list")).text

    [img] = _card_images(html)
    assert f'src="{first.image.url}"' in img
    assert 'alt="En blå ladcykel foran en hæk"' in img
    assert f'width="{first.width}" height="{first.height}"' in img
    assert 'loading="lazy"' in img


def test_a_card_without_a_photo_shows_no_image(client, author, village):
    make_listing(author, communities=[village], title="Hjælp til e-Boks")

    html = client.get(reverse("marketplace:list")).text

    assert _card_images(html) == []


@pytest.mark.parametrize("size", [1, 4])
def test_a_search_with_photos_on_every_card_makes_the_same_queries(
    client, author, neighbour, village, size, django_assert_num_queries
):
    for n in range(size):
        make_listing(
            author,
            communities=[village],
            title=f"Opslag {n}",
            photos=[photo_upload(f"{n}.jpg", gps=False)],
            photo_description=f"Foto {n}",
        )
    client.force_login(neighbour)

    # As tests/marketplace/test_query_counts.py: the first photo comes with the
    # page's rows (marketplace.selectors.search.FirstPhoto).
    with django_assert_num_queries(12 + session_queries()):
        response = client.get(
            reverse("marketplace:list"), {"near": "Skovby", "radius": 5}
        )

    assert len(_card_images(response.text)) == size
