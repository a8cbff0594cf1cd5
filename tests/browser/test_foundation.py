"""The foundation in a real browser: sign up, verify, join, and accessibility."""

import re

import pytest

from cms.models import NewsPage, PortalIndexPage
from tests.browser.conftest import axe_violations
from tests.factories import TEST_PASSWORD, member_of

pytestmark = pytest.mark.browser

PASSWORD = "Skovby-har-en-ny-bager-2026"
WIDTHS = (1280, 320)


@pytest.fixture
def skovby(hub, staff):
    """A village portal built as municipal staff build it, with one news item."""
    from cms.services import portal_create

    villages = PortalIndexPage.objects.child_of(hub).get(slug="villages")
    portal = portal_create(
        actor=staff,
        parent=villages,
        name="Skovby",
        slug="skovby",
        kind="village",
        description="Landsbyen ved skoven.",
        theme_colour="#1f6f43",
    )
    portal.add_child(instance=NewsPage(title="Sommerfest på engen"))
    return portal


def _confirmation_link(mailbox) -> str:
    for message in reversed(mailbox()):
        # Django sends UTF-8 text as 8bit, so the undecoded payload is the text.
        body = message.get_payload()
        found = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
        if found:
            return found.group(0)
    raise AssertionError("no verification e-mail was sent")


def test_a_newcomer_signs_up_verifies_joins_a_village_and_sees_it(
    new_page, mailbox, skovby
):
    page = new_page()
    page.goto("/accounts/signup/")
    page.fill("input[name=display_name]", "Ny Nabo")
    page.fill("input[name=email]", "ny.nabo@example.org")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.check("input[name=privacy_accepted]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    page.goto(_confirmation_link(mailbox))
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/villages/skovby/")
    page.get_by_role("button", name=re.compile("Skovby")).click()
    page.wait_for_load_state()
    page.get_by_role("navigation").get_by_role(
        "link", name=re.compile("Mine fællesskaber|My communities")
    ).click()

    assert page.url.endswith("/communities/mine/")
    assert page.get_by_role("link", name="Skovby").is_visible()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize(
    "path",
    ["/", "/villages/skovby/", "/accounts/login/", "/accounts/signup/"],
    ids=["hub-home", "portal", "login", "signup"],
)
def test_public_pages_have_no_serious_accessibility_violations(
    new_page, skovby, path, width
):
    page = new_page(width=width)

    page.goto(path)

    assert axe_violations(page) == []


@pytest.mark.parametrize(
    "path", ["/", "/villages/skovby/", "/accounts/login/", "/accounts/signup/"]
)
def test_public_pages_do_not_scroll_sideways_at_320_pixels(new_page, skovby, path):
    page = new_page(width=320, height=640)

    page.goto(path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("path", ["/", "/villages/skovby/", "/communities/mine/"])
def test_pages_for_a_logged_in_member_fit_320_pixels_and_pass_axe(
    new_page, skovby, path
):
    member = member_of(skovby.community)
    page = new_page(width=320, height=640)
    page.goto("/accounts/login/")
    page.fill("input[name=login]", member.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/communities/mine/$"))

    page.goto(path)

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []
