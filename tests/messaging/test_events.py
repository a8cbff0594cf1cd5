"""Every kind of live event a service sends, caught by the shared ``layer``
fixture: who gets it (its group) and what it carries. A wrong audience is a
security bug, and a hidden or removed message's event carries none of its text."""

import json

import pytest
from django.urls import reverse

from marketplace import services as marketplace
from messaging import services
from messaging.events import DISCONNECT, RESUBSCRIBE
from messaging.models import Message, Reaction
from tests.factories import MembershipFactory
from tests.helpers import make_listing, send

pytestmark = pytest.mark.django_db

SECRET = "Nøglen ligger under måtten"
MESSAGE_KEYS = {"id", "seq", "conversation", "author", "edited", "removed", "hidden"}


def _conv(conversation) -> str:
    return f"conv.{conversation.pk}"


def _user(user) -> str:
    return f"user.{user.pk}"


def _only(layer, event_type: str) -> tuple[str, dict]:
    [sent] = [(g, p) for g, p in layer.sent if p["type"] == event_type]
    return sent


def test_a_new_message_goes_to_the_conversation_with_its_public_form(
    layer, karen, general, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(karen, general, "Hej alle")

    group, event = _only(layer, "message.new")
    assert group == _conv(general)
    assert set(event) == {"type", "message"}
    assert set(event["message"]) >= MESSAGE_KEYS
    assert event["message"]["id"] == message.pk
    assert event["message"]["author"] == {"id": karen.pk, "name": karen.public_name}


def test_an_edit_goes_to_the_conversation(
    layer, karen, general, django_capture_on_commit_callbacks
):
    message = send(karen, general, "Hej alle")

    with django_capture_on_commit_callbacks(execute=True):
        services.message_edit(actor=karen, message=message, body="Hej allesammen")

    group, event = _only(layer, "message.edited")
    assert group == _conv(general)
    assert set(event["message"]) >= MESSAGE_KEYS
    assert event["message"]["edited"] is True


def test_a_removed_message_goes_to_the_conversation_without_its_text(
    layer, karen, general, django_capture_on_commit_callbacks
):
    message = send(karen, general, SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_remove(actor=karen, message=message)

    group, event = _only(layer, "message.removed")
    assert group == _conv(general)
    assert event["message"]["removed"] is True
    assert "Nøglen" not in json.dumps(event, ensure_ascii=False)


def test_a_hidden_message_goes_to_the_conversation_without_its_text(
    layer, staff, karen, general, django_capture_on_commit_callbacks
):
    message = send(karen, general, SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        services.message_set_visibility(
            actor=staff, message=message, visibility=Message.Visibility.HIDDEN
        )

    group, event = _only(layer, "message.visibility")
    assert group == _conv(general)
    assert event["message"]["hidden"] is True
    assert "Nøglen" not in json.dumps(event, ensure_ascii=False)


def test_a_reply_to_a_hidden_message_quotes_none_of_it(
    layer, staff, karen, lars, general, django_capture_on_commit_callbacks
):
    message = send(karen, general, SECRET)
    services.message_set_visibility(
        actor=staff, message=message, visibility=Message.Visibility.HIDDEN
    )

    with django_capture_on_commit_callbacks(execute=True):
        send(lars, general, "Hvad skrev du?", reply_to_id=message.pk)

    events = [p for p in layer.events() if p["type"] == "message.new"]
    assert events
    assert "Nøglen" not in json.dumps(events, ensure_ascii=False)


def test_a_reaction_goes_to_the_conversation_with_the_counts(
    layer, karen, lars, general, django_capture_on_commit_callbacks
):
    message = send(karen, general, "Hej alle")
    emoji = Reaction.Emoji.values[0]

    with django_capture_on_commit_callbacks(execute=True):
        services.reaction_toggle(actor=lars, message=message, emoji=emoji)

    group, event = _only(layer, "message.reactions")
    assert group == _conv(general)
    assert event["message"]["reactions"] == [
        {"emoji": emoji, "count": 1, "user_ids": [lars.pk]}
    ]


def test_a_renamed_channel_goes_to_the_conversation_with_its_title_only(
    layer, organiser, village, django_capture_on_commit_callbacks
):
    channel = services.channel_create(actor=organiser, community=village, title="A")

    with django_capture_on_commit_callbacks(execute=True):
        services.channel_update(actor=organiser, conversation=channel, title="Bål")

    group, event = _only(layer, "conversation.changed")
    assert group == _conv(channel)
    assert event["conversation"] == {
        "id": channel.pk,
        "title": "Bål",
        "archived": False,
    }


def test_a_direct_message_notifies_the_other_person_only(
    layer, karen, lars, django_capture_on_commit_callbacks
):
    conversation = services.direct_start(actor=karen, others=[lars])

    with django_capture_on_commit_callbacks(execute=True):
        message = send(karen, conversation, SECRET)

    group, event = _only(layer, "notification")
    assert group == _user(lars)
    assert set(event) == {"type", "kind", "conversation", "message", "author", "url"}
    assert event["kind"] == "direct"
    assert event["url"].endswith(f"#m-{message.pk}")
    assert "Nøglen" not in json.dumps(event, ensure_ascii=False)


def test_being_added_to_a_conversation_notifies_the_person_added(
    layer, karen, lars, organiser, django_capture_on_commit_callbacks
):
    conversation = services.direct_start(actor=karen, others=[lars])

    with django_capture_on_commit_callbacks(execute=True):
        services.participant_add(actor=karen, conversation=conversation, user=organiser)

    [notice] = [p for p in layer.events(_user(organiser)) if p["type"] != RESUBSCRIBE]
    assert notice == {
        "type": "notification",
        "kind": "added",
        "conversation": conversation.pk,
        "author": karen.public_name,
        "url": reverse("messaging:conversation", args=[conversation.pk]),
    }
    assert layer.groups("notification") == [_user(organiser)]


def test_joining_a_community_makes_the_members_sockets_check_again(
    layer, village, outsider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        MembershipFactory(community=village, user=outsider)

    assert layer.sent == [(_user(outsider), {"type": RESUBSCRIBE})]


def test_a_deactivated_account_has_every_socket_closed(
    layer, karen, django_capture_on_commit_callbacks
):
    karen.is_active = False

    with django_capture_on_commit_callbacks(execute=True):
        karen.save()

    assert layer.sent == [(_user(karen), {"type": DISCONNECT})]


def test_a_new_password_closes_the_accounts_sockets(
    layer, karen, django_capture_on_commit_callbacks
):
    karen.set_password("Et-nyt-og-langt-kodeord-2026")

    with django_capture_on_commit_callbacks(execute=True):
        karen.save()

    assert layer.sent == [(_user(karen), {"type": DISCONNECT, "reason": "password"})]


def test_logging_out_closes_that_sessions_sockets_by_a_tag_not_the_key(
    client, layer, karen, django_capture_on_commit_callbacks
):
    client.force_login(karen)
    key = client.session.session_key

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_logout"))

    [(group, event)] = layer.sent
    assert group == _user(karen)
    assert set(event) == {"type", "reason", "session"}
    assert (event["type"], event["reason"]) == (DISCONNECT, "session_ended")
    assert key not in json.dumps(event)


def test_a_marketplace_alert_goes_to_the_watcher_with_public_facts_only(
    layer, karen, lars, village, django_capture_on_commit_callbacks
):
    marketplace.watch_create(
        user=lars, categories=["digital"], place=marketplace.Place("Skovby")
    )
    listing = make_listing(karen, communities=[village])

    with django_capture_on_commit_callbacks(execute=True):
        marketplace.watch_match_listing(listing=listing)

    group, event = _only(layer, "alert")
    assert group == _user(lars)
    assert set(event) == {"type", "listing", "text", "url"}
    assert event["listing"] == listing.pk
