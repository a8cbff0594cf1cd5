"""Who takes part in a conversation: adding and removing people.

Adding follows a rule a person would expect. Organisers add members of a
channel's communities to it. In a direct conversation a participant adds people
they share an active community with (municipal staff anyone), and decides whether
the new person reads the earlier messages. A thread belongs to the app that owns
its subject (a match, a task), which alone decides its people
(``thread_for_object``): nobody is added to it here. Every reader then sees who
was added, by whom and with what history (``selectors.participants_added``).
"""

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Membership
from communities.selectors import is_municipal_staff
from hub import ratelimit

from .. import events, selectors
from ..models import Conversation, Notification, Participant
from .common import MessagingError, NotPermitted
from .conversations import require_channel_manager, shares_a_community
from .messages import read_state_advance

Kind = Conversation.Kind
MAX_DIRECT_PEOPLE = 21  # the starter and twenty others, as direct_start allows


def _check_may_add(actor: User, conversation: Conversation, user: User) -> None:
    if conversation.kind == Kind.THREAD:
        raise NotPermitted(
            _("Only the people this conversation is about take part in it.")
        )
    if not user.is_active:
        raise MessagingError(_("This account is not active."))
    if conversation.kind == Kind.CHANNEL:
        require_channel_manager(actor, conversation)
        if not Membership.objects.filter(
            user=user,
            community_id__in=selectors.channel_community_ids(conversation),
            state=Membership.State.ACTIVE,
        ).exists():
            raise MessagingError(_("Only members of the community can be added."))
        return
    if not conversation.participants.filter(user=actor).exists():
        raise NotPermitted
    if not is_municipal_staff(actor) and not shares_a_community(actor, [user]):
        raise NotPermitted(_("You can add people who share a community with you."))
    if conversation.participants.count() >= MAX_DIRECT_PEOPLE:
        raise MessagingError(_("A direct conversation has room for 21 people."))


@transaction.atomic
def participant_add(
    *,
    actor: User,
    conversation: Conversation,
    user: User,
    share_history: bool = False,
) -> Participant:
    """Add ``user`` to a direct conversation the actor is in, or to a channel
    (organisers); threads refuse. With ``share_history`` the person reads the
    earlier messages too, without it only those sent from now on: the choice is
    stored and shown to everyone in the conversation. The person is told.
    Adding someone already there changes nothing."""
    _check_may_add(actor, conversation, user)
    if existing := Participant.objects.filter(
        conversation=conversation, user=user
    ).first():
        return existing
    ratelimit.hit("participant-add", key=actor.pk)
    # Lock the conversation as message_send does, so no message slips in between
    # reading the latest id and the new participant's row.
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    latest = locked.messages.order_by("-id").values_list("pk", flat=True).first()
    try:
        with transaction.atomic():
            participant = Participant.objects.create(
                conversation=conversation,
                user=user,
                added_by=actor,
                joined_after_id=latest or 0,
                shares_history=share_history,
            )
    except IntegrityError:  # another request added them first
        return Participant.objects.get(conversation=conversation, user=user)
    if latest and not share_history:
        # Unread counts start here: the earlier messages are not theirs to read.
        read_state_advance(user, conversation, latest)
    Notification.objects.create(
        user=user, kind=Notification.Kind.ADDED, conversation=conversation, actor=actor
    )
    events.participant_added(
        user_id=user.pk, conversation=conversation, actor_name=actor.public_name
    )
    events.subscriptions_changed([user.pk])
    return participant


@transaction.atomic
def participant_remove(*, actor: User, conversation: Conversation, user: User) -> None:
    """Remove someone from a restricted channel (organisers) or leave a
    conversation oneself. Their sockets stop receiving it at once."""
    if actor.pk != user.pk:
        require_channel_manager(actor, conversation)
    Participant.objects.filter(conversation=conversation, user=user).delete()
    events.subscriptions_changed([user.pk])


def participants_drop_for_ended_membership(membership: Membership) -> None:
    """A membership ended: the person leaves the restricted channels it let them
    into (of that community, or shared with it), unless another active membership
    still admits them. Registered with ``communities.adapters``, so it runs in the
    membership's transaction; rejoining later does not bring the channels back."""
    shared_in = selectors.shared_channel_ids([membership.community_id])
    seats = Participant.objects.filter(
        user_id=membership.user_id,
        conversation__kind=Kind.CHANNEL,
        conversation__is_restricted=True,
    ).filter(
        Q(conversation__community_id=membership.community_id)
        | Q(conversation__pk__in=shared_in)
    )
    still_in = Membership.objects.filter(
        user_id=membership.user_id, state=Membership.State.ACTIVE
    ).values("community_id")
    kept = Q(conversation__community_id__in=still_in) | Q(
        conversation__pk__in=selectors.shared_channel_ids(still_in)
    )
    # The membership's own save already makes the person's sockets re-check.
    seats.exclude(kept).delete()
