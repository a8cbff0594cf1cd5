"""Who may read, write in and hear of a conversation.

Who may read a conversation:
- a channel that is not restricted: active members of its community and of the
  communities that accepted to share it (a pending invitation lets nobody in);
  municipal staff;
- a restricted channel: its participants while they are active members of its
  community or of one it is shared with, and the organisers of its community;
- a direct conversation or a thread: its participants.
Someone added to a running conversation without its history reads only the
messages from then on (``read_floor``). Writing needs the same, and an open (not
archived) conversation.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Q,
    QuerySet,
)

from accounts.models import User
from communities.models import Membership
from communities.selectors import can_manage_members, is_municipal_staff
from moderation.sanctions import silenced_spaces

from ..models import (
    ChannelShare,
    Conversation,
    Participant,
)

AnyUser = User | AnonymousUser
Kind = Conversation.Kind


def active_community_ids_subquery(user: User) -> QuerySet:
    """The communities ``user`` is an active member of, as a subquery (see
    ``communities.selectors.active_community_ids`` for the evaluated set)."""
    return Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values(
        "community_id"
    )


def _organised_community_ids(user: User) -> QuerySet:
    return Membership.objects.filter(
        user=user, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
    ).values("community_id")


def _accepted_shares() -> QuerySet[ChannelShare]:
    return ChannelShare.objects.filter(state=ChannelShare.State.ACCEPTED)


def shared_channel_ids(community_ids) -> QuerySet:
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
    member_of = active_community_ids_subquery(user)
    in_community = Q(community_id__in=member_of) | Q(
        pk__in=shared_channel_ids(member_of)
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
    shared = active.filter(community_id__in=shared_in_ids(conversation))
    return 0 if shared.exists() or is_municipal_staff(user) else None


def _floor(participants: QuerySet[Participant]) -> int | None:
    for joined_after_id, shares_history in participants.values_list(
        "joined_after_id", "shares_history"
    )[:1]:
        return 0 if shares_history or joined_after_id is None else joined_after_id
    return None


def shared_in_ids(conversation: Conversation) -> QuerySet:
    """Communities that accepted to share ``conversation``."""
    return _accepted_shares().filter(channel=conversation).values("community_id")


def _restricted_floor(
    user: User, conversation: Conversation, active: QuerySet[Membership]
) -> int | None:
    """A participant who is still an active member of one of the channel's
    communities (with the history they were given), an organiser of its own
    community or staff (everything)."""
    in_community = Q(user__memberships__community_id=conversation.community_id) | Q(
        user__memberships__community_id__in=shared_in_ids(conversation)
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


def quiet_conversation_ids(user_id: int, conversation_ids: set[int]) -> set[int]:
    """Of ``conversation_ids``, those a silence keeps the user quiet in: all of
    them for a silence everywhere, else the channels of the spaces silenced in
    (the live socket relays no typing or presence there)."""
    everywhere, spaces = silenced_spaces(user_id)
    if everywhere:
        return set(conversation_ids)
    if not spaces or not conversation_ids:
        return set()
    quiet = Conversation.objects.filter(
        pk__in=conversation_ids, community_id__in=spaces
    )
    return set(quiet.values_list("pk", flat=True))
