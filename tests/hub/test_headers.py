"""Every public page carries a Content-Security-Policy with a nonce, a
Permissions-Policy and a meta description; the Wagtail admin keeps working."""

import html
import re

import pytest
from django.conf import settings
from django.urls import reverse

from cms import services as cms_services
from cms.models import PortalIndexPage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.marketplace.conftest import make_listing


def _policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _nonce(response) -> str:
    [nonce] = [
        value[len("'nonce-") : -1]
        for value in _policy(response)["script-src"]
        if value.startswith("'nonce-")
    ]
    return nonce


def _meta_description(response) -> str:
    [content] = re.findall(
        r'<meta name="description" content="([^"]*)">', response.text
    )
    return html.unescape(content)


@pytest.fixture
def portal(hub, staff):
    villages = PortalIndexPage.objects.child_of(hub).get(slug="villages")
    return cms_services.portal_create(
        actor=staff,
        parent=villages,
        slug="skovby",
        name="Skovby",
        kind="village",
        description="Landsbyen ved skoven, med skole, købmand og forsamlingshus.",
        theme_colour="#14492c",
    )


def test_public_pages_allow_only_own_scripts_and_styles_and_those_with_the_nonce(
    client, hub, portal
):
    response = client.get(portal.url)

    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert f"'nonce-{_nonce(response)}'" in policy["style-src"]


def test_a_portal_page_has_no_inline_style_or_script_without_the_nonce(
    client, hub, portal
):
    response = client.get(portal.url)

    page, nonce = response.text, _nonce(response)
    assert " style=" not in page
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", page):
        assert (
            "src=" in tag
            or 'type="application/json"' in tag
            or f'nonce="{nonce}"' in tag
        ), tag
    # The portal's colour reaches the header through the nonce'd style element.
    assert "--brand: #14492c" in page


def test_every_answer_sends_a_permissions_policy(client, hub):
    response = client.get("/")

    features = dict(
        item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
    )
    assert features["camera"] == "()"
    assert features["microphone"] == "()"
    assert features["geolocation"] == "()"
    assert features["payment"] == "()"
    assert features["usb"] == "()"


def test_the_hub_home_describes_the_platform(client, hub):
    response = client.get("/")

    description = _meta_description(response)
    assert settings.NABOLAG_MUNICIPALITY_NAME in description
    assert "Nabolag" in description


def test_a_portal_page_is_described_by_its_community(client, hub, portal):
    response = client.get(portal.url)

    assert _meta_description(response) == (
        "Landsbyen ved skoven, med skole, købmand og forsamlingshus."
    )


def test_a_listing_is_described_by_its_text(client, hub):
    village = CommunityFactory(name="Skovby", slug="skovby-by")
    author = UserFactory()
    MembershipFactory(community=village, user=author)
    listing = make_listing(author, description="Jeg kan ikke finde ud af e-Boks.")
    client.force_login(author)

    response = client.get(reverse("marketplace:detail", args=[listing.pk]))

    assert "Jeg kan ikke finde ud af e-Boks." in _meta_description(response)


def test_the_wagtail_admin_still_loads_with_its_own_scripts(client, hub, staff):
    client.force_login(staff)

    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert "Permissions-Policy" in response
