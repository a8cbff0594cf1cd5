"""One renderer for a message: the page and the live event show the same HTML."""

import json
import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from messaging import services
from messaging.models import Message, Reaction
from messaging.text import MESSAGE_TEMPLATE, reaction_groups
from tests.helpers import send, session_queries

# The same as before a message was rendered once for every reader.
CONVERSATION_PAGE_QUERIES = 21 + session_queries()
# 11: with the check that no sanction keeps the author silent there, and the
# screening word lists read once into the (here cold) cache.
API_POST_QUERIES = 11 + session_queries()


@pytest.fixture
def karen_client(client, karen):
    client.force_login(karen)
    return client


def test_the_conversation_page_makes_a_fixed_number_of_queries(
    karen_client, karen, lars, general, django_assert_num_queries
):
    for n in range(5):
        send(lars, general, f"hej {n}")
    send(karen, general, "svar", reply_to_id=general.messages.first().pk)

    with django_assert_num_queries(CONVERSATION_PAGE_QUERIES):
        response = karen_client.get(general.get_absolute_url())

    assert response.status_code == 200


def test_posting_a_message_makes_a_fixed_number_of_queries(
    karen_client, general, django_assert_num_queries
):
    karen_client.get(general.get_absolute_url())

    with django_assert_num_queries(API_POST_QUERIES):
        response = karen_client.post(
            f"/api/messaging/conversations/{general.pk}/messages",
            {"body": "Hej", "client_id": "c-1"},
            content_type="application/json",
        )

    assert response.status_code == 201


def _reader_neutral_page_render(message, language):
    """The partial as the page renders it, for a reader who neither wrote the
    message nor may write (what a live event carries, before the page shows
    its reader's own tools)."""
    with translation.override(language):
        return render_to_string(
            MESSAGE_TEMPLATE,
            {
                "m": message,
                "me": None,
                "can_write": False,
                "reactions": reaction_groups(message),
                "emoji_choices": Reaction.Emoji.choices,
            },
        )


def _live(layer, change="message.new"):
    [event] = [e for e in layer.events() if e["type"] == change]
    return event["message"]


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_live_message_carries_the_html_the_page_renders_in_each_language(
    karen, lars, general, layer, django_capture_on_commit_callbacks, language
):
    first = send(karen, general, "Hvem kommer?")

    with django_capture_on_commit_callbacks(execute=True):
        reply = send(
            lars, general, "Jeg <b>gør</b> https://skovby.dk", reply_to_id=first.pk
        )

    rendered = _live(layer)["rendered"]
    reply = Message.objects.select_related("author", "reply_to__author").get(
        pk=reply.pk
    )
    assert set(rendered) == {code for code, _name in settings.LANGUAGES}
    assert rendered[language] == _reader_neutral_page_render(reply, language)
    assert "&lt;b&gt;gør&lt;/b&gt;" in rendered[language]


def test_an_edited_message_with_reactions_renders_as_on_the_page(
    karen, lars, general, layer, django_capture_on_commit_callbacks
):
    message = send(karen, general, "Hej")
    services.reaction_toggle(actor=lars, message=message, emoji="👍")

    with django_capture_on_commit_callbacks(execute=True):
        services.message_edit(actor=karen, message=message, body="Hej igen")

    rendered = _live(layer, "message.edited")["rendered"]
    message = Message.objects.select_related("author").get(pk=message.pk)
    assert rendered["en"] == _reader_neutral_page_render(message, "en")
    assert "(edited)" in rendered["en"]
    assert f'data-users="{lars.pk}"' in rendered["en"]


@pytest.mark.parametrize("change", ["hidden", "removed"])
def test_a_hidden_or_removed_message_event_carries_no_text(
    karen, general, staff, layer, django_capture_on_commit_callbacks, change
):
    message = send(karen, general, "Hemmelig tekst")

    with django_capture_on_commit_callbacks(execute=True):
        if change == "hidden":
            services.message_set_visibility(
                actor=staff, message=message, visibility=Message.Visibility.HIDDEN
            )
        else:
            services.message_remove(actor=karen, message=message)

    [event] = [e for e in layer.events() if e["type"] != "message.new"]
    assert event["message"]["body"] == event["message"]["html"] == ""
    assert all("Hemmelig" not in html for html in event["message"]["rendered"].values())
    assert "Hemmelig" not in json.dumps(event)
    assert 'class="tombstone"' in event["message"]["rendered"]["da"]


def test_text_a_person_writes_never_passes_for_a_word_of_the_frame(
    karen, general, layer, django_capture_on_commit_callbacks
):
    forged = "\ue000edited\ue001 \ue000time\ue001"

    with django_capture_on_commit_callbacks(execute=True):
        send(karen, general, forged)

    assert forged in _live(layer)["rendered"]["en"]


def test_the_page_shows_its_readers_own_tools_only(karen_client, karen, lars, general):
    from_lars = send(lars, general, "Fra Lars")
    from_karen = send(karen, general, "Fra Karen")

    html = karen_client.get(general.get_absolute_url()).content.decode()

    items = {
        int(pk): item
        for pk, item in re.findall(
            # up to the next message: a message holds lists of its own
            r'<li class="chat-message[^"]*" id="m-(\d+)"(.*?)'
            r'(?=<li class="chat-message|</ol>)',
            html,
            re.S,
        )
    }
    assert items[from_lars.pk].count("data-author-only hidden") == 2
    assert "data-author-only hidden" not in items[from_karen.pk]
    assert "data-write-only hidden" not in html
    assert f'class="chat-message is-mine" id="m-{from_karen.pk}"' in html


def test_the_catch_up_carries_each_message_as_the_page_renders_it(
    karen_client, lars, general
):
    message = send(lars, general, "Hej")

    response = karen_client.get(
        f"/api/messaging/conversations/{general.pk}/messages",
        headers={"accept-language": "nl"},
    )

    [item] = response.json()["messages"]
    message = Message.objects.select_related("author").get(pk=message.pk)
    assert item["rendered"] == {"nl": _reader_neutral_page_render(message, "nl")}


def test_the_header_renders_a_hidden_badge_at_zero_for_live_notices_to_count_up(
    karen_client,
):
    html = karen_client.get(reverse("messaging:inbox")).content.decode()

    assert (
        '<span class="badge" data-badge="messages" hidden><span class="ds-badge" '
        'data-color="danger" data-count="0">' in html
    )
