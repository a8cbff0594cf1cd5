import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.models import Community
from marketplace import services
from marketplace.models import Listing
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

# A private point in Skovby's area and its street address: neither may ever leak.
EXACT_LAT = 56.172345
EXACT_LON = 9.551234
ADDRESS = "Bøgevej 17, Skovby"


@pytest.fixture
def village(db):
    return CommunityFactory(
        name="Skovby", slug="skovby", latitude=56.1710, longitude=9.5470
    )


@pytest.fixture
def private_club(db):
    return CommunityFactory(
        name="Skovby Seniorklub",
        slug="seniorklub",
        kind=Community.Kind.ASSOCIATION,
        visibility=Community.Visibility.MEMBERS,
    )


@pytest.fixture
def author(village):
    user = UserFactory(display_name="Karen")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def neighbour(village):
    user = UserFactory(display_name="Lars")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def stranger(db):
    return UserFactory(display_name="Ukendt")


def make_listing(author, *, communities=(), publish=True, **overrides) -> Listing:
    fields = {
        "kind": Listing.Kind.REQUEST,
        "title": "Hjælp til digital post",
        "description": "Jeg kan ikke finde ud af e-Boks.",
        "category": "digital",
        "place": services.Place(ADDRESS, EXACT_LAT, EXACT_LON),
        "everyone_nearby": not communities,
        "tags": ["e-boks"],
    }
    fields.update(overrides)
    return services.listing_create(
        author=author, communities=list(communities), publish=publish, **fields
    )


@pytest.fixture
def listing(author, village):
    return make_listing(author, communities=[village])


@pytest.fixture
def trailer(author, village):
    return make_listing(
        author,
        communities=[village],
        kind=Listing.Kind.LEND,
        title="Trailer",
        category="transport",
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a temporary folder, never the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(settings):
    """Assertions read the English source strings, whatever translations exist."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


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


def stored_files(settings) -> list:
    """Every file under MEDIA_ROOT: refused uploads must leave none behind."""
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
