"""Live events: what is sent, and to whom.

Generating an event (the payload and its audience) is kept apart from delivering
it. Every event goes to an explicitly chosen group: ``conv.<id>`` reaches the
sockets subscribed to one conversation (the consumer only subscribes sockets whose
user may read it), ``user.<id>`` reaches one person's sockets, and
``topic.<name>`` the sockets of a live topic of an app above messaging (only
those whose user a provider in messaging.topics gives it). Events leave only
after the transaction commits; a failed send is logged and never undoes the write,
because clients catch up over HTTP.
"""

import json
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.sessions import session_tag
from hub.oncommit import on_commit

from .models import Conversation, Message
from .text import (
    all_languages,
    message_item_html,
    reaction_groups,
    render_body,
    time_attr,
    times_shown,
)
from .topics import is_valid as is_valid_topic
from .topics import topic_group

logger = logging.getLogger(__name__)

EVENT = "nabolag.event"  # forwarded to the browser as it is
RESUBSCRIBE = "nabolag.resubscribe"  # the socket re-checks what it may see
DISCONNECT = "nabolag.disconnect"  # the account can no longer use the socket


def conversation_group(conversation_id: int) -> str:
    return f"conv.{conversation_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def message_payload(
    message: Message,
    *,
    with_reactions: bool = True,
    languages: Iterable[str] | None = None,
) -> dict:
    """The public form of a message, as the API and the socket send it, with
    its HTML as the page shows it (``rendered``, by language code: each of
    ``languages``, or the active language only).

    Hidden and removed messages keep their place but lose their text.
    """
    author = message.author
    shown = not (message.is_removed or message.is_hidden)
    groups = reaction_groups(message) if shown and with_reactions else []
    reply = message.reply_to
    if languages is None:
        languages = [translation.get_language() or settings.LANGUAGE_CODE]
    return {
        "id": message.pk,
        "seq": message.seq,
        "conversation": message.conversation_id,
        "client_id": message.client_id,
        "author": {"id": author.pk, "name": author.public_name} if author else None,
        "html": render_body(message.body) if shown else "",
        "body": message.body if shown else "",
        "created_at": time_attr(message.created_at),
        # The time as the page shows it, in each language (messaging.text).
        "created_at_display": times_shown(message.created_at),
        "edited": message.edited_at is not None,
        "removed": message.is_removed,
        "hidden": message.is_hidden,
        "reply_to": _reply_payload(reply) if reply else None,
        "reactions": [
            {"emoji": g["emoji"], "count": g["count"], "user_ids": g["user_ids"]}
            for g in groups
        ],
        "rendered": message_item_html(message, languages=languages, reactions=groups),
    }


def _reply_payload(reply: Message) -> dict:
    shown = not (reply.is_removed or reply.is_hidden)
    return {
        "id": reply.pk,
        "author": reply.author.public_name if reply.author else "",
        "excerpt": reply.body[:80] if shown else "",
    }


def _deliver(group: str, message: dict) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


def as_event(payload: dict) -> dict:
    """A layer message carrying ``payload`` encoded once, not once per socket."""
    return {"type": EVENT, "text": json.dumps(payload, separators=(",", ":"))}


def conversation_event(conversation_id: int, payload: dict) -> dict:
    """``as_event`` for a conversation's group; names the conversation so each
    process hands it to its sockets in that conversation (messaging.fanout)."""
    return {**as_event(payload), "conversation": conversation_id}


def _after_commit(group: str, message: dict) -> None:
    # A failed send is logged and the write stands; clients catch up over HTTP.
    on_commit(lambda: _deliver(group, message), what=f"live event to {group}")


def message_changed(message: Message, *, change: str) -> None:
    """A message was sent, edited, removed, hidden or reacted to."""
    payload = {
        "type": f"message.{change}",
        # A new message has no reactions yet: spare the query. Its HTML is
        # rendered once per language here, never once per socket.
        "message": message_payload(
            message, with_reactions=change != "new", languages=all_languages()
        ),
    }
    _after_commit(
        conversation_group(message.conversation_id),
        conversation_event(message.conversation_id, payload),
    )


