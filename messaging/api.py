"""JSON API for conversations and messages, under /api/messaging/.

Thin adapters over messaging.services and messaging.selectors.
"""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.responses import Status

from . import selectors, services
from .events import message_payload
from .models import MESSAGE_MAX_CHARS, Conversation, Message

router = Router(tags=["messaging"])


class ConversationOut(Schema):
    id: int
    kind: str
    title: str
    community: str | None
    archived: bool
    last_seq: int
    unread: int
    url: str


class AuthorOut(Schema):
    id: int
    name: str


class ReplyOut(Schema):
    id: int
    author: str
    excerpt: str


class ReactionOut(Schema):
    emoji: str
    count: int
    user_ids: list[int]


class MessageOut(Schema):
    id: int
    seq: int
    conversation: int
    client_id: str
    author: AuthorOut | None
    html: str
    body: str
    created_at: str
    created_at_display: dict[str, str] = Field(
        description="The time as the page shows it, by language code."
    )
    edited: bool
    removed: bool
    hidden: bool
    reply_to: ReplyOut | None
    reactions: list[ReactionOut]
    rendered: dict[str, str] = Field(
        description="The message as the conversation page shows it, for no "
        "reader in particular (the page shows its reader's own tools), by "
        "language code: the request's language here, every language in a live "
        "event."
    )


class MessagePage(Schema):
    messages: list[MessageOut]
    last_seq: int = Field(description="Pass as `after` to fetch what came next.")
    more: bool


class MessageIn(Schema):
    body: str = Field(max_length=MESSAGE_MAX_CHARS * 2)
    client_id: str = Field(min_length=1, max_length=64)
    reply_to: int | None = None


class EditIn(Schema):
    body: str = Field(max_length=MESSAGE_MAX_CHARS * 2)


class ReactionIn(Schema):
    emoji: str = Field(max_length=8)


class ReadIn(Schema):
    up_to: int | None = None


class ReadOut(Schema):
    last_read_id: int


class ErrorOut(Schema):
    detail: str


def _readable(request: HttpRequest, pk: int) -> Conversation:
    conversation = get_object_or_404(Conversation, pk=pk)
    if not selectors.can_read(user=request.user, conversation=conversation):
        raise Http404
    return conversation


def _message(request: HttpRequest, pk: int) -> Message:
    message = get_object_or_404(Message.objects.select_related("conversation"), pk=pk)
    _readable(request, message.conversation_id)
    return message


@router.get("/conversations", response=list[ConversationOut])
def list_conversations(request: HttpRequest):
    """Every conversation you may read, newest activity first, with unread counts."""
    return [
        {
            "id": c.pk,
            "kind": c.kind,
            "title": selectors.display_title(c, request.user),
            "community": c.community.name if c.community else None,
            "archived": c.is_archived,
            "last_seq": c.last_seq,
            "unread": c.unread_count,
            "url": c.get_absolute_url(),
        }
        for c in selectors.conversations_with_unread(request.user)[:200]
    ]


