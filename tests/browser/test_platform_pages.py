"""The platform's own pages in a real browser: reached from the footer, clean in
axe at 1280 and 320 pixels, and the contact form delivering its message.

From a portal's own host name the footer leads to the hub's host: the Django
tests (tests/cms/test_platform_pages.py) check that, since the server process here
keeps Wagtail's list of sites in its own memory cache, which a site made by the
test process after the server's first request would not reach."""

import re

import pytest

from cms.models import MunicipalitySettings, PlatformPage
from tests.browser.conftest import axe_violations

pytestmark = pytest.mark.browser

WIDTHS = (1280, 320)
FOOTER_LINKS = {
    "accessibility": re.compile("Tilgængelighedserklæring|Accessibility statement"),
    "privacy": re.compile("Privatliv|Privacy"),
    "contact": re.compile("Kontakt|Contact"),
    "about": re.compile("Hvem driver Nabolag|Who runs Nabolag"),
    "rules": re.compile("Regler|Rules"),
}


@pytest.fixture
def contact_details(hub):
    details = MunicipalitySettings.load()
    details.address = "Egekær Rådhus\nTorvet 1\n8600 Egekær"
    details.email = "nabolag@egekaer.example"
    details.phone = "+45 70 10 20 30"
    details.dpo_email = "dpo@egekaer.example"
    details.save()
    return details


def _footer_link(page, role: str):
    return page.locator("footer").get_by_role("link", name=FOOTER_LINKS[role])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", list(FOOTER_LINKS))
def test_each_platform_page_is_reached_from_the_footer_and_passes_axe(
    new_page, contact_details, live_daphne, role, width
):
    page = new_page(width=width)
    page.goto("/")

    _footer_link(page, role).click()
    page.wait_for_load_state()

    assert page.url == live_daphne + PlatformPage.objects.get(role=role).url
    assert page.locator("h1").is_visible()
    assert page.locator("main time").first.is_visible()  # the dates
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []


def test_a_resident_writes_to_the_moderators_and_the_message_arrives(
    new_page, contact_details, mailbox
):
    page = new_page(width=320, height=640)
    page.goto("/")
    _footer_link(page, "contact").click()
    page.wait_for_load_state()

    page.fill("input[name=name]", "Karen Jensen")
    page.fill("input[name=email]", "karen@example.org")
    page.fill("textarea[name=message]", "Lygten på Skovvej er gået.")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    assert page.locator(".ds-alert[data-color=success]").is_visible()
    assert axe_violations(page) == []
    [mail] = mailbox()
    assert mail["To"] == "nabolag@egekaer.example"
    assert mail["Reply-To"] == "karen@example.org"
