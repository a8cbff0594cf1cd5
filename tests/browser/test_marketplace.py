from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.models import Match
from tests.browser import conftest
from tests.browser.conftest import axe_violations
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.browser

ADDRESS = "Bøgevej 17, Skovby"
TITLE = "Hjælp til digital post"


def signed_in_page(new_page, base_url, user, **size):
    """``user``'s browser context, in English (these tests read English)."""
    return conftest.signed_in_page(new_page, base_url, user, locale="en-GB", **size)


@pytest.fixture
def residents(transactional_db):
    village = CommunityFactory(
        name="Skovby", slug="skovby-help", latitude=56.1710, longitude=9.5470
    )
    karen = MembershipFactory(community=village, user__display_name="Karen").user
    lars = MembershipFactory(community=village, user__display_name="Lars").user
    return village, karen, lars


def test_a_request_is_found_by_radius_answered_accepted_and_the_address_shown_to_both(
    new_page, live_daphne, residents
):
    _village, karen, lars = residents
    author = signed_in_page(new_page, live_daphne, karen)
    helper = signed_in_page(new_page, live_daphne, lars, width=320, height=720)

    author.goto("/help/new/?kind=request")
    form_violations = axe_violations(author)
    author.locator("#id_title").fill(TITLE)
    author.locator("#id_description").fill("Jeg kan ikke finde ud af e-Boks.")
    author.locator("#id_category").select_option("digital")
    author.get_by_label("Skovby").check()
    author.locator("#id_address").fill(ADDRESS)
    author.locator("button[name=publish]").click()
    expect(author.locator("h1")).to_have_text(TITLE)

    helper.goto("/help/")
    helper.locator("#id_near").fill("Skovby")
    helper.locator("#id_radius").select_option("5")
    helper.get_by_role("button", name="Search").click()
    expect(helper.locator("#results-heading")).to_contain_text("1 listing within 5 km")
    assert ADDRESS not in helper.content()
    helper.get_by_role("link", name=TITLE).click()
    helper.locator("#id_message").fill("Jeg kan komme i morgen kl. 10.")
    helper.get_by_role("button", name="Send").click()
    expect(helper.locator(".messages")).to_contain_text("Your answer is sent")
    assert ADDRESS not in helper.content()

    author.reload()
    author.get_by_role("button", name="Accept Lars").click()
    expect(author.locator(".exact-address")).to_have_text(ADDRESS)

    match = Match.objects.get()
    helper.goto(match.get_absolute_url())
    expect(helper.locator(".exact-address")).to_have_text(ADDRESS)
    match_violations = axe_violations(helper)
    helper.get_by_role("link", name="Open the conversation").click()
    expect(helper).to_have_url(f"{live_daphne}/messages/c/{match.thread_id}/")
    expect(helper.locator("h1")).to_contain_text(TITLE)
    assert form_violations == []
    assert match_violations == []


def test_list_and_detail_pages_have_no_serious_accessibility_violations(
    new_page, live_daphne, residents
):
    from marketplace import services

    village, karen, lars = residents
    fields = services.ListingFields(
        kind="lend",
        title="Trailer til udlån",
        description="Lille trailer, 750 kg.",
        category="transport",
        communities=[village],
        tags=["trailer"],
        place=services.Place(ADDRESS),
    )
    listing = services.listing_create(author=karen, fields=fields, publish=True)
    soon = timezone.localdate() + timedelta(days=3)
    services.booking_request(
        borrower=MembershipFactory(community=village).user,
        listing=listing,
        starts_on=soon,
        ends_on=soon + timedelta(days=1),
    )
    page = signed_in_page(new_page, live_daphne, lars, width=320, height=720)

    page.goto("/help/?near=Skovby&radius=10")
    list_violations = axe_violations(page)
    page.goto(listing.get_absolute_url())
    expect(page.locator("table.calendar td.cal-booked")).to_have_count(2)
    detail_violations = axe_violations(page)
    overflow = page.evaluate(
        "document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"
    )

    assert list_violations == []
    assert detail_violations == []
    assert overflow == 0  # nothing scrolls sideways on a 320-pixel screen


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    )


@pytest.mark.parametrize("width", [1280, 320])
def test_a_lending_listing_is_posted_kind_first_with_its_place_picked_by_keyboard(
    new_page, live_daphne, residents, width
):
    _village, karen, _lars = residents
    page = signed_in_page(new_page, live_daphne, karen, width=width, height=800)

    page.goto("/help/new/")
    kind_violations = axe_violations(page)
    kind_fits = _no_horizontal_scroll(page)
    page.get_by_label("To lend").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_title")).to_be_visible()
    asks_helpers = page.locator("#id_helpers_needed").count()
    page.locator("#id_title").fill("Trailer til udlån")
    page.locator("#id_description").fill("Lille trailer med presenning.")
    page.locator("#id_category").select_option("repairs")
    page.get_by_label("Skovby").check()
    page.locator("#pick-map").focus()
    page.keyboard.press("ArrowRight")
    page.get_by_role("button", name="Put the point here").press("Enter")
    expect(page.locator("#pick-map-status")).to_have_text(
        "The point is set on the map."
    )
    form_violations = axe_violations(page)
    form_fits = _no_horizontal_scroll(page)
    latitude = page.locator("#id_latitude").input_value()
    page.locator("button[name=publish]").click()

    expect(page.locator("h1")).to_have_text("Trailer til udlån")
    assert asks_helpers == 0
    assert float(latitude) == pytest.approx(56.171, abs=0.05)
    assert kind_violations == []
    assert form_violations == []
    assert kind_fits
    assert form_fits


def test_a_click_on_the_map_picks_the_place(new_page, live_daphne, residents):
    _village, karen, _lars = residents
    page = signed_in_page(new_page, live_daphne, karen)
    page.goto("/help/new/?kind=give")

    page.locator("#pick-map").click(position={"x": 120, "y": 80})

    expect(page.locator("#pick-map-status")).to_have_text(
        "The point is set on the map."
    )
    assert page.locator("#id_latitude").input_value() != ""
    assert page.locator("#id_longitude").input_value() != ""