def conversation_changed(conversation: Conversation) -> None:
    """A channel was renamed, archived or restored."""
    payload = {
        "type": "conversation.changed",
        "conversation": {
            "id": conversation.pk,
            "title": conversation.title,
            "archived": conversation.is_archived,
        },
    }
    _after_commit(
        conversation_group(conversation.pk),
        conversation_event(conversation.pk, payload),
    )


def notification_created(*, user_id: int, kind: str, message: Message) -> None:
    """Tell one person about a direct message or a mention of them."""
    author = message.author.public_name if message.author else ""
    payload = {
        "type": "notification",
        "kind": kind,
        "conversation": message.conversation_id,
        "message": message.pk,
        "author": author,
        "url": reverse("messaging:conversation", args=[message.conversation_id])
        + f"#m-{message.pk}",
    }
    _after_commit(user_group(user_id), as_event(payload))


def to_user(user_id: int, payload: dict) -> None:
    """Send a notice of another part of the platform (say, a marketplace alert)
    to one person's open tabs once the transaction commits. ``payload`` must
    hold only what that person may read."""
    _after_commit(user_group(user_id), as_event(payload))


def topic_send(topic: str, payload: dict) -> None:
    """Send ``payload`` to the sockets of ``topic`` once the transaction commits.

    Only sockets whose user a registered provider gives the topic receive it
    (messaging.topics), so ``payload`` must hold only what every one of them may
    read. The frame names its topic (``"topic"``) for the page. Like every event,
    a failed send is logged and the write stands; a bad topic name is logged and
    nothing is sent, rather than failing the write that announced it."""
    if not is_valid_topic(topic):
        logger.error("Not a live topic name: %r; the event was not sent", topic)
        return
    event = {**as_event({**payload, "topic": topic}), "topic": topic}
    _after_commit(topic_group(topic), event)


def subscriptions_changed(user_ids: Iterable[int]) -> None:
    """These people may now see more or fewer conversations or topics: their
    sockets re-check at once, leaving groups they lost and joining new ones."""
    for user_id in set(user_ids):
        _after_commit(user_group(user_id), {"type": RESUBSCRIBE})


def account_deactivated(user_id: int) -> None:
    """Close every socket of an account that was deactivated or deleted."""
    _after_commit(user_group(user_id), {"type": DISCONNECT})


def session_ended(*, user_id: int, session_key: str) -> None:
    """Close the sockets opened with this session (a log-out). The account's
    other sessions, on other devices, keep theirs. The layer carries a tag of
    the session, never its key."""
    tag = session_tag(session_key)
    message = {"type": DISCONNECT, "reason": "session_ended", "session": tag}
    _after_commit(user_group(user_id), message)


def password_changed(user_id: int) -> None:
    """The account's password changed, which ends its other sessions: every
    socket closes and connects again, so the browser that changed it signs in
    afresh with its renewed session and every other one is refused."""
    _after_commit(user_group(user_id), {"type": DISCONNECT, "reason": "password"})


def message_changed_for(
    message: Message, *, change: str, user_ids: Iterable[int]
) -> None:
    """``message_changed`` for some readers only, each through their own group:
    for a change that others in the conversation may not see (they were added
    after the message without the earlier ones)."""
    payload = {
        "type": f"message.{change}",
        "message": message_payload(
            message, with_reactions=change != "new", languages=all_languages()
        ),
    }
    event = as_event(payload)
    for user_id in set(user_ids):
        _after_commit(user_group(user_id), event)


def participant_added(
    *, user_id: int, conversation: Conversation, actor_name: str
) -> None:
    """Tell one person that someone (``actor_name``) added them to
    ``conversation``."""
    payload = {
        "type": "notification",
        "kind": "added",
        "conversation": conversation.pk,
        "author": actor_name,
        "url": reverse("messaging:conversation", args=[conversation.pk]),
    }
    _after_commit(user_group(user_id), as_event(payload))
