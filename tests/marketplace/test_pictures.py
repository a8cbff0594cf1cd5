"""A listing's card in the search shows its first photo with its description, and
photos on every card cost no query more."""

import re

import pytest
from django.urls import reverse
from PIL import Image

from marketplace.models import ListingPhoto
from tests.helpers import (
    make_listing,
    nearest_walk_queries,
    photo_upload,
    session_queries,
)

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
    assert f'src="{first.card.url}"' in img
    assert first.card.url.endswith(".webp")
    assert 'alt="En blå ladcykel foran en hæk"' in img
    assert 'width="640" height="360"' in img
    assert 'loading="lazy"' in img


def test_a_card_shows_a_crop_of_the_photo_a_tenth_of_its_size(author, village):
    listing = make_listing(
        author, communities=[village], photos=[photo_upload(gps=False)]
    )

    photo = listing.photos.get()
    with Image.open(photo.card.path) as card:
        assert card.size == (640, 360)
        assert card.format == "WEBP"
        assert "exif" not in card.info
    assert photo.card.size * 10 < photo.image.size


def test_a_photo_stored_before_cards_were_made_shows_itself_on_its_card(
    client, author, village
):
    listing = make_listing(
        author, communities=[village], photos=[photo_upload(gps=False)]
    )
    photo = listing.photos.get()
    ListingPhoto.objects.filter(pk=photo.pk).update(card="")

    [img] = _card_images(client.get(reverse("marketplace:list")).text)

    assert f'src="{photo.image.url}"' in img
    assert f'width="{photo.width}" height="{photo.height}"' in img


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
    with django_assert_num_queries(12 + session_queries() + nearest_walk_queries()):
        response = client.get(
            reverse("marketplace:list"), {"near": "Skovby", "radius": 5}
        )

    assert len(_card_images(response.text)) == size
