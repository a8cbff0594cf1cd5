"""Lists of conversations, people and shares, scoped by the viewer."""

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import can_manage_members

from ..models import (
    ChannelShare,
    Conversation,
    Participant,
    ReadState,
)
from .access import (
    AnyUser,
    Kind,
    active_community_ids_subquery,
    channel_community_ids,
    conversations_readable_by,
    shared_channel_ids,
    shared_in_ids,
)


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
        Q(community=community) | Q(pk__in=shared_channel_ids([community.pk])),
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


def participants_added(conversation: Conversation) -> list[Participant]:
    """The people added to a running conversation, by whom and with what
    history, in the order it happened: every reader sees these notes."""
    return list(
        conversation.participants.filter(joined_after_id__isnull=False)
        .select_related("user", "added_by")
        .order_by("created_at", "pk")
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
            memberships__community_id__in=active_community_ids_subquery(user),
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
    """The people of a conversation, with ``in_community``: in a channel, whether
    they are still active members of its communities (who are not, take no
    part, though their row stays until an organiser removes it)."""
    qs = conversation.participants.select_related("user").order_by("user__display_name")
    if conversation.kind != Kind.CHANNEL:
        return qs.annotate(in_community=Value(True))
    memberships = Membership.objects.filter(
        Q(community_id=conversation.community_id)
        | Q(community_id__in=shared_in_ids(conversation)),
        user_id=OuterRef("user_id"),
        state=Membership.State.ACTIVE,
    )
    return qs.annotate(in_community=Exists(memberships))


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


def share_invitations_waiting(user: AnyUser) -> list[ChannelShare]:
    """Channels of other communities waiting for an answer from a community
    ``user`` organises (an active organiser's membership), oldest first, with the
    invited community and the channel's own; one query."""
    if not user.is_authenticated:
        return []
    organised = Membership.objects.filter(
        user=user, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
    ).values("community_id")
    return list(
        ChannelShare.objects.filter(
            community_id__in=organised, state=ChannelShare.State.PENDING
        )
        .select_related("community", "channel__community")
        .order_by("created_at", "pk")
    )


def unread_conversations(
    user: AnyUser, *, limit: int
) -> tuple[int, list[Conversation]]:
    """How many conversations ``user`` may read have messages unread by her, and
    the ``limit`` with the newest activity among them (with ``unread_count``, the
    community and the participants for display_title); four queries."""
    if not user.is_authenticated:
        return 0, []
    unread = conversations_with_unread(user).filter(unread_count__gt=0)
    return unread.count(), list(unread[:limit])
