import json
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from messaging import services
from messaging.models import Message
from tests.browser.conftest import axe_violations, signed_in_page
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.browser


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
    label = reader.locator("[data-nav=messages] [data-label-many]")
    expect(label).to_have_text("ulæst")
    assert axe_violations(reader) == []

    reader.locator("#live-notices .live-notice-close").click()
    expect(reader.locator("#live-notices .live-notice")).to_have_count(0)
    writer.locator("#id_body").fill("Eller i morgen?")
    writer.locator("#composer button[type=submit]").click()
    expect(reader.locator("[data-nav=messages] [data-count]")).to_have_text("2")
    expect(label).to_have_text("ulæste")  # the plural, as a reload would read


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
    # the clock on the message, the date on its day's separator
    assert re.fullmatch(r"\d\d:\d\d", live[0])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", live[1])


CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')


def _item_html(item):
    """A message (a locator) as the page holds it, its form tokens left out
    (each page masks its own)."""
    return CSRF_VALUE.sub(r'\1"', item.evaluate("li => li.outerHTML"))


def _messages(page):
    return page.locator("#message-list li.chat-message")


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
    oldest = f"#m-{first.pk}"
    # (sent, the composer takes the focus back: react once that is done)
    expect(_messages(writer).last).to_contain_text("gerne")
    writer.locator(f"{oldest} button.message-menu-button").click()
    writer.locator(f"{oldest} .menu-emoji-button").first.click()
    expect(_messages(reader).last).to_contain_text("gerne")
    expect(reader.locator(f"{oldest} .reactions .reaction")).to_have_count(1)
    live = {
        "reader": _item_html(_messages(reader).last),
        "writer": _item_html(_messages(writer).last),
    }
    live_oldest = _item_html(reader.locator(oldest))
    reader.reload()
    writer.goto(general.get_absolute_url())

    assert _item_html(_messages(reader).last) == live["reader"]
    assert _item_html(_messages(writer).last) == live["writer"]
    assert _item_html(reader.locator(oldest)) == live_oldest
    assert "is-mine" in live["writer"]
    assert "is-mine" not in live["reader"]
    tools = "[data-author-only]"
    assert not _messages(writer).last.locator(tools).first.evaluate("n => n.hidden")
    assert _messages(reader).last.locator(tools).first.evaluate("n => n.hidden")
    assert "&lt;b&gt;gerne&lt;/b&gt;" in live["reader"]


# --- the chat: groups, days, a menu per message, the composer at the bottom ----


def _write(page, text):
    page.locator("#id_body").fill(text)
    page.locator("#composer button[type=submit]").click()


def _live(*pages):
    for page in pages:
        expect(page.locator("#chat")).to_have_attribute("data-live", "open")


def _focused(page, script="e => e"):
    return page.evaluate(f"({script})(document.activeElement)")


def test_a_messages_menu_opens_and_works_by_keyboard(new_page, live_daphne, channel):
    general, karen, lars = channel
    message = services.message_send(
        author=lars, conversation=general, body="Hvem har en stige?", client_id="k1"
    )[0]
    page = signed_in_page(new_page, live_daphne, karen)
    page.goto(general.get_absolute_url())
    _live(page)
    button = page.locator(f"#m-{message.pk} button.message-menu-button")
    menu = page.locator(f"#mm-{message.pk}")
    # reached with Tab from the message's text, as the next thing to use
    page.locator(f"#m-{message.pk} .message-body").click()
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_accessible_name(re.compile(r"Lars \d\d:\d\d$"))

    page.keyboard.press("Enter")
    expect(menu).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    assert _focused(page, "e => e.getAttribute('aria-label')") == "Tommel op"
    page.keyboard.press("ArrowDown")
    assert _focused(page, "e => e.getAttribute('aria-label')") == "Hjerte"
    page.keyboard.press("End")
    # Karen may not change Lars's message: reporting it is the last she can do
    report = reverse("moderation:report", args=["message", message.pk])
    assert _focused(page, "e => e.getAttribute('href')") == report
    page.keyboard.press("ArrowUp")
    assert _focused(page, "e => e.dataset.reply") == str(message.pk)
    page.keyboard.press("End")
    page.keyboard.press("ArrowDown")
    assert _focused(page, "e => e.getAttribute('aria-label')") == "Tommel op"
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("ArrowUp")  # opens the menu on its last item
    assert _focused(page, "e => e.getAttribute('href')") == report
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    page.keyboard.press(" ")

    reaction = page.locator(f"#m-{message.pk} .reactions .reaction")
    expect(reaction).to_have_text("❤️ 1")
    expect(reaction).to_have_attribute("aria-pressed", "true")
    # the message was rendered anew: the focus is back on its menu button
    expect(page.locator(f"#m-{message.pk} button.message-menu-button")).to_be_focused()


