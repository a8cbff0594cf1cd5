"""Reads of conversations and messages, scoped by who may see them.

Who may read a conversation:
- a channel that is not restricted: active members of its community and of the
  communities that accepted to share it (a pending invitation lets nobody in);
  municipal staff;
- a restricted channel: its participants while they are active members of its
  community or of one it is shared with, and the organisers of its community;
- a direct conversation or a thread: its participants.
Writing needs the same, and an open (not archived) conversation.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import can_manage_members, is_municipal_staff

from .models import (
    ChannelShare,
    Conversation,
    Message,
    Notification,
    Participant,
    ReadState,
)

AnyUser = User | AnonymousUser
Kind = Conversation.Kind


def _active_community_ids(user: User) -> QuerySet:
    return Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values(
        "community_id"
    )


def _organised_community_ids(user: User) -> QuerySet:
    return Membership.objects.filter(
        user=user, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
    ).values("community_id")


def _accepted_shares() -> QuerySet[ChannelShare]:
    return ChannelShare.objects.filter(state=ChannelShare.State.ACCEPTED)


def _shared_channel_ids(community_ids) -> QuerySet:
    """Channels that any of ``community_ids`` accepted to share."""
    return (
        _accepted_shares().filter(community_id__in=community_ids).values("channel_id")
    )


def channel_community_ids(conversation: Conversation) -> list[int]:
    """The channel's own community and those that accepted its invitation."""
    shared = _accepted_shares().filter(channel=conversation)
    return [
        conversation.community_id,
        *shared.values_list("community_id", flat=True),
    ]


def _organiser_ids(community_id: int) -> QuerySet:
    return Membership.objects.filter(
        community_id=community_id,
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).values_list("user_id", flat=True)


def _readable_q(user: User) -> Q:
    # A channel follows membership: even its participants must be active
    # members of its community or of one it is shared with.
    mine = Participant.objects.filter(user=user).values("conversation_id")
    member_of = _active_community_ids(user)
    in_community = Q(community_id__in=member_of) | Q(
        pk__in=_shared_channel_ids(member_of)
    )
    private = Q(kind__in=[Kind.DIRECT, Kind.THREAD], pk__in=mine)
    channel = (
        Q(kind=Kind.CHANNEL) & in_community & (Q(is_restricted=False) | Q(pk__in=mine))
    )
    organised = Q(kind=Kind.CHANNEL, community_id__in=_organised_community_ids(user))
    return private | channel | organised


def conversations_readable_by(user: AnyUser) -> QuerySet[Conversation]:
    """Every conversation ``user`` may read (staff: every channel, own DMs)."""
    if not user.is_authenticated or not user.is_active:
        return Conversation.objects.none()
    q = _readable_q(user)
    if is_municipal_staff(user):
        q |= Q(kind=Kind.CHANNEL)
    return Conversation.objects.filter(q)


def conversation_ids_for(user: AnyUser) -> set[int]:
    """Ids of the conversations whose live events ``user`` may receive."""
    return set(conversations_readable_by(user).values_list("pk", flat=True))


def can_read(*, user: AnyUser, conversation: Conversation) -> bool:
    """The rules of conversations_readable_by for one conversation."""
    return read_floor(user=user, conversation=conversation) is not None


