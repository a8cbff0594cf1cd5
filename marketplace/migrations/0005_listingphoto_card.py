"""Listing photos get a card-sized crop (hub.images.card_picture), and the
photos stored before this get theirs made here. A photo whose file cannot be read
keeps none: its card shows the photo itself (ListingPhoto.card_picture)."""

import logging

from django.core.files.base import ContentFile
from django.db import migrations, models

import marketplace.models
from hub.images import card_picture

logger = logging.getLogger(__name__)


def make_cards(apps, schema_editor):
    ListingPhoto = apps.get_model("marketplace", "ListingPhoto")
    for photo in ListingPhoto.objects.filter(card="").iterator():
        try:
            with photo.image.open("rb") as stored:
                content = ContentFile(stored.read(), name=photo.image.name.rsplit("/", 1)[-1])
            card = card_picture(content)
            photo.card.save(card.name, card, save=False)
        except (OSError, ValueError):
            logger.warning("listing photo %s: no card made, its file cannot be read", photo.pk)
            continue
        ListingPhoto.objects.filter(pk=photo.pk).update(card=photo.card.name)


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0004_listing_public_point_gist"),
    ]

    operations = [
        migrations.AddField(
            model_name="listingphoto",
            name="card",
            field=models.ImageField(
                blank=True,
                editable=False,
                upload_to=marketplace.models._card_path,
                verbose_name="photo on a card",
            ),
        ),
        migrations.RunPython(make_cards, migrations.RunPython.noop, elidable=True),
    ]
