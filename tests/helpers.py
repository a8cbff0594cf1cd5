"""Helpers shared by the tests of every app: build data through the services,
read a socket, count queries, say a message as the Danish pages do. Fixtures
live in the conftest files and tests/fixtures.py; test modules import from here,
never from each other."""

import io
import os
import struct
import uuid
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from django.utils.functional import Promise
from PIL import Image

# A private point in Skovby's area and its street address: neither may ever leak.
EXACT_LAT = 56.172345
EXACT_LON = 9.551234
ADDRESS = "Bøgevej 17, Skovby"


# --- Danish: the tests run in the project's default language and compare what the
# pages say through these (a message not yet translated stays English).


def da(
    text: str | Promise, plural: str | Promise | None = None, n: int = 1, /, **params
) -> str:
    """``text`` (or a lazy message) as the pages say it, in Danish. With
    ``plural``, the form for ``n``; with ``params``, filled in."""
    with translation.override("da"):
        if plural is not None:
            said = translation.ngettext(str(text), str(plural), n)
        else:
            said = translation.gettext(str(text))
    return said % params if params else said


def da_in(context: str, text: str) -> str:
    """``text`` in ``context`` (pgettext) as the pages say it, in Danish."""
    with translation.override("da"):
        return translation.pgettext(context, text)


def da_date(moment: datetime, pattern: str = "l j. F Y, H:i") -> str:
    """``moment`` on the municipality's clock, as the Danish pages write it."""
    with translation.override("da"):
        return date_filter(timezone.localtime(moment), pattern)


def session_queries() -> int:
    """Queries a logged-in request spends reading its session: none when Redis
    keeps sessions in front of the database (cached_db), one otherwise."""
    return 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1


def nearest_walk_queries() -> int:
    """The two statements PostgreSQL's nearest-first search spends setting and
    resetting its planner settings around its query
    (marketplace.selectors.search._index_walk); none on SQLite."""
    return 2 if connection.vendor == "postgresql" else 0


def requires_redis() -> pytest.MarkDecorator:
    """Skip unless REDIS_URL points at a running Redis (make test's second run)."""
    return pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs a real Redis server: set REDIS_URL "
        "(make test does in its second run)",
    )


def requires_postgres() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs a real PostgreSQL server: set DATABASE_URL "
        "(make test does in its second run)",
    )


# --- messaging


def send(author, conversation, body="Hej", client_id=None, **kwargs):
    """Send a message through the service; returns the message."""
    from messaging import services

    message, _created = services.message_send(
        author=author,
        conversation=conversation,
        body=body,
        client_id=client_id or uuid.uuid4().hex,
        **kwargs,
    )
    return message


async def socket_for(user, path: str = "/ws/") -> WebsocketCommunicator:
    """A connected socket of ``user``, past its first subscriptions frame."""
    from messaging.consumers import LiveConsumer

    communicator = WebsocketCommunicator(LiveConsumer.as_asgi(), path)
    communicator.scope["user"] = user
    connected, _protocol = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "subscriptions"
    return communicator


async def next_of_type(communicator, kind: str) -> dict:
    """The next frame of ``kind``, skipping others (waits up to 3 s per frame)."""
    while True:
        frame = await communicator.receive_json_from(timeout=3)
        if frame["type"] == kind:
            return frame


# --- marketplace


def make_listing(author, *, communities=(), publish=True, **overrides):
    """A listing made through the service, at the private point above.

    ``overrides`` are ListingFields' fields or the service's other arguments
    (photos, photo_description, client_id)."""
    from marketplace import services
    from marketplace.models import Listing

    fields = {
        "kind": Listing.Kind.REQUEST,
        "title": "Hjælp til digital post",
        "description": "Jeg kan ikke finde ud af e-Boks.",
        "category": "digital",
        "place": services.Place(ADDRESS, EXACT_LAT, EXACT_LON),
        "everyone_nearby": not communities,
        "tags": ["e-boks"],
        "communities": list(communities),
    }
    extra = {}
    for name in ("photos", "photo_description", "client_id"):
        if name in overrides:
            extra[name] = overrides.pop(name)
    fields.update(overrides)
    return services.listing_create(
        author=author,
        fields=services.ListingFields(**fields),
        publish=publish,
        **extra,
    )


def photo_upload(name="photo.jpg", *, gps=True, fmt="JPEG") -> SimpleUploadedFile:
    """A 3000 x 2000 photo, with a GPS position in its EXIF unless ``gps=False``."""
    image = Image.new("RGB", (3000, 2000), (120, 160, 90))
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "CameraMaker"
        exif[0x8825] = {1: "N", 2: (56.0, 10.0, 20.0), 3: "E", 4: (9.0, 33.0, 4.0)}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def bomb_png(name="bomb.png", *, width=30000, height=30000) -> SimpleUploadedFile:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a few bytes of
    data that would decompress to gigabytes): a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )
    return SimpleUploadedFile(name, data, content_type="image/png")


def stored_files(settings) -> list[Path]:
    """Every file under MEDIA_ROOT: refused uploads must leave none behind."""
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
