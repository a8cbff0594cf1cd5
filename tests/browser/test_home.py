"""A resident's own hub home in a real browser: her villages' news and events,
help near her, her messages and what waits for her answer, clean in axe and no
wider than the screen at 1280 and 320 pixels."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cms import services as cms_services
from cms.models import EventPage, NewsPage, PortalIndexPage
from communities.models import Membership
from messaging import services as messaging_services
from tests.browser.conftest import axe_violations
from tests.browser.test_marketplace import signed_in_page
from tests.factories import MembershipFactory, UserFactory, member_of
from tests.helpers import make_listing, send

pytestmark = pytest.mark.browser


@pytest.fixture
def karen(hub, staff):
    villages = PortalIndexPage.objects.child_of(hub).get(slug="villages")
    skovby = cms_services.portal_create(
        actor=staff,
        parent=villages,
        name="Skovby",
        slug="skovby",
        kind="village",
        latitude=56.1710,
        longitude=9.5470,
    )
    club = cms_services.portal_create(
        actor=staff,
        parent=villages,
        name="Skovby Seniorklub",
        slug="klub",
        kind="association",
    )
    start = timezone.now() + timedelta(days=2)
    skovby.add_child(
        instance=EventPage(
            title="Fællesspisning",
            start_at=start,
            end_at=start + timedelta(hours=3),
            place="Forsamlingshuset, Skovby",
            description="<p>Alle er velkomne.</p>",
        )
    )
    skovby.add_child(instance=NewsPage(title="Ny legeplads ved skolen"))
    user = UserFactory(display_name="Karen")
    MembershipFactory(community=skovby.community, user=user)
    MembershipFactory(
        community=club.community, user=user, state=Membership.State.INVITED
    )
    user.home_community = skovby.community
    user.save(update_fields=["home_community"])
    lars = member_of(skovby.community, user__display_name="Lars")
    make_listing(lars, communities=[skovby.community], title="Hjælp i haven")
    send(
        lars,
        messaging_services.direct_start(actor=lars, others=[user]),
        "Skal vi følges til fællesspisningen?",
    )
    return user


@pytest.mark.parametrize("width", [1280, 320])
def test_a_resident_finds_her_own_home_and_it_passes_axe(
    new_page, live_daphne, karen, width
):
    page = signed_in_page(new_page, live_daphne, karen, width=width)

    page.goto("/")

    def section(heading_id):
        return page.locator(f'section[aria-labelledby="{heading_id}"]')

    expect(page.locator("main h1")).to_contain_text("Karen")
    mine = section("mine-heading")
    expect(mine.get_by_role("link", name="Fællesspisning")).to_be_visible()
    expect(mine.get_by_role("link", name="Ny legeplads ved skolen")).to_be_visible()
    expect(
        section("near-heading").get_by_role("link", name="Hjælp i haven")
    ).to_be_visible()
    messages = section("messages-heading")
    expect(messages.get_by_role("link", name="Lars")).to_be_visible()
    expect(
        section("waiting-heading").get_by_text("Skovby Seniorklub has invited you")
    ).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []

    messages.get_by_role("link", name="Lars").click()
    page.wait_for_load_state()

    expect(page.get_by_text("Skal vi følges til fællesspisningen?")).to_be_visible()