def read_floor(*, user: AnyUser, conversation: Conversation) -> int | None:
    """None if ``user`` may not read ``conversation``; otherwise the message id
    after which they read it: 0 (everything), or for someone added without the
    earlier messages, the latest message when they were added. In small
    queries, the usual case first (this runs on every write)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if conversation.kind != Kind.CHANNEL:
        mine = Participant.objects.filter(conversation=conversation, user=user)
        return _floor(mine)
    active = Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
    if conversation.is_restricted:
        return _restricted_floor(user, conversation, active)
    # The usual case first, in one plain query: a member of the channel's own
    # community. Then the communities it is shared with, then staff.
    if active.filter(community_id=conversation.community_id).exists():
        return 0
    shared = active.filter(community_id__in=_shared_in_ids(conversation))
    return 0 if shared.exists() or is_municipal_staff(user) else None


def _floor(participants: QuerySet[Participant]) -> int | None:
    for joined_after_id, shares_history in participants.values_list(
        "joined_after_id", "shares_history"
    )[:1]:
        return 0 if shares_history or joined_after_id is None else joined_after_id
    return None


def _shared_in_ids(conversation: Conversation) -> QuerySet:
    """Communities that accepted to share ``conversation``."""
    return _accepted_shares().filter(channel=conversation).values("community_id")


def _restricted_floor(
    user: User, conversation: Conversation, active: QuerySet[Membership]
) -> int | None:
    """A participant who is still an active member of one of the channel's
    communities (with the history they were given), an organiser of its own
    community or staff (everything)."""
    in_community = Q(user__memberships__community_id=conversation.community_id) | Q(
        user__memberships__community_id__in=_shared_in_ids(conversation)
    )
    floor = _floor(
        Participant.objects.filter(
            in_community,
            conversation=conversation,
            user=user,
            user__memberships__state=Membership.State.ACTIVE,
        )
    )
    if floor == 0:
        return 0
    organiser = active.filter(
        community_id=conversation.community_id, role=Membership.Role.ORGANISER
    )
    return 0 if organiser.exists() or is_municipal_staff(user) else floor


def can_write(*, user: AnyUser, conversation: Conversation) -> bool:
    """Readers may write, except in archived conversations."""
    if conversation.is_archived:
        return False
    return can_read(user=user, conversation=conversation)


def can_manage_channel(*, user: AnyUser, conversation: Conversation) -> bool:
    """Organisers of the channel's community and municipal staff."""
    if conversation.kind != Kind.CHANNEL:
        return False
    return can_manage_members(user=user, community=conversation.community)


def audience_user_ids(conversation: Conversation) -> set[int]:
    """Everyone who may read ``conversation`` (for mentions), except staff."""
    if conversation.kind != Kind.CHANNEL:
        return set(conversation.participants.values_list("user_id", flat=True))
    members = Membership.objects.filter(
        community_id__in=channel_community_ids(conversation),
        state=Membership.State.ACTIVE,
    ).values_list("user_id", flat=True)
    if not conversation.is_restricted:
        return set(members)
    organisers = _organiser_ids(conversation.community_id)
    people = conversation.participants.filter(user_id__in=members).values_list(
        "user_id", flat=True
    )
    return set(people) | set(organisers)


def _with_unread(qs: QuerySet[Conversation], user: User) -> QuerySet[Conversation]:
    last_read = ReadState.objects.filter(conversation=OuterRef("pk"), user=user).values(
        "last_read_id"
    )[:1]
    return qs.annotate(
        my_last_read=Coalesce(Subquery(last_read), 0, output_field=IntegerField())
    ).annotate(
        unread_count=Count(
            "messages",
            filter=Q(messages__id__gt=F("my_last_read"))
            & ~Q(messages__author=user)
            & Q(messages__removed_at__isnull=True, messages__visibility="visible"),
        )
    )


def community_channels(*, user: AnyUser, community: Community) -> list[Conversation]:
    """The channels of ``community`` (own and shared in) that ``user`` may read,
    with ``unread_count``; archived ones last."""
    if not user.is_authenticated:
        return []
    qs = conversations_readable_by(user).filter(
        Q(community=community) | Q(pk__in=_shared_channel_ids([community.pk])),
        kind=Kind.CHANNEL,
    )
    qs = _with_unread(qs, user).select_related("community")
    return sorted(
        qs, key=lambda c: (c.is_archived, not c.is_general, c.title.casefold())
    )


def conversations_for_inbox(user: AnyUser) -> QuerySet[Conversation]:
    """Direct conversations and threads of ``user``, newest activity first,
    with ``unread_count``."""
    if not user.is_authenticated:
        return Conversation.objects.none()
    qs = Conversation.objects.filter(
        kind__in=[Kind.DIRECT, Kind.THREAD], participants__user=user
    )
    return _with_unread(qs, user).order_by("-last_message_at", "-pk")


def conversations_with_unread(user: AnyUser) -> QuerySet[Conversation]:
    """Every readable conversation with ``unread_count``, newest activity first."""
    if not user.is_authenticated:
        return Conversation.objects.none()
    qs = _with_unread(conversations_readable_by(user), user)
    return (
        qs.select_related("community")
        .prefetch_related("participants__user")
        .order_by(F("last_message_at").desc(nulls_last=True), "-pk")
    )


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


