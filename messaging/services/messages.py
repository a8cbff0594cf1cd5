"""Writes to messages: send, edit, remove, hide, react, mark read."""

import copy
import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.selectors import is_municipal_staff
from hub import ratelimit
from moderation import screening
from moderation.sanctions import require_may_write

from .. import events, selectors
from ..models import (
    MESSAGE_MAX_CHARS,
    Conversation,
    Message,
    Notification,
    Reaction,
    ReadState,
)
from ..text import handles_of, mention_handles
from .common import (
    EDIT_WINDOW,
    MessageInvalid,
    MessagingError,
    NotPermitted,
)

logger = logging.getLogger(__name__)
Kind = Conversation.Kind


def _next_seq(conversation: Conversation, *, new_message: bool) -> int:
    """Raise the conversation's sequence; the row lock orders concurrent writes.

    One ``UPDATE ... RETURNING`` (PostgreSQL and SQLite 3.35+) instead of an
    update and a read: this runs on every message.
    """
    quote = connection.ops.quote_name
    meta = Conversation._meta
    assignments = "last_seq = last_seq + 1"
    params: list = []
    if new_message:
        assignments += ", last_message_at = %s"
        params.append(timezone.now())
    # Names come from the model; values are bound.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {assignments}"  # noqa: S608
        f" WHERE {quote(meta.pk.column)} = %s RETURNING last_seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, conversation.pk])
        return cursor.fetchone()[0]


def _sent_before(author: User, client_id: str) -> int | None:
    """The id of ``author``'s message with ``client_id``, if they sent one.

    In plain SQL: this runs on every send, and building it through the ORM
    took ten times as long as running it. The pair is unique."""
    quote = connection.ops.quote_name
    meta = Message._meta
    sql = (
        f"SELECT {quote(meta.pk.column)} FROM {quote(meta.db_table)}"  # noqa: S608
        f" WHERE {quote(meta.get_field('author').column)} = %s"
        f" AND {quote(meta.get_field('client_id').column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [author.pk, client_id])
        row = cursor.fetchone()
    return row[0] if row else None


def _clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise MessageInvalid(_("Write something first."))
    if len(body) > MESSAGE_MAX_CHARS:
        raise MessageInvalid(
            _("A message can be at most %(n)d characters.") % {"n": MESSAGE_MAX_CHARS}
        )
    return body


def _clean_client_id(client_id: str) -> str:
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > 64:
        raise MessageInvalid(_("The message is missing its id; please reload."))
    return client_id


def message_send(
    *,
    author: User,
    conversation: Conversation,
    body: str,
    client_id: str,
    reply_to_id: int | None = None,
) -> tuple[Message, bool]:
    """Save a message and broadcast it after commit. Returns (message, created):
    a retry with the same ``client_id`` returns the first message unchanged."""
    client_id = _clean_client_id(client_id)
    existing_id = _sent_before(author, client_id)
    if existing_id is not None:
        return _replayed(Message.objects.get(pk=existing_id), conversation)
    body = _clean_body(body)
    floor = None
    if not conversation.is_archived:
        floor = selectors.read_floor(user=author, conversation=conversation)
    if floor is None:
        raise NotPermitted(_("You cannot write in this conversation."))
    require_may_write(
        author, space_ids=[conversation.community_id], text=body, action="message-send"
    )
    ratelimit.hit("message-send", key=author.pk)
    reply_to = None
    if reply_to_id and reply_to_id > floor:  # only to a message one may read
        reply_to = Message.objects.filter(
            pk=reply_to_id, conversation=conversation
        ).first()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                author=author,
                client_id=client_id,
                body=body,
                reply_to=reply_to,
                seq=_next_seq(conversation, new_message=True),
            )
            read_state_advance(author, conversation, message.pk)
            screening.screen(
                kind="message",
                item=message,
                author=author,
                text=body,
                space_ids=[conversation.community_id],
            )
            _notify(message, conversation)
            _announce_new(message, conversation)
    except IntegrityError:  # the same client_id raced us
        existing = Message.objects.get(author=author, client_id=client_id)
        return _replayed(existing, conversation)
    return message, True


