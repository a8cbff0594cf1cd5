"""Writes to conversations: channels, participants, direct conversations, threads."""

import logging
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import can_manage_members, is_municipal_staff
from hub import ratelimit
from moderation.sanctions import require_may_start_direct

from .. import events, selectors
from ..models import (
    ChannelShare,
    Conversation,
    Participant,
)
from .common import MessagingError, NotPermitted

logger = logging.getLogger(__name__)
Kind = Conversation.Kind


def channel_ensure_general(*, community: Community) -> Conversation:
    """The community's general channel, created the first time it is needed."""
    existing = Conversation.objects.filter(community=community, is_general=True)
    if channel := existing.first():
        return channel
    try:
        with transaction.atomic():
            channel = Conversation.objects.create(
                kind=Kind.CHANNEL,
                community=community,
                title=str(_("General")),
                is_general=True,
            )
    except IntegrityError:  # another request created it first
        return existing.get()
    events.subscriptions_changed(selectors.audience_user_ids(channel))
    return channel


def require_channel_manager(actor: User, conversation: Conversation) -> None:
    """Raise ``NotPermitted`` unless ``actor`` may manage the channel."""
    if not selectors.can_manage_channel(user=actor, conversation=conversation):
        raise NotPermitted


def _require_organiser(actor: User, community: Community) -> None:
    if not can_manage_members(user=actor, community=community):
        raise NotPermitted


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise MessagingError(_("A channel needs a name."))
    return title[:80]


@transaction.atomic
def channel_create(
    *,
    actor: User,
    community: Community,
    title: str,
    topic: str = "",
    is_restricted: bool = False,
    shared_with: Iterable[Community] = (),
) -> Conversation:
    """A new channel in ``community``; organisers only. A restricted channel
    starts with its creator as the only participant. ``shared_with`` become
    invitations that those communities' organisers answer."""
    _require_organiser(actor, community)
    ratelimit.hit("channel-create", key=actor.pk)
    channel = Conversation.objects.create(
        kind=Kind.CHANNEL,
        community=community,
        title=_clean_title(title),
        topic=topic.strip()[:200],
        is_restricted=is_restricted,
        created_by=actor,
    )
    _propose_shares(actor, channel, shared_with)
    if is_restricted:
        Participant.objects.create(conversation=channel, user=actor, added_by=actor)
    events.subscriptions_changed(selectors.audience_user_ids(channel))
    return channel


@transaction.atomic
def channel_update(
    *,
    actor: User,
    conversation: Conversation,
    title: str,
    topic: str = "",
    is_restricted: bool | None = None,
    shared_with: Iterable[Community] | None = None,
) -> Conversation:
    """Rename a channel, change its topic, restriction or sharing; organisers only.
    ``shared_with`` is the wanted set: new communities are invited, those left
    out stop sharing (a declined invitation stays declined until asked again).
    Sockets of people who lose or gain access re-check at once."""
    require_channel_manager(actor, conversation)
    before = selectors.audience_user_ids(conversation)
    conversation.title = _clean_title(title)
    conversation.topic = topic.strip()[:200]
    if is_restricted is not None and not conversation.is_general:
        conversation.is_restricted = is_restricted
    conversation.save()
    if shared_with is not None:
        _propose_shares(actor, conversation, shared_with)
    after = selectors.audience_user_ids(conversation)
    events.conversation_changed(conversation)
    events.subscriptions_changed(before ^ after)
    return conversation


def _propose_shares(
    actor: User, channel: Conversation, communities: Iterable[Community]
) -> None:
    """Invite the ``communities`` not yet asked (or asked and declined) and drop
    the invitations and shares of those no longer wanted."""
    wanted = {c.pk for c in communities if c.pk != channel.community_id}
    existing = {s.community_id: s for s in channel.shares.select_for_update()}
    channel.shares.filter(
        state__in=[ChannelShare.State.PENDING, ChannelShare.State.ACCEPTED]
    ).exclude(community_id__in=wanted).delete()
    for community_id in wanted:
        share = existing.get(community_id)
        if share and share.state != ChannelShare.State.DECLINED:
            continue
        ratelimit.hit("channel-share", key=actor.pk)
        ChannelShare.objects.update_or_create(
            channel=channel,
            community_id=community_id,
            defaults={
                "state": ChannelShare.State.PENDING,
                "invited_by": actor,
                "decided_by": None,
                "decided_at": None,
            },
        )