@router.get("/conversations/{int:pk}/messages", response=MessagePage)
def list_messages(request: HttpRequest, pk: int, after: int = 0, limit: int = 100):
    """Messages changed after sequence number ``after`` (new, edited, removed,
    hidden, reacted to), oldest first: the catch-up after a reconnect."""
    conversation = _readable(request, pk)
    limit = max(1, min(limit, 200))
    rows = list(
        selectors.messages_in(
            user=request.user,
            conversation=conversation,
            after_seq=after,
            limit=limit + 1,
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "messages": [message_payload(m) for m in rows],
        "last_seq": rows[-1].seq if rows else max(after, 0),
        "more": more,
    }


@router.post(
    "/conversations/{int:pk}/messages",
    response={200: MessageOut, 201: MessageOut, 400: ErrorOut, 403: ErrorOut},
)
def post_message(request: HttpRequest, pk: int, data: MessageIn):
    """Send a message. Retrying with the same ``client_id`` returns the first
    message with status 200 instead of creating another."""
    conversation = get_object_or_404(Conversation, pk=pk)
    try:
        # The service checks the right to write; reading is checked only when
        # it refuses (a conversation one may not read is not found), which
        # spares the hot path a second permission query.
        message, created = services.message_send(
            author=request.user,
            conversation=conversation,
            body=data.body,
            client_id=data.client_id,
            reply_to_id=data.reply_to,
        )
    except services.MessagingError:
        _readable(request, pk)
        raise
    if created:  # a new message has no reactions yet: spare the query
        return Status(201, message_payload(message, with_reactions=False))
    _readable(request, pk)  # a replay skips the service's check
    return Status(200, message_payload(message))


@router.patch(
    "/messages/{int:pk}", response={200: MessageOut, 400: ErrorOut, 403: ErrorOut}
)
def edit_message(request: HttpRequest, pk: int, data: EditIn):
    """Change your message's text (for 15 minutes after sending)."""
    message = services.message_edit(
        actor=request.user, message=_message(request, pk), body=data.body
    )
    return Status(200, message_payload(message))


@router.delete(
    "/messages/{int:pk}", response={200: MessageOut, 400: ErrorOut, 403: ErrorOut}
)
def remove_message(request: HttpRequest, pk: int):
    """Remove your message; a tombstone keeps its place."""
    message = services.message_remove(actor=request.user, message=_message(request, pk))
    return Status(200, message_payload(message))


@router.post(
    "/messages/{int:pk}/reactions",
    response={200: MessageOut, 400: ErrorOut, 403: ErrorOut},
)
def react(request: HttpRequest, pk: int, data: ReactionIn):
    """Add your reaction to a message, or take it back if it is there."""
    message = services.reaction_toggle(
        actor=request.user, message=_message(request, pk), emoji=data.emoji
    )
    return Status(200, message_payload(message))


@router.post("/conversations/{int:pk}/read", response={200: ReadOut, 403: ErrorOut})
def mark_read(request: HttpRequest, pk: int, data: ReadIn):
    """Mark the conversation read up to message ``up_to`` (default: all)."""
    conversation = _readable(request, pk)
    last = services.conversation_mark_read(
        user=request.user, conversation=conversation, up_to_id=data.up_to
    )
    return Status(200, {"last_read_id": last})


class PersonOut(Schema):
    id: int
    name: str


class ParticipantIn(Schema):
    user: int
    share_history: bool = Field(
        description="Whether the person added reads the earlier messages too, "
        "or only those sent from now on. Everyone in the conversation sees it."
    )


class ParticipantOut(Schema):
    user: PersonOut
    added_by: PersonOut | None
    shares_history: bool
    joined_after_id: int | None = Field(
        description="The latest message when the person was added; empty for "
        "the people the conversation started with."
    )


def _person(user) -> dict | None:
    return {"id": user.pk, "name": user.public_name} if user else None


def _participant_payload(participant) -> dict:
    return {
        "user": _person(participant.user),
        "added_by": _person(participant.added_by),
        "shares_history": participant.shares_history,
        "joined_after_id": participant.joined_after_id,
    }


@router.get("/conversations/{int:pk}/participants", response=list[ParticipantOut])
def list_participants(request: HttpRequest, pk: int):
    """The people in a direct conversation, thread or restricted channel: who
    added them, and whether they read the messages from before."""
    conversation = _readable(request, pk)
    people = selectors.participants_of(conversation).select_related("added_by")
    return [_participant_payload(p) for p in people]


@router.post(
    "/conversations/{int:pk}/participants",
    response={201: ParticipantOut, 400: ErrorOut, 403: ErrorOut},
)
def add_participant(request: HttpRequest, pk: int, data: ParticipantIn):
    """Add someone: to a direct conversation you are in, a person you share a
    community with; to a channel you organise, a member of its communities.
    Threads take nobody in. The person is told."""
    conversation = _readable(request, pk)
    person = selectors.active_person(data.user)
    if person is None:
        raise Http404
    participant = services.participant_add(
        actor=request.user,
        conversation=conversation,
        user=person,
        share_history=data.share_history,
    )
    return Status(201, _participant_payload(participant))