def _announce(message: Message, *, change: str) -> None:
    """Send a change to the conversation's sockets, or, if some people in it
    may not read this message, only to those who may."""
    conversation = message.conversation
    blind = selectors.blind_to(conversation=conversation, message_id=message.pk)
    if not blind:
        events.message_changed(message, change=change)
        return
    readers = selectors.audience_user_ids(conversation) - blind
    events.message_changed_for(message, change=change, user_ids=readers)


def _announce_new(message: Message, conversation: Conversation) -> None:
    """A new message reaches everyone; a reply to a message some of them may
    not read reaches those without the text it answers."""
    blind = (
        selectors.blind_to(conversation=conversation, message_id=message.reply_to_id)
        if message.reply_to_id
        else set()
    )
    if not blind:
        events.message_changed(message, change="new")
        return
    readers = selectors.audience_user_ids(conversation) - blind
    events.message_changed_for(message, change="new", user_ids=readers)
    shown = copy.copy(message)
    shown.reply_to = None
    events.message_changed_for(shown, change="new", user_ids=blind)


def _replayed(existing: Message, conversation: Conversation) -> tuple[Message, bool]:
    if existing.conversation_id != conversation.pk:
        raise MessageInvalid(_("This message id was already used elsewhere."))
    return existing, False


def _notify(message: Message, conversation: Conversation) -> None:
    """Direct messages notify the other participants; mentions and replies
    notify the people named, if they may read the conversation."""
    kinds: dict[int, str] = {}
    if conversation.kind != Kind.CHANNEL:
        for user_id in conversation.participants.values_list("user_id", flat=True):
            kinds[user_id] = Notification.Kind.DIRECT
    handles = mention_handles(message.body) if "@" in message.body else set()
    if handles or message.reply_to_id:
        audience = selectors.audience_user_ids(conversation)
        if handles:
            people = User.objects.filter(pk__in=audience, is_active=True).only(
                "pk", "display_name", "email"
            )
            for person in people:
                names = handles_of(display_name=person.display_name, email=person.email)
                if names & handles:
                    kinds[person.pk] = Notification.Kind.MENTION
        reply_author = message.reply_to.author_id if message.reply_to else None
        if reply_author in audience:
            kinds.setdefault(reply_author, Notification.Kind.REPLY)
    kinds.pop(message.author_id, None)
    if not kinds:  # most messages in a channel: spare bulk_create's setup
        return
    Notification.objects.bulk_create(
        Notification(user_id=u, kind=k, conversation=conversation, message=message)
        for u, k in kinds.items()
    )
    for user_id, kind in kinds.items():
        events.notification_created(user_id=user_id, kind=kind, message=message)


def _locked(message: Message) -> Message:
    return (
        Message.objects.select_for_update()
        .select_related("conversation")
        .get(pk=message.pk)
    )


@transaction.atomic
def message_edit(*, actor: User, message: Message, body: str) -> Message:
    """The author may change a message's text for 15 minutes after sending."""
    message = _locked(message)
    if message.author_id != actor.pk or message.is_removed or message.is_hidden:
        raise NotPermitted(_("You cannot edit this message."))
    if timezone.now() - message.created_at > EDIT_WINDOW:
        raise MessagingError(_("Messages can be edited for 15 minutes."))
    if not selectors.can_write(user=actor, conversation=message.conversation):
        raise NotPermitted(_("You cannot write in this conversation."))
    space_ids = [message.conversation.community_id]
    require_may_write(actor, space_ids=space_ids, text=body)
    ratelimit.hit("message-edit", key=actor.pk)
    message.body = _clean_body(body)
    message.edited_at = timezone.now()
    message.seq = _next_seq(message.conversation, new_message=False)
    message.save(update_fields=["body", "edited_at", "seq"])
    screening.screen(
        kind="message",
        item=message,
        author=actor,
        text=message.body,
        space_ids=space_ids,
    )
    _announce(message, change="edited")
    return message


