"""Uploaded photos: checked, turned upright, resized and re-encoded with no metadata.

Re-encoding from the pixels alone drops every EXIF field (GPS position, camera,
owner), XMP and comments; only the orientation is applied first.
"""

import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTOS = 4
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_EDGE = 1600
# A card's picture: 16:9 at twice the pixels of the widest card on a phone.
CARD_SIZE = (640, 360)
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
TOO_MANY_PIXELS = _("This photo has too many pixels.")


class PhotoInvalid(Exception):
    def __init__(self, message) -> None:
        self.message = message
        super().__init__(str(message))


def _open(upload: UploadedFile) -> Image.Image:
    """The photo, opened lazily: only its header is read until the checks pass.

    The pixel count is checked on the header before anything is decoded, so a
    small file claiming a huge size (a decompression bomb) is refused like any
    other file we do not take; Pillow refuses the largest ones itself.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise PhotoInvalid(_("A photo may be at most 8 MB."))
    upload.seek(0)
    try:
        image = Image.open(upload)
        _check_header(image)
        image.verify()  # structural check; the image must be reopened after
        upload.seek(0)
        image = Image.open(upload)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoInvalid(TOO_MANY_PIXELS) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoInvalid(_("This file is not a photo we can read.")) from exc
    return image


def _check_header(image: Image.Image) -> None:
    if image.format not in ALLOWED_FORMATS:
        raise PhotoInvalid(_("Please upload a JPEG, PNG or WebP photo."))
    if image.width * image.height > MAX_PIXELS:
        raise PhotoInvalid(TOO_MANY_PIXELS)


def check_photo(upload: UploadedFile) -> None:
    """Refuse a file that is too big, not a photo, or of another type."""
    _open(upload)
    upload.seek(0)


def clean_photo(upload: UploadedFile) -> ContentFile:
    """A JPEG at most 1600 px on its longest side, with no metadata at all."""
    upload.seek(0)
    image = _open(upload)
    try:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((MAX_EDGE, MAX_EDGE))
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, (255, 255, 255))
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.getchannel("A"))
            image = background
        # A fresh image from the pixels only: nothing of image.info survives.
        clean = Image.frombytes(image.mode, image.size, image.tobytes())
    except (OSError, ValueError) as exc:
        raise PhotoInvalid(_("This file is not a photo we can read.")) from exc
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def card_picture(photo: ContentFile) -> ContentFile:
    """``photo`` (a cleaned JPEG) cropped to CARD_SIZE about its centre, as WebP."""
    photo.seek(0)
    with Image.open(photo) as image:
        card = ImageOps.fit(image.convert("RGB"), CARD_SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    card.save(out, format="WEBP", quality=80, method=4)
    stem = photo.name.rsplit(".", 1)[0]
    return ContentFile(out.getvalue(), name=f"{stem}.webp")
