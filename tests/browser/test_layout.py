"""The page's frame on a phone and a wide screen: nothing wider than 320 pixels,
a compact header whose menu button opens the navigation, and a navigation that
stays in reach without JavaScript."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cms.models import PortalIndexPage
from messaging import services
from tests.browser.conftest import axe_violations, signed_in_page
from tests.factories import MembershipFactory
from tests.helpers import make_listing, send

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}
LONG_WORD = "https://skovby.example/" + "forsamlingshus" * 6


@pytest.fixture
def skovby(hub, staff):
    from cms.services import portal_create

    villages = PortalIndexPage.objects.child_of(hub).get(slug="villages")
    return portal_create(
        actor=staff,
        parent=villages,
        name="Skovby Borger- og Beboerforening",
        slug="skovby",
        kind="village",
        description="Landsbyen ved skoven.",
        theme_colour="#1d4f91",
    )


@pytest.fixture
def karen(skovby):
    community = skovby.community
    return MembershipFactory(community=community, user__display_name="Karen").user


def _scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("where", ["hub", "portal", "search", "conversation"])
def test_a_residents_pages_fit_320_pixels_with_the_menu_shut_and_open(
    new_page, live_daphne, skovby, karen, where
):
    general = services.channel_ensure_general(community=skovby.community)
    send(karen, general, f"Se programmet her: {LONG_WORD}")
    make_listing(karen, communities=[skovby.community], title=LONG_WORD[:80])
    path = {
        "hub": "/",
        "portal": "/villages/skovby/",
        "search": reverse("marketplace:list"),
        "conversation": general.get_absolute_url(),
    }[where]
    page = signed_in_page(new_page, live_daphne, karen, **PHONE)

    page.goto(path)
    shut = _scroll_width(page)
    page.locator(".menu-button").click()

    assert shut <= 320
    assert _scroll_width(page) <= 320
    assert axe_violations(page) == []


def test_the_menu_button_opens_the_navigation_on_a_phone_and_escape_shuts_it(
    new_page, live_daphne, skovby, karen
):
    page = signed_in_page(new_page, live_daphne, karen, **PHONE)
    page.goto("/")
    button = page.get_by_role("button", name="Menu")
    navigation = page.locator("#site-menu nav")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    header_height = page.locator(".site-header").bounding_box()["height"]

    button.click()

    expect(button).to_have_attribute("aria-expanded", "true")
    expect(navigation).to_be_visible()
    expect(page.locator("#site-menu .language-form")).to_be_visible()
    assert header_height <= 80
    page.keyboard.press("Escape")
    expect(navigation).to_be_hidden()
    expect(button).to_be_focused()
    button.click()
    navigation.get_by_role("link", name="Mine fællesskaber").click()
    page.wait_for_url(re.compile(r"/communities/mine/$"))


def test_on_a_wide_screen_the_navigation_sits_in_one_row_without_a_menu_button(
    new_page, live_daphne, skovby, karen
):
    page = signed_in_page(new_page, live_daphne, karen, width=1280)

    page.goto("/")

    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    links = page.locator("#site-menu nav > ul > li")
    tops = {
        round(box["y"])
        for box in links.evaluate_all(
            "items => items.map(item => item.getBoundingClientRect().toJSON())"
        )
    }
    assert links.count() >= 4
    assert len(tops) == 1


def test_without_javascript_the_phone_navigation_stays_open(
    browser, live_daphne, transactional_db, skovby
):
    # Its own context, as new_page gives none without JavaScript; the live
    # server sees the portal only through a transactional database.
    context = browser.new_context(
        base_url=live_daphne, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()

    page.goto("/villages/skovby/")

    expect(page.locator("#site-menu nav")).to_be_visible()
    expect(page.locator(".menu-button")).to_be_hidden()
    assert _scroll_width(page) <= 320
    context.close()