@transaction.atomic
def message_remove(*, actor: User, message: Message) -> Message:
    """The author removes a message; a tombstone keeps its place."""
    message = _locked(message)
    if message.author_id != actor.pk:
        raise NotPermitted(_("Only the author can remove a message."))
    if message.is_removed:
        return message
    message.removed_at = timezone.now()
    message.seq = _next_seq(message.conversation, new_message=False)
    message.save(update_fields=["removed_at", "seq"])
    _announce(message, change="removed")
    return message


@transaction.atomic
def message_set_visibility(
    *, actor: User, message: Message, visibility: str
) -> Message:
    """Moderation hides a message (or shows it again); nothing is deleted."""
    if not is_municipal_staff(actor):
        raise NotPermitted
    return message_moderate(message=message, visibility=visibility)


@transaction.atomic
def message_moderate(*, message: Message, visibility: str) -> Message:
    """Carry out a moderation decision on a message: hide it or show it again,
    and tell every open tab (a hidden message's event carries no text). No
    permission check: moderation.services made it before calling."""
    if visibility not in Message.Visibility.values:
        raise MessagingError
    message = _locked(message)
    if message.visibility == visibility:
        return message
    message.visibility = visibility
    message.seq = _next_seq(message.conversation, new_message=False)
    message.save(update_fields=["visibility", "seq"])
    _announce(message, change="visibility")
    return message


@transaction.atomic
def reaction_toggle(*, actor: User, message: Message, emoji: str) -> Message:
    """Add the actor's ``emoji`` to a message, or take it back."""
    if emoji not in Reaction.Emoji.values:
        raise MessagingError(_("This reaction is not available."))
    message = _locked(message)
    if message.is_removed or message.is_hidden:
        raise MessagingError(_("This message was removed."))
    if not selectors.can_write(user=actor, conversation=message.conversation):
        raise NotPermitted(_("You cannot write in this conversation."))
    require_may_write(actor, space_ids=[message.conversation.community_id])
    ratelimit.hit("message-react", key=actor.pk)
    deleted, _ignored = Reaction.objects.filter(
        message=message, user=actor, emoji=emoji
    ).delete()
    if not deleted:
        Reaction.objects.create(message=message, user=actor, emoji=emoji)
    message.seq = _next_seq(message.conversation, new_message=False)
    message.save(update_fields=["seq"])
    _announce(message, change="reactions")
    return message


def read_state_advance(user: User, conversation: Conversation, up_to_id: int) -> None:
    """Move ``user``'s read mark in ``conversation`` forward to ``up_to_id``
    (never back). No permission check: the calling service has made it."""
    # Usually the row exists and lags behind: one UPDATE does it, in plain SQL
    # because it runs on every message sent (building it through the ORM took
    # ten times as long as running it). Names come from the model; values are
    # bound.
    quote = connection.ops.quote_name
    meta = ReadState._meta
    last, conversation_id, user_id = (
        quote(meta.get_field(name).column)
        for name in ("last_read_id", "conversation", "user")
    )
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {last} = %s"  # noqa: S608
        f" WHERE {conversation_id} = %s AND {user_id} = %s AND {last} < %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [up_to_id, conversation.pk, user.pk, up_to_id])
        if cursor.rowcount:
            return
    ReadState.objects.get_or_create(
        conversation=conversation, user=user, defaults={"last_read_id": up_to_id}
    )


@transaction.atomic
def conversation_mark_read(
    *, user: User, conversation: Conversation, up_to_id: int | None = None
) -> int:
    """Mark ``conversation`` read up to ``up_to_id`` (default: everything), with
    its notifications (also the notice of being added). Returns the last read
    id."""
    if not selectors.can_read(user=user, conversation=conversation):
        raise NotPermitted
    latest = (
        conversation.messages.order_by("-id").values_list("pk", flat=True).first() or 0
    )
    up_to_id = latest if up_to_id is None else min(up_to_id, latest)
    read_state_advance(user, conversation, up_to_id)
    Notification.objects.filter(
        Q(message_id__lte=up_to_id) | Q(message__isnull=True),
        user=user,
        conversation=conversation,
        read_at__isnull=True,
    ).update(read_at=timezone.now())
    return up_to_id
