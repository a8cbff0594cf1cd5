"""The HTML check keeps htmx fragments too, and checks them where they go."""

import shutil

import pytest
from django.urls import reverse

from tests import htmlcheck
from tests.factories import UserFactory
from tests.helpers import make_listing

needs_checker = pytest.mark.skipif(
    shutil.which("java") is None or not htmlcheck.VNU_JAR.exists(),
    reason="needs java and node_modules/vnu-jar (make test-deps)",
)


@pytest.fixture
def collected(monkeypatch):
    """A collection of its own, so the session's check is left as it was."""
    fresh = htmlcheck.Collected()
    monkeypatch.setattr(htmlcheck, "_collected", fresh)
    yield fresh
    if fresh.directory is not None:
        shutil.rmtree(fresh.directory, ignore_errors=True)


def _kept(collected) -> list[tuple[str, bytes]]:
    return [
        (url, (collected.directory / name).read_bytes())
        for name, url in collected.pages.items()
    ]


def test_an_htmx_answer_is_kept_as_a_fragment_in_the_element_it_fills(
    client, collected, db
):
    make_listing(UserFactory(), tags=["hundeluftning"])

    client.get(reverse("marketplace:tags"), {"q": "hun"}, HTTP_HX_REQUEST="true")

    [(url, document)] = _kept(collected)
    assert url == reverse("marketplace:tags") + "?q=hun"
    assert collected.fragments == set(collected.pages)
    assert document.startswith(b"<!doctype html>")
    assert b'<datalist id="fragment">\n<option value="hundeluftning">' in document


def test_a_whole_page_is_kept_as_it_is(client, collected, db):
    response = client.get(reverse("marketplace:list"))

    [(_url, document)] = _kept(collected)
    assert collected.fragments == set()
    assert document.startswith(response.content[:100])
    assert b"<title>fragment</title>" not in document


@needs_checker
def test_a_valid_fragment_passes_in_the_element_it_fills(tmp_path):
    options = b'<option value="hund"></option><option value="hundeluftning"></option>'
    path = tmp_path / "options.html"
    path.write_bytes(htmlcheck.as_document(options))

    assert htmlcheck._run_checker([path]) == []


@needs_checker
def test_an_error_in_a_fragment_is_reported_at_the_fragments_own_line(collected):
    htmlcheck.record_html(
        "/help/tags/?q=h", b'<li><a href="/">Hjem</a></li>\n<li><p><div></div></p></li>'
    )
    [name] = collected.pages

    errors = htmlcheck.errors_of(htmlcheck._run_checker([collected.directory / name]))

    assert errors
    assert all(
        error.startswith("/help/tags/?q=h (fragment) line 2: ") for error in errors
    )
