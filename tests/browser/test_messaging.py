import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from messaging import services
from tests.browser.conftest import axe_violations
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.browser


def signed_in_page(new_page, base_url, user, **size):
    """A new browser context carrying ``user``'s session cookie."""
    client = Client()
    client.force_login(user)
    page = new_page(**size)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": base_url}])
    return page


@pytest.fixture
def channel(transactional_db):
    village = CommunityFactory(name="Skovby", slug="skovby-live")
    karen = MembershipFactory(community=village, user__display_name="Karen").user
    lars = MembershipFactory(community=village, user__display_name="Lars").user
    return services.channel_ensure_general(community=village), karen, lars


def test_message_written_by_one_resident_appears_for_another_without_reload(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    writer = signed_in_page(new_page, live_daphne, karen)
    reader = signed_in_page(new_page, live_daphne, lars, width=320, height=640)
    reader.goto(general.get_absolute_url())
    writer.goto(general.get_absolute_url())
    expect(reader.locator("#chat")).to_have_attribute("data-live", "open")
    expect(writer.locator("#chat")).to_have_attribute("data-live", "open")

    writer.locator("#id_body").fill("Fællesspisning i aften kl. 18!")
    writer.locator("#composer button[type=submit]").click()

    expect(reader.locator("#message-list")).to_contain_text(
        "Fællesspisning i aften kl. 18!"
    )
    expect(reader.locator("#announcer")).to_contain_text("Fællesspisning")
    expect(writer.locator("#id_body")).to_have_value("")
    assert writer.locator("#message-list li.chat-message").count() == 1


def test_conversation_page_has_no_serious_accessibility_violations(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    services.message_send(
        author=karen, conversation=general, body="Hej https://skovby.dk", client_id="a1"
    )
    page = signed_in_page(new_page, live_daphne, lars, width=320, height=640)

    page.goto(general.get_absolute_url())
    expect(page.locator("#chat")).to_have_attribute("data-live", "open")

    assert axe_violations(page) == []


def test_a_direct_message_shows_a_notice_and_bumps_the_badge_on_any_page(
    new_page, live_daphne, channel
):
    _general, karen, lars = channel
    direct = services.direct_start(actor=karen, others=[lars])
    writer = signed_in_page(new_page, live_daphne, karen)
    reader = signed_in_page(new_page, live_daphne, lars, width=320, height=640)
    reader.goto("/communities/mine/")
    expect(reader.locator("#live-notices")).to_have_attribute("data-live", "open")
    writer.goto(direct.get_absolute_url())
    expect(writer.locator("#chat")).to_have_attribute("data-live", "open")

    writer.locator("#id_body").fill("Har du tid til en kop kaffe?")
    writer.locator("#composer button[type=submit]").click()

    notice = reader.locator("#live-notices .live-notice a")
    expect(notice).to_contain_text("Karen")
    expect(notice).to_have_attribute(
        "href", re.compile(rf"^{re.escape(direct.get_absolute_url())}#m-\d+$")
    )
    expect(reader.locator("[data-nav=messages] [data-count]")).to_have_text("1")
    assert axe_violations(reader) == []

    reader.locator("#live-notices .live-notice-close").click()
    expect(reader.locator("#live-notices .live-notice")).to_have_count(0)
