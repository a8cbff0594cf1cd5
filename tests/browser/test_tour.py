"""A walk through the demo as a visitor, a resident and an organiser, at 1280 and
320 pixels.

Every page is saved as a full-page screenshot in var/screenshots/ (look at them
before a change to the face lands: `make test` leaves them there), and each must
answer 200, fit its width without sideways scrolling and pass axe."""

import gzip
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from cms.models import EventPage, NewsPage, PortalPage
from communities.models import Community
from marketplace.models import Listing
from messaging.models import Conversation

from .conftest import axe_violations, signed_in_page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, 320)
# Pictures below the fold load lazily; a full-page screenshot shows them all.
LOAD_EVERY_PICTURE = """async () => {
    const pictures = [...document.images];
    pictures.forEach(picture => { picture.loading = "eager"; });
    await Promise.all(pictures.map(picture => picture.complete ? null
        : new Promise(done => { picture.onload = picture.onerror = done; })));
}"""


@pytest.fixture
def demo(live_daphne, transactional_db, mailoutbox):
    """The demo municipality, its hub site on the live server's own address."""
    call_command(
        "seed_demo", "--force", "--port", str(urlsplit(live_daphne).port), verbosity=0
    )


def _visitor_pages() -> dict[str, str]:
    """Skovby on its own host name (Chromium sends *.localhost to this machine),
    Havrum under the hub's address."""
    skovby = PortalPage.objects.get(slug="skovby")
    havrum = PortalPage.objects.get(slug="havrum")
    news = NewsPage.objects.live().filter(image__isnull=False).descendant_of(skovby)
    event = EventPage.objects.live().filter(image__isnull=False).descendant_of(skovby)
    listing = Listing.objects.filter(photos__isnull=False).order_by("pk").first()
    return {
        "hub-home": "/",
        "portal": skovby.full_url,
        "portal-under-hub": havrum.full_url,
        "news-list": f"{skovby.full_url}news/",
        "news-page": news.first().full_url,
        "event-list": f"{skovby.full_url}events/",
        "event-page": event.first().full_url,
        "help-search": "/help/",
        "listing": f"/help/{listing.pk}/",
        "accessibility": "/site/accessibility/",
        "privacy": "/site/privacy/",
        "contact": "/site/contact/",
        "about": "/site/about/",
        "sign-in": "/accounts/login/",
        "sign-up": "/accounts/signup/",
    }


def _resident_pages(karen: User) -> dict[str, str]:
    skovby = Community.objects.get(slug="skovby")
    general = Conversation.objects.filter(
        community=skovby, kind=Conversation.Kind.CHANNEL
    ).order_by("pk")
    direct = Conversation.objects.filter(
        kind=Conversation.Kind.DIRECT, participants__user=karen
    ).order_by("pk")
    listing = Listing.objects.exclude(author=karen).order_by("pk").first()
    return {
        "home": "/",
        "my-communities": "/communities/mine/",
        "village": f"/communities/{skovby.slug}/",
        "help-search": "/help/?radius=25",
        "listing": f"/help/{listing.pk}/",
        "new-listing": "/help/new/",
        "new-lending": "/help/new/?kind=lend",
        "my-listings": "/help/mine/",
        "watches": "/help/watches/",
        "alerts": "/help/alerts/",
        "inbox": "/messages/",
        "channel": f"/messages/c/{general.first().pk}/",
        "direct": f"/messages/c/{direct.first().pk}/",
        "channels": f"/messages/community/{skovby.slug}/",
        "profile": "/accounts/profile/",
        "my-reports": "/moderation/reports/",
        "my-moderation": "/moderation/mine/",
    }


def _organiser_pages() -> dict[str, str]:
    return {
        "members": "/communities/skovby/members/",
        "club-members": "/communities/skovby-if/members/",
        "moderation-queue": "/moderation/queue/",
    }


def _page_of(new_page, base_url: str, user: User | None, width: int):
    if user is None:
        return new_page(width=width, height=800)
    return signed_in_page(new_page, base_url, user, width=width, height=800)


def _walk(page, who: str, pages: dict[str, str], width: int) -> list[str]:
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in pages.items():
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        where = f"{who} {name} ({path}) at {width}"
        if response is None or response.status != 200:
            problems.append(f"{where}: answered {response and response.status}")
            continue
        page.evaluate(LOAD_EVERY_PICTURE)
        page.screenshot(path=SCREENSHOTS / f"{who}-{name}-{width}.png", full_page=True)
        if not page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
        ):
            problems.append(f"{where}: scrolls sideways")
        if page.locator("[aria-invalid=true], .ds-validation-message").count():
            problems.append(f"{where}: a form says its input is wrong")
        for violation in axe_violations(page):
            problems.append(f"{where}: axe {violation['id']}")
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_every_demo_page_answers_fits_and_passes_axe(
    new_page, live_daphne, demo, width
):
    karen = User.objects.get(email="karen@demo.example")
    lars = User.objects.get(email="lars@demo.example")

    problems = _walk(
        _page_of(new_page, live_daphne, None, width),
        "visitor",
        _visitor_pages(),
        width,
    )
    problems += _walk(
        _page_of(new_page, live_daphne, karen, width),
        "resident",
        _resident_pages(karen),
        width,
    )
    problems += _walk(
        _page_of(new_page, live_daphne, lars, width),
        "organiser",
        _organiser_pages(),
        width,
    )

    assert problems == []
    shots = {p.name for p in SCREENSHOTS.glob(f"*-{width}.png")}
    assert f"visitor-hub-home-{width}.png" in shots
    assert f"resident-channel-{width}.png" in shots


def test_the_hub_home_weighs_under_150_kb_compressed(new_page, live_daphne, demo):
    """Everything a visitor's browser fetches for the hub home at 1280 pixels,
    each response gzipped as a production server sends it (pictures, already
    compressed, barely shrink)."""
    page = new_page(width=1280, height=900)
    responses = []
    page.on("response", lambda response: responses.append(response))

    page.goto("/")
    page.wait_for_load_state("networkidle")
    page.evaluate(LOAD_EVERY_PICTURE)
    page.wait_for_load_state("networkidle")

    weight = sum(
        len(gzip.compress(response.body()))
        for response in responses
        if response.ok and response.request.method == "GET"
    )
    kinds = {response.request.resource_type for response in responses}
    assert {"document", "stylesheet", "script", "image"} <= kinds
    assert weight < 150_000, f"{weight} bytes"
