"""Moderation in a real browser: a resident reports a message in the village
channel, the village's organiser hides it, its author appeals, and a municipal
moderator upholds the appeal, so the message is back for everyone.

Each moderation page on the way is saved as a full-page screenshot in
var/screenshots/ (moderation-<page>-<width>.png), and must fit 320 pixels
without sideways scrolling and pass axe at 1280 and at 320."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from messaging import services as messaging
from moderation.models import Case
from tests.browser.conftest import axe_violations, signed_in_page
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import da
from tests.htmlcheck import record_html

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (1280, 320)
INSULT = "Du er en idiot, Henning. Hold dig væk fra fællesspisningen."
RULE = "Husregel 2: Vi taler pænt til og om hinanden."


def _path(pattern: str) -> re.Pattern:
    return re.compile(rf"^https?://[^/]+{pattern}$")


@pytest.fixture
def village(transactional_db, staff):
    """Skovby: Karen and Lars live there and Mette organises it; in its channel
    Lars has insulted someone, just after Karen asked a question."""
    skovby = CommunityFactory(name="Skovby", slug="skovby-moderation")
    karen = member_of(skovby, user__display_name="Karen")
    lars = member_of(skovby, user__display_name="Lars")
    mette = organiser_of(skovby)
    mette.display_name = "Mette"
    mette.save(update_fields=["display_name"])
    general = messaging.channel_ensure_general(community=skovby)
    messaging.message_send(
        author=karen, conversation=general, body="Hvem kommer i aften?", client_id="q"
    )
    insult = messaging.message_send(
        author=lars, conversation=general, body=INSULT, client_id="i"
    )[0]
    return {
        "message": insult,
        "karen": karen,
        "lars": lars,
        "mette": mette,
        "staff": staff,
    }


def _look_at(page, name: str) -> list[str]:
    """Save the page's screenshots at each width and say what is wrong with it
    there: sideways scrolling, axe's serious and critical violations. Its HTML
    goes to the end-of-session HTML check too (a page reached by a click is not
    kept by itself)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    record_html(page.url, page.content())
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(
            path=SCREENSHOTS / f"moderation-{name}-{width}.png", full_page=True
        )
        fits = page.evaluate(
            "() => document.documentElement.scrollWidth"
            " <= document.documentElement.clientWidth"
        )
        if not fits:
            problems.append(f"{name} at {width}: scrolls sideways")
        problems += [
            f"{name} at {width}: axe {violation['id']} {violation['nodes']}"
            for violation in axe_violations(page)
        ]
    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
    return problems


def _channel(page, message):
    """The channel open at ``message``, its live connection up."""
    page.goto(message.conversation.get_absolute_url())
    expect(page.locator("#chat")).to_have_attribute("data-live", "open")
    return page.locator(f"#m-{message.pk}")


def _resident_reports(page, message) -> list[str]:
    item = _channel(page, message)
    item.locator("button.message-menu-button").click()
    link = page.locator(f"#mm-{message.pk} a[href$='/report/message/{message.pk}/']")
    expect(link).to_be_visible()

    link.click()

    expect(page).to_have_url(_path(f"/moderation/report/message/{message.pk}/"))
    expect(page.locator("blockquote.reported-excerpt")).to_have_text(INSULT)
    problems = _look_at(page, "report")
    page.locator("input[name=reason][value=harassment]").check()
    page.locator("#id_details").fill("Han skriver sådan til Henning hver uge.")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(_path("/moderation/reports/"))
    expect(page.locator(".messages [role=status]")).to_have_text(
        da("Thank you. Your report was received; you will hear what was decided.")
    )
    expect(page.locator("main .list-lines > li").first).to_contain_text(
        da("Harassment or hate")
    )
    return problems + _look_at(page, "reports")


def _organiser_hides(page, case) -> list[str]:
    page.goto("/moderation/queue/")
    problems = _look_at(page, "queue")
    page.locator(f"a[href='/moderation/cases/{case.pk}/']").click()

    expect(page).to_have_url(_path(f"/moderation/cases/{case.pk}/"))
    expect(page.locator(".case-context")).to_contain_text("Hvem kommer i aften?")
    expect(page.locator("#reports-heading + ul")).to_contain_text(
        da("Harassment or hate")
    )
    problems += _look_at(page, "case")
    page.locator("input[name=action][value=hide]").check()
    page.locator("#id_ground").select_option("house_rules")
    page.locator("#id_rule").fill(RULE)
    page.locator("#id_facts").fill("Beskeden kalder Henning en idiot.")
    page.locator("main form.form-card button[type=submit]").click()

    expect(page).to_have_url(_path("/moderation/queue/"))
    expect(page.locator(".messages [role=status]")).to_have_text(
        da("Decided. The author was sent the reasons.")
    )
    expect(page.locator(f"a[href='/moderation/cases/{case.pk}/']")).to_have_count(0)
    return problems


def _author_appeals(page) -> list[str]:
    page.goto("/moderation/mine/")
    problems = _look_at(page, "mine")
    page.locator("main a[href^='/moderation/decisions/']").click()

    expect(page).to_have_url(_path(r"/moderation/decisions/\d+/"))
    expect(page.locator(".statement")).to_contain_text(RULE)
    problems += _look_at(page, "decision")
    page.get_by_role("link", name=da("Appeal this decision")).click()
    expect(page).to_have_url(_path(r"/moderation/decisions/\d+/appeal/"))
    problems += _look_at(page, "appeal")
    page.locator("#id_grounds").fill("Henning og jeg driller hinanden; han lo.")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(_path("/moderation/mine/"))
    expect(page.locator(".messages [role=status]")).to_have_text(
        da(
            "Your appeal was received. A different moderator will decide again, "
            "and you will be told the outcome."
        )
    )
    return problems


def _moderator_upholds(page, case) -> None:
    page.goto(reverse("moderation_admin_case", args=[case.pk]))
    expect(page.locator("main blockquote").last).to_contain_text("driller hinanden")

    page.locator("input[name=upheld][value='1']").check()
    page.locator("#id_facts").fill("En drillende tone mellem venner; ingen krænkes.")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(_path(reverse("moderation_admin_queue")))


def test_a_reported_message_is_hidden_by_the_organiser_and_restored_on_appeal(
    new_page, live_daphne, village
):
    message = village["message"]
    resident = signed_in_page(new_page, live_daphne, village["karen"])
    organiser = signed_in_page(new_page, live_daphne, village["mette"])
    author = signed_in_page(new_page, live_daphne, village["lars"])
    moderator = signed_in_page(new_page, live_daphne, village["staff"])
    hidden = da("This message was hidden by a moderator.")

    problems = _resident_reports(resident, message)
    case = Case.objects.get(kind="message", object_id=str(message.pk))
    problems += _organiser_hides(organiser, case)
    item = _channel(resident, message)
    expect(item.locator(".tombstone")).to_contain_text(hidden)
    expect(item).not_to_contain_text("idiot")
    problems += _author_appeals(author)
    _moderator_upholds(moderator, case)

    item = _channel(resident, message)
    expect(item.locator(".message-body")).to_have_text(INSULT)
    expect(item.locator(".tombstone")).to_have_count(0)
    assert problems == []
