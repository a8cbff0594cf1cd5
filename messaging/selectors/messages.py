"""Reads of messages and notifications, within what the reader may see."""

from django.db.models import (
    QuerySet,
)

from ..models import (
    Conversation,
    Message,
    Notification,
)
from .access import AnyUser, read_floor


def messages_in(
    *, user: AnyUser, conversation: Conversation, after_seq: int = 0, limit: int = 200
) -> list[Message]:
    """Messages changed after ``after_seq`` (new, edited, removed, hidden, reacted),
    oldest first; empty unless ``user`` may read the conversation, and only the
    messages of their part of its history."""
    floor = read_floor(user=user, conversation=conversation)
    if floor is None:
        return []
    qs = (
        Message.objects.filter(
            conversation=conversation, seq__gt=after_seq, id__gt=floor
        )
        .select_related("author", "reply_to__author")
        .prefetch_related("reactions")
        .order_by("seq")[:limit]
    )
    return _without_replies_before(list(qs), floor)


RECENT_LIMIT = 50


def recent_messages(
    *, user: AnyUser, conversation: Conversation, limit: int = RECENT_LIMIT
) -> list[Message]:
    """The latest ``limit`` messages ``user`` may read, oldest first, for the
    conversation page."""
    floor = read_floor(user=user, conversation=conversation)
    if floor is None:
        return []
    qs = (
        Message.objects.filter(conversation=conversation, id__gt=floor)
        .select_related("author", "reply_to__author")
        .prefetch_related("reactions")
        .order_by("-id")[:limit]
    )
    return _without_replies_before(list(reversed(qs)), floor)


def _without_replies_before(messages: list[Message], floor: int) -> list[Message]:
    """A reply keeps the text it answers out of sight of a reader who may not
    read that message: these instances are for showing, never for saving."""
    if floor:
        for message in messages:
            if message.reply_to_id is not None and message.reply_to_id <= floor:
                message.reply_to = None
    return messages


def message_for_reply(
    *, user: AnyUser, conversation: Conversation, message_id: int
) -> Message | None:
    """The message of ``conversation`` that ``user`` is replying to, if they
    may read it."""
    floor = read_floor(user=user, conversation=conversation)
    if floor is None or message_id <= floor:
        return None
    return (
        Message.objects.filter(pk=message_id, conversation=conversation)
        .select_related("author")
        .first()
    )


def unread_notification_count(user: AnyUser) -> int:
    """Unread direct messages and mentions, for the page header (one query)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: AnyUser, *, limit: int = 50) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return (
        Notification.objects.filter(user=user)
        .select_related("message__author", "conversation", "actor")
        .order_by("-created_at")[:limit]
    )