def test_the_reply_in_a_messages_menu_hands_the_focus_to_the_composer(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    message = services.message_send(
        author=lars, conversation=general, body="Kommer du?", client_id="r1"
    )[0]
    page = signed_in_page(new_page, live_daphne, karen)
    page.goto(general.get_absolute_url())
    _live(page)
    page.locator(f"#m-{message.pk} button.message-menu-button").focus()

    page.keyboard.press("ArrowUp")  # the last item: Report; Reply is above it
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")

    expect(page.locator("#id_body")).to_be_focused()
    expect(page.locator("#replying")).to_contain_text("Lars")
    expect(page.locator("#composer input[name=reply_to]")).to_have_value(
        str(message.pk)
    )
    expect(page.locator(f"#mm-{message.pk}")).to_be_hidden()


def test_without_javascript_a_messages_menu_is_a_disclosure_that_works(
    browser, live_daphne, channel
):
    general, karen, lars = channel
    message = services.message_send(
        author=lars, conversation=general, body="Hej", client_id="n1"
    )[0]
    client = Client()
    client.force_login(karen)
    context = browser.new_context(base_url=live_daphne, java_script_enabled=False)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_daphne,
            }
        ]
    )
    page = context.new_page()
    page.goto(general.get_absolute_url())

    page.locator(f"#m-{message.pk} summary").click()
    page.locator(f"#m-{message.pk} .menu-emoji-button").nth(1).click()

    expect(page.locator(f"#m-{message.pk} .reactions .reaction")).to_have_text("❤️ 1")
    context.close()


