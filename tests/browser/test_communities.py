"""The organisers' member page in a browser: groups, and removal in a dialog."""

import pytest
from playwright.sync_api import expect

from communities.models import Membership
from tests.browser.conftest import axe_violations
from tests.browser.test_marketplace import signed_in_page
from tests.factories import CommunityFactory, MembershipFactory, organiser_of

pytestmark = pytest.mark.browser


@pytest.fixture
def skovby(transactional_db):
    village = CommunityFactory(name="Skovby", slug="skovby-members")
    karen = MembershipFactory(community=village, user__display_name="Karen")
    MembershipFactory(
        community=village, user__display_name="Bo", state=Membership.State.REQUESTED
    )
    return village, karen, organiser_of(village)


@pytest.mark.parametrize("width", [1280, 320])
def test_an_organiser_removes_a_member_after_confirming_in_a_dialog(
    new_page, live_daphne, skovby, width
):
    village, karen, organiser = skovby
    page = signed_in_page(new_page, live_daphne, organiser, width=width, height=800)
    page.goto(f"/communities/{village.slug}/members/")
    page_violations = axe_violations(page)
    fits = page.evaluate(
        "() => document.documentElement.scrollWidth <= window.innerWidth"
    )

    page.get_by_text("Manage Karen").click()
    page.get_by_role("link", name="Remove Karen").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Remove Karen from Skovby?")
    # axe reads colours: let the dialog's fade-in end first.
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')"
    )
    dialog_violations = axe_violations(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    karen.refresh_from_db()
    still_there = karen.state
    page.get_by_role("link", name="Remove Karen").click()
    page.get_by_role("button", name="Yes, remove Karen").click()

    expect(page.locator(".messages")).to_contain_text("Karen was removed.")
    karen.refresh_from_db()
    assert still_there == Membership.State.ACTIVE
    assert karen.state == Membership.State.REMOVED
    assert page_violations == []
    assert dialog_violations == []
    assert fits
