"""Messages as moderation sees them: registered with ``moderation.registry``.

A message in a community's channel is moderated by that community's organisers;
a direct message or a thread only by the municipality's moderators. The queue
shows a reported message with the five before it, and no more: a direct
conversation is private beyond what the report needs.
"""

import hashlib

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from moderation.registry import Reportable, register

from . import selectors, services
from .models import Conversation, Message

CONTEXT_BEFORE = 5


def _space(message: Message):
    conversation = message.conversation
    if conversation.kind == Conversation.Kind.CHANNEL:
        return conversation.community
    return None


def _revision(message: Message) -> str:
    edited = message.edited_at.isoformat() if message.edited_at else ""
    return hashlib.sha256(f"{message.body}\n{edited}".encode()).hexdigest()[:16]


def _can_see(user: User, message: Message) -> bool:
    if message.is_removed:
        return False
    floor = selectors.read_floor(user=user, conversation=message.conversation)
    return floor is not None and message.pk > floor


def _url(message: Message) -> str:
    return f"{message.conversation.get_absolute_url()}#m-{message.pk}"


def _context(message: Message) -> list[tuple[str, str]]:
    before = (
        Message.objects.filter(
            conversation_id=message.conversation_id, id__lt=message.pk
        )
        .select_related("author")
        .order_by("-id")[:CONTEXT_BEFORE]
    )
    return [
        (m.author.public_name if m.author else _("Deleted account"), m.body)
        for m in reversed(before)
    ]


def register_reportables() -> None:
    register(
        Reportable(
            kind="message",
            model=Message,
            label=_("message"),
            author=lambda m: m.author,
            space=_space,
            revision=_revision,
            excerpt=lambda m: m.body,
            url=_url,
            can_see=_can_see,
            hide=lambda m: services.message_moderate(
                message=m, visibility=Message.Visibility.HIDDEN
            ),
            restore=lambda m: services.message_moderate(
                message=m, visibility=Message.Visibility.VISIBLE
            ),
            context=_context,
        )
    )
