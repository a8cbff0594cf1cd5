"""User media under production-like settings: photos are served, documents never raw."""

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from wagtail.documents.models import Document
from wagtail.models import Collection

pytestmark = pytest.mark.django_db

# The smallest valid PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _put(root, relative: str, content: bytes) -> None:
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@override_settings(DEBUG=False)
def test_a_listing_photo_is_served_with_its_type_and_caching_headers(
    client, media_root
):
    _put(media_root, "listings/2026/cykel.png", PNG)

    response = client.get("/media/listings/2026/cykel.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=" in response["Cache-Control"]
    assert response["Last-Modified"]
    assert _body(response) == PNG


@override_settings(DEBUG=False)
def test_an_unchanged_photo_answers_not_modified(client, media_root):
    _put(media_root, "listings/cykel.png", PNG)
    first = client.get("/media/listings/cykel.png")

    again = client.get(
        "/media/listings/cykel.png", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )

    assert again.status_code == 304


@override_settings(DEBUG=False)
def test_a_file_that_is_not_an_image_is_only_offered_as_a_download(client, media_root):
    _put(media_root, "listings/side.html", b"<script>alert(1)</script>")

    response = client.get("/media/listings/side.html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert "default-src 'none'" in response["Content-Security-Policy"]


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    "path",
    ["/media/", "/media/listings/", "/media/listings", "/media/../pyproject.toml"],
    ids=["root", "folder", "folder-without-slash", "outside"],
)
def test_folders_are_never_listed_and_nothing_outside_media_is_served(
    client, media_root, path
):
    _put(media_root, "listings/cykel.png", PNG)

    response = client.get(path)

    assert response.status_code == 404


@override_settings(DEBUG=False)
def test_a_missing_file_is_not_found(client):
    response = client.get("/media/listings/findes-ikke.png")

    assert response.status_code == 404


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    "template",
    ["/media/{name}", "/media/listings/../{name}", "/media/Documents/{base}"],
    ids=["direct", "dot-dot", "other-case"],
)
def test_a_document_is_never_served_raw_from_media(client, make_portal, template):
    portal = make_portal("klubben", visibility="members")
    document = Document.objects.create(
        title="Referat",
        file=ContentFile(b"hemmeligt referat", name="referat.txt"),
        collection=Collection.objects.get(name=portal.title),
    )
    name = document.file.name  # documents/referat.txt
    path = template.format(name=name, base=name.split("/", 1)[1])

    response = client.get(path)

    assert response.status_code == 404
    assert b"hemmeligt" not in response.content


@override_settings(DEBUG=False)
def test_the_media_view_answers_only_get_and_head(client, media_root):
    _put(media_root, "listings/cykel.png", PNG)

    statuses = [
        client.head("/media/listings/cykel.png").status_code,
        client.post("/media/listings/cykel.png").status_code,
        client.delete("/media/listings/cykel.png").status_code,
    ]

    assert statuses == [200, 405, 405]