def test_a_live_message_from_the_same_person_joins_their_group_under_today(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    reader = signed_in_page(new_page, live_daphne, karen, width=320, height=640)
    writer = signed_in_page(new_page, live_daphne, lars)
    reader.goto(general.get_absolute_url())
    writer.goto(general.get_absolute_url())
    _live(reader, writer)

    _write(writer, "Jeg har en stige.")
    expect(_messages(reader)).to_have_count(1)
    _write(writer, "Den står i carporten.")
    expect(_messages(reader)).to_have_count(2)

    history = reader.locator("#message-list > li")
    expect(history).to_have_count(3)
    expect(history.first).to_have_class("day-separator")
    expect(history.first).to_have_text("I dag")
    first, second = _messages(reader).first, _messages(reader).last
    assert first.get_attribute("data-continued") is None
    assert second.get_attribute("data-continued") == ""
    expect(second.locator(".message-author")).not_to_be_in_viewport()
    expect(second.locator(".avatar")).to_be_hidden()
    live = [_item_html(first), _item_html(second)]
    reader.reload()
    assert [
        _item_html(_messages(reader).first),
        _item_html(_messages(reader).last),
    ] == (live)
    expect(reader.locator("#message-list > li.day-separator")).to_have_count(1)


def test_a_live_message_on_a_new_day_gets_its_day_separator(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    yesterday = services.message_send(
        author=lars, conversation=general, body="Godnat", client_id="y1"
    )[0]
    Message.objects.filter(pk=yesterday.pk).update(
        created_at=yesterday.created_at - timedelta(days=1)
    )
    reader = signed_in_page(new_page, live_daphne, karen)
    writer = signed_in_page(new_page, live_daphne, lars)
    reader.goto(general.get_absolute_url())
    writer.goto(general.get_absolute_url())
    _live(reader, writer)
    days = reader.locator("#message-list > li.day-separator")
    expect(days).to_have_text(["I går"])

    _write(writer, "Godmorgen")

    expect(days).to_have_text(["I går", "I dag"])
    today = timezone.localdate().isoformat()
    expect(days.last).to_have_attribute("data-day", today)
    expect(days.last.locator("time")).to_have_attribute("datetime", today)
    # the day's first message starts a group, though the same person wrote before
    assert _messages(reader).last.get_attribute("data-continued") is None


def test_the_composer_stays_in_view_at_320_pixels_after_30_messages(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    for n in range(30):
        author = lars if n % 3 else karen
        services.message_send(
            author=author,
            conversation=general,
            body=f"Besked nummer {n + 1}, om havedag, kage og en trailer på lørdag 🙂",
            client_id=f"c{n}",
        )
    page = signed_in_page(new_page, live_daphne, karen, width=320, height=640)
    page.goto(general.get_absolute_url())
    _live(page)

    expect(page.locator("#id_body")).to_be_in_viewport(ratio=1)
    expect(page.locator("#composer button[type=submit]")).to_be_in_viewport(ratio=1)
    expect(_messages(page).last).to_be_in_viewport()
    expect(_messages(page).first).not_to_be_in_viewport()
    _write(page, "Og en til")
    expect(_messages(page)).to_have_count(31)
    expect(_messages(page).last).to_be_in_viewport()
    expect(page.locator("#id_body")).to_be_in_viewport(ratio=1)
    # the history scrolls, not the page
    assert page.evaluate("window.scrollY") == 0
    _messages(page).nth(-2).locator("button.message-menu-button").click()
    expect(page.locator("[role=menu]:visible")).to_be_in_viewport(ratio=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(page) == []


def test_no_part_of_the_chat_is_wider_than_320_pixels(new_page, live_daphne, channel):
    _general, karen, lars = channel
    direct = services.direct_start(actor=karen, others=[lars])
    first = services.message_send(
        author=lars,
        conversation=direct,
        body="https://skovby.dk/en/meget/lang/adresse/uden/mellemrum/" + "x" * 80,
        client_id="w1",
    )[0]
    services.message_send(
        author=karen,
        conversation=direct,
        body="Superkalifragilistiskekspialidoceagtigtlangtord" * 2,
        client_id="w2",
        reply_to_id=first.pk,
    )
    services.reaction_toggle(actor=karen, message=first, emoji="👍")
    page = signed_in_page(new_page, live_daphne, karen, width=320, height=640)

    page.goto(direct.get_absolute_url())
    _live(page)

    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate(
        "[...document.querySelectorAll('#chat *')]"
        ".every(e => e.getBoundingClientRect().right <= 320.5)"
    )
    assert axe_violations(page) == []


def test_the_emoji_font_is_loaded_only_where_an_emoji_is_shown(
    new_page, live_daphne, channel
):
    general, karen, lars = channel
    message = services.message_send(
        author=lars, conversation=general, body="Bare tekst her.", client_id="e1"
    )[0]
    page = signed_in_page(new_page, live_daphne, karen)
    fonts = []
    page.on("request", lambda r: fonts.append(r.url) if "twemoji" in r.url else None)
    page.goto(general.get_absolute_url())
    _live(page)
    page.evaluate("document.fonts.ready")

    assert fonts == []
    if _has_emoji_font():
        return  # the machine's own emoji font shows them
    with page.expect_request(re.compile(r"/twemoji\.woff2$")):
        page.locator(f"#m-{message.pk} button.message-menu-button").click()
        expect(page.locator(f"#mm-{message.pk}")).to_be_visible()

    assert [url.rsplit("/", 1)[-1] for url in fonts] == ["twemoji.woff2"]


def _has_emoji_font() -> bool:
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return False
    listing = subprocess.run(  # noqa: S603 (a fixed program, no input)
        [fc_list, ":", "family"], capture_output=True, text=True, check=False
    )
    return "emoji" in listing.stdout.lower()
