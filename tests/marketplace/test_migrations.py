import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

from marketplace.models import ListingPhoto
from tests.helpers import make_listing, photo_upload

BEFORE = [("marketplace", "0004_listing_public_point_gist")]
AFTER = [("marketplace", "0005_listingphoto_card")]


@pytest.fixture
def migrator(transactional_db):
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_photos_stored_before_cards_get_their_card_and_unreadable_ones_none(
    migrator, author, village
):
    listing = make_listing(
        author,
        communities=[village],
        photos=[photo_upload(gps=False), photo_upload("two.jpg", gps=False)],
    )
    kept, lost = listing.photos.order_by("position")
    lost.image.storage.delete(lost.image.name)
    MigrationExecutor(connection).migrate(BEFORE)

    MigrationExecutor(connection).migrate(AFTER)

    # At 0005 the table has no column a later migration added (hidden_at).
    kept, lost = ListingPhoto.objects.only("image", "card").order_by("position")
    with Image.open(kept.card.path) as card:
        assert (card.size, card.format) == ((640, 360), "WEBP")
    assert lost.card == ""
    assert lost.card_picture == lost.image
