import json
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


REFUSALS = {
    # What the API answers (a validation list from ninja; our refusals as
    # {"detail": "..."} in the reader's language) and what the composer says.
    "validation": (
        422,
        {"detail": [{"type": "missing", "loc": ["body"], "msg": "Field required"}]},
        "strings:invalid",
    ),
    "rate limit": (
        429,
        {"detail": "Du gør det lidt for tit. Vent et øjeblik, og prøv igen."},
        "Du gør det lidt for tit. Vent et øjeblik, og prøv igen.",
    ),
    "not permitted": (
        403,
        {"detail": "Du kan ikke skrive her."},
        "Du kan ikke skrive her.",
    ),
    "conflict": (
        409,
        {"detail": "Beskeden findes allerede."},
        "Beskeden findes allerede.",
    ),
    "signed out": (401, {"detail": "Unauthorized"}, "strings:signedOut"),
    "network": (None, None, "strings:sendFailed"),
}
POSTED_MESSAGE = re.compile(r"/api/messaging/conversations/\d+/messages$")


@pytest.mark.parametrize("refusal", REFUSALS.keys())
def test_a_refused_message_says_why_in_words_and_keeps_the_text(
    new_page, live_daphne, channel, refusal
):
    status, answer, expected = REFUSALS[refusal]
    general, karen, _lars = channel
    page = signed_in_page(new_page, live_daphne, karen)
    page.goto(general.get_absolute_url())
    expect(page.locator("#chat")).to_have_attribute("data-live", "open")

    def refuse(route):
        if route.request.method != "POST":
            return route.continue_()
        if status is None:
            return route.abort("internetdisconnected")
        return route.fulfill(
            status=status, content_type="application/json", body=json.dumps(answer)
        )

    page.route(POSTED_MESSAGE, refuse)
    page.locator("#id_body").fill("Kan nogen låne mig en stige?")
    page.locator("#composer button[type=submit]").click()

    if expected.startswith("strings:"):
        name = expected.split(":", 1)[1]
        expected = page.locator("#strings").evaluate(f"s => s.dataset.{name}")
    assert expected
    expect(page.locator("#composer [role=alert]")).to_have_text(expected)
    expect(page.locator("#id_body")).to_have_value("Kan nogen låne mig en stige?")


def test_a_message_the_server_refuses_shows_its_translated_reason(
    new_page, live_daphne, channel
):
    general, karen, _lars = channel
    page = signed_in_page(new_page, live_daphne, karen)
    page.goto(general.get_absolute_url())
    expect(page.locator("#chat")).to_have_attribute("data-live", "open")
    too_long = "a" * 4001
    # The field's own limit would stop the typing; the server's must hold too.
    page.locator("#id_body").evaluate("t => t.removeAttribute('maxlength')")

    page.locator("#id_body").fill(too_long)
    page.locator("#composer button[type=submit]").click()

    expect(page.locator("#composer [role=alert]")).to_have_text(
        "En besked må højst være på 4000 tegn."
    )
    expect(page.locator("#id_body")).to_have_value(too_long)
    assert page.locator("#message-list li.chat-message").count() == 0


def test_the_typing_note_goes_the_moment_the_typists_message_arrives(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    writer = signed_in_page(new_page, live_daphne, karen)
    reader = signed_in_page(new_page, live_daphne, lars)
    reader.goto(general.get_absolute_url())
    writer.goto(general.get_absolute_url())
    expect(reader.locator("#chat")).to_have_attribute("data-live", "open")
    expect(writer.locator("#chat")).to_have_attribute("data-live", "open")
    writer.locator("#id_body").fill("Jeg tager kage med")
    expect(reader.locator("#typing")).to_contain_text("Karen")

    writer.locator("#composer button[type=submit]").click()

    expect(reader.locator("#message-list")).to_contain_text("Jeg tager kage med")
    # Read at once, without waiting: the note would otherwise stay seconds more.
    assert reader.locator("#typing").text_content() == ""


def test_a_live_message_shows_its_time_as_the_server_renders_it(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    lars.preferred_language = "en"
    lars.save(update_fields=["preferred_language"])
    writer = signed_in_page(new_page, live_daphne, karen)
    reader = signed_in_page(new_page, live_daphne, lars)  # a Danish browser
    reader.goto(general.get_absolute_url())
    writer.goto(general.get_absolute_url())
    expect(reader.locator("#chat")).to_have_attribute("data-live", "open")
    expect(writer.locator("#chat")).to_have_attribute("data-live", "open")

    writer.locator("#id_body").fill("Hvad er klokken?")
    writer.locator("#composer button[type=submit]").click()
    time = reader.locator("#message-list li.chat-message time")
    expect(time).to_have_count(1)
    live = (time.text_content(), time.get_attribute("datetime"))
    reader.reload()

    assert (time.text_content(), time.get_attribute("datetime")) == live
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", live[0])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", live[1])


CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def _item_html(page, selector="#message-list li.chat-message"):
    """A message as the page holds it, its form tokens left out (each page
    masks its own)."""
    return CSRF_VALUE.sub(r'\1"', page.locator(selector).evaluate("li => li.outerHTML"))


def test_a_live_message_looks_exactly_like_the_same_message_after_a_reload(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    first = services.message_send(
        author=lars, conversation=general, body="Hvem kommer?", client_id="b1"
    )[0]
    writer = signed_in_page(new_page, live_daphne, karen)
    reader = signed_in_page(new_page, live_daphne, lars)
    reader.goto(general.get_absolute_url())
    writer.goto(f"{general.get_absolute_url()}?reply={first.pk}")
    expect(reader.locator("#chat")).to_have_attribute("data-live", "open")
    expect(writer.locator("#chat")).to_have_attribute("data-live", "open")

    writer.locator("#id_body").fill("Jeg kommer https://skovby.dk <b>gerne</b>")
    writer.locator("#composer button[type=submit]").click()
    oldest = "#message-list li.chat-message:first-child"
    writer.locator(f"{oldest} .react-picker summary").click()
    writer.locator(f"{oldest} .react-picker button").first.click()
    last = "#message-list li.chat-message:last-child"
    expect(reader.locator(last)).to_contain_text("gerne")
    expect(writer.locator(last)).to_contain_text("gerne")
    expect(reader.locator(f"{oldest} .reactions .reaction")).to_have_count(1)
    live = {"reader": _item_html(reader, last), "writer": _item_html(writer, last)}
    live_oldest = _item_html(reader, oldest)
    reader.reload()
    writer.goto(general.get_absolute_url())

    assert _item_html(reader, last) == live["reader"]
    assert _item_html(writer, last) == live["writer"]
    assert _item_html(reader, oldest) == live_oldest
    assert "is-mine" in live["writer"]
    assert "is-mine" not in live["reader"]
    assert writer.locator(f"{last} [data-author-only]").first.is_visible()
    assert not reader.locator(f"{last} [data-author-only]").first.is_visible()
    assert "&lt;b&gt;gerne&lt;/b&gt;" in live["reader"]