def blind_to(*, conversation: Conversation, message_id: int) -> set[int]:
    """Participants who may not read message ``message_id``: they were added
    after it without the earlier messages (organisers of a restricted channel
    read it all the same)."""
    if conversation.kind == Kind.CHANNEL and not conversation.is_restricted:
        return set()
    blind = conversation.participants.filter(
        shares_history=False, joined_after_id__gte=message_id
    )
    if conversation.kind == Kind.CHANNEL:
        blind = blind.exclude(user_id__in=_organiser_ids(conversation.community_id))
    return set(blind.values_list("user_id", flat=True))


def participants_added(conversation: Conversation) -> list[Participant]:
    """The people added to a running conversation, by whom and with what
    history, in the order it happened: every reader sees these notes."""
    return list(
        conversation.participants.filter(joined_after_id__isnull=False)
        .select_related("user", "added_by")
        .order_by("created_at", "pk")
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


def direct_conversation_between(users: list[User]) -> Conversation | None:
    """The existing direct conversation of exactly these people, if any."""
    ids = {u.pk for u in users}
    qs = Conversation.objects.filter(kind=Kind.DIRECT).annotate(
        n=Count("participants", distinct=True),
        n_in=Count(
            "participants", filter=Q(participants__user_id__in=ids), distinct=True
        ),
    )
    return qs.filter(n=len(ids), n_in=len(ids)).order_by("pk").first()


def people_reachable_by(user: AnyUser) -> QuerySet[User]:
    """Active people who share an active community with ``user``."""
    if not user.is_authenticated:
        return User.objects.none()
    return (
        User.objects.filter(
            is_active=True,
            memberships__state=Membership.State.ACTIVE,
            memberships__community_id__in=_active_community_ids(user),
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("display_name", "email")
    )


def active_person(user_id: int) -> User | None:
    """An active account by id (to be added somewhere; the service decides)."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def people_addable_to(*, user: AnyUser, conversation: Conversation) -> QuerySet[User]:
    """Whom ``user`` may add to a direct conversation they are in: people they
    share a community with, not in it yet. Nobody for channels and threads."""
    if conversation.kind != Kind.DIRECT:
        return User.objects.none()
    return people_reachable_by(user).exclude(
        conversation_participations__conversation=conversation
    )


def participants_of(conversation: Conversation) -> QuerySet[Participant]:
    return conversation.participants.select_related("user").order_by(
        "user__display_name"
    )


def channel_candidates(*, conversation: Conversation) -> QuerySet[User]:
    """Members of a channel's communities not yet among its participants."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__community_id__in=channel_community_ids(conversation),
            memberships__state=Membership.State.ACTIVE,
        )
        .exclude(conversation_participations__conversation=conversation)
        .distinct()
        .order_by("display_name", "email")
    )


def display_title(conversation: Conversation, viewer: AnyUser) -> str:
    """A channel's or thread's name; for a direct conversation, the other people
    (uses prefetched participants when present)."""
    if conversation.kind != Kind.DIRECT or conversation.title:
        return str(conversation)
    names = [
        p.user.public_name
        for p in conversation.participants.all()
        if p.user_id != getattr(viewer, "pk", None)
    ]
    return ", ".join(sorted(names)) or str(conversation)


def channel_shares(conversation: Conversation) -> list[ChannelShare]:
    """The channel's invitations and their answers, for its organisers: the
    other community's name and the state, nothing more of it."""
    return list(
        conversation.shares.select_related("community").order_by("community__name")
    )


def share_invitations_for(
    *, user: AnyUser, community: Community
) -> QuerySet[ChannelShare]:
    """Channels of other communities waiting for ``community``'s answer; empty
    unless ``user`` may answer for it."""
    if not can_manage_members(user=user, community=community):
        return ChannelShare.objects.none()
    return (
        ChannelShare.objects.filter(
            community=community, state=ChannelShare.State.PENDING
        )
        .select_related("channel__community", "invited_by")
        .order_by("created_at")
    )