@transaction.atomic
def channel_share_decide(
    *, actor: User, share: ChannelShare, accept: bool
) -> ChannelShare:
    """An organiser of the invited community accepts a channel's invitation (its
    members take part from now on) or declines it; declining an accepted share
    ends it. Sockets of the people who gain or lose the channel re-check."""
    share = (
        ChannelShare.objects.select_for_update()
        .select_related("channel", "community")
        .get(pk=share.pk)
    )
    _require_organiser(actor, share.community)
    state = ChannelShare.State.ACCEPTED if accept else ChannelShare.State.DECLINED
    if accept and share.state != ChannelShare.State.PENDING:
        raise MessagingError(_("This invitation was already answered."))
    if share.state == state:
        return share
    before = selectors.audience_user_ids(share.channel)
    share.state = state
    share.decided_by = actor
    share.decided_at = timezone.now()
    share.save(update_fields=["state", "decided_by", "decided_at", "updated_at"])
    events.subscriptions_changed(before ^ selectors.audience_user_ids(share.channel))
    return share


@transaction.atomic
def channel_archive(
    *, actor: User, conversation: Conversation, archived: bool = True
) -> Conversation:
    """Archive (read-only) or restore a channel; the general channel stays open."""
    require_channel_manager(actor, conversation)
    if conversation.is_general and archived:
        raise MessagingError(_("The general channel cannot be archived."))
    conversation.archived_at = timezone.now() if archived else None
    conversation.save(update_fields=["archived_at", "updated_at"])
    events.conversation_changed(conversation)
    return conversation


def shares_a_community(actor: User, others: list[User]) -> bool:
    """Whether every one of ``others`` is an active member of a community
    ``actor`` is active in."""
    mine = Membership.objects.filter(user=actor, state=Membership.State.ACTIVE).values(
        "community_id"
    )
    reachable = set(
        Membership.objects.filter(
            community_id__in=mine,
            state=Membership.State.ACTIVE,
            user__in=others,
        ).values_list("user_id", flat=True)
    )
    return reachable == {u.pk for u in others}


@transaction.atomic
def direct_start(*, actor: User, others: Iterable[User]) -> Conversation:
    """The direct conversation of ``actor`` and ``others`` (found or created).
    One may write to people one shares a community with."""
    others = [u for u in {u.pk: u for u in others}.values() if u.pk != actor.pk]
    if not others or len(others) > 20:
        raise MessagingError(_("Choose between one and twenty people."))
    if any(not u.is_active for u in others):
        raise MessagingError(_("One of these accounts is not active."))
    if not is_municipal_staff(actor) and not shares_a_community(actor, others):
        raise NotPermitted(_("You can write to people who share a community with you."))
    require_may_start_direct(actor, others)
    people = [actor, *others]
    if existing := selectors.direct_conversation_between(people):
        return existing
    ratelimit.hit("direct-start", key=actor.pk)
    conversation = Conversation.objects.create(kind=Kind.DIRECT, created_by=actor)
    Participant.objects.bulk_create(
        Participant(conversation=conversation, user=u, added_by=actor) for u in people
    )
    events.subscriptions_changed(u.pk for u in people)
    return conversation


@transaction.atomic
def thread_for_object(
    *, obj: models.Model, participants: Iterable[User], title: str
) -> Conversation:
    """The one thread attached to ``obj`` (a listing's match, a task), created
    on first use; ``participants`` are added if missing. The caller has already
    decided who belongs in it."""
    content_type = ContentType.objects.get_for_model(obj)
    thread, _created = Conversation.objects.get_or_create(
        kind=Kind.THREAD,
        content_type=content_type,
        object_id=obj.pk,
        defaults={"title": title[:80]},
    )
    present = set(thread.participants.values_list("user_id", flat=True))
    new = [u for u in {u.pk: u for u in participants}.values() if u.pk not in present]
    Participant.objects.bulk_create(
        Participant(conversation=thread, user=u) for u in new
    )
    events.subscriptions_changed(u.pk for u in new)
    return thread
