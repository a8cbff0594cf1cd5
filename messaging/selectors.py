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
    """The rules of conversations_readable_by for one conversation, in small
    queries, the usual case first (this runs on every write)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if conversation.kind != Kind.CHANNEL:
        return Participant.objects.filter(conversation=conversation, user=user).exists()
    active = Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
    if conversation.is_restricted:
        return _restricted_reader(user, conversation, active)
    # The usual case first, in one plain query: a member of the channel's own
    # community. Then the communities it is shared with, then staff.
    if active.filter(community_id=conversation.community_id).exists():
        return True
    shared = active.filter(
        community_id__in=_accepted_shares()
        .filter(channel=conversation)
        .values("community_id")
    )
    return shared.exists() or is_municipal_staff(user)


def _restricted_reader(
    user: User, conversation: Conversation, active: QuerySet[Membership]
) -> bool:
    """A participant who is still an active member of one of the channel's
    communities, an organiser of its own community, or staff."""
    participant = Participant.objects.filter(
        conversation=conversation,
        user=user,
        user__memberships__state=Membership.State.ACTIVE,
        user__memberships__community_id__in=channel_community_ids(conversation),
    )
    if participant.exists():
        return True
    organiser = active.filter(
        community_id=conversation.community_id, role=Membership.Role.ORGANISER
    )
    return organiser.exists() or is_municipal_staff(user)


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
    organisers = Membership.objects.filter(
        community_id=conversation.community_id,
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).values_list("user_id", flat=True)
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
) -> QuerySet[Message]:
    """Messages changed after ``after_seq`` (new, edited, removed, hidden, reacted),
    oldest first; empty unless ``user`` may read the conversation."""
    if not can_read(user=user, conversation=conversation):
        return Message.objects.none()
    return (
        Message.objects.filter(conversation=conversation, seq__gt=after_seq)
        .select_related("author", "reply_to__author")
        .prefetch_related("reactions")
        .order_by("seq")[:limit]
    )


def recent_messages(
    *, user: AnyUser, conversation: Conversation, limit: int = 50
) -> list[Message]:
    """The latest ``limit`` messages, oldest first, for the conversation page."""
    if not can_read(user=user, conversation=conversation):
        return []
    qs = (
        Message.objects.filter(conversation=conversation)
        .select_related("author", "reply_to__author")
        .prefetch_related("reactions")
        .order_by("-id")[:limit]
    )
    return list(reversed(qs))


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
        .select_related("message__author", "conversation")
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
