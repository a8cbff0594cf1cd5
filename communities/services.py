"""Every write to communities, memberships and invitations.

Each service checks the actor's right to act, writes in one transaction and schedules
side effects (e-mails, group changes seen by the CMS) after commit.
"""

import logging
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hub import errors as hub_errors
from hub import ratelimit
from hub.oncommit import on_commit

from . import adapters
from .models import HOUSE_RULES_MAX_LENGTH, Community, Invitation, Membership
from .selectors import can_manage_members, is_municipal_staff
from .tasks import send_invitation_email

logger = logging.getLogger(__name__)

State = Membership.State
Role = Membership.Role


class MembershipError(hub_errors.ApplicationError):
    """A membership change that is not allowed; the message is shown to the user."""

    default_message = _("This change is not allowed.")


# hub's kind of refusal first: it gives the status and the default message, so
# ``except hub.errors.NotPermitted`` catches this app's too.
class NotPermitted(hub_errors.NotPermitted, MembershipError):
    """Not this person's to do (403)."""


class InvitationInvalid(MembershipError):
    default_message = _("This invitation is no longer valid.")


def _rules_acceptance(community: Community, accepts_rules: bool) -> dict:
    """The fields a membership joining ``community`` records: when its house rules
    were accepted. Refuses a join without acceptance when it has house rules."""
    if not community.house_rules:
        return {}
    if not accepts_rules:
        raise MembershipError(
            _("Read and accept the house rules to join."), field="accept_rules"
        )
    return {"rules_accepted_at": timezone.now()}


def _require_manager(actor: User, community: Community) -> None:
    if not can_manage_members(user=actor, community=community):
        raise NotPermitted


def _sync_editors_group(membership: Membership) -> None:
    """Keep the community's editors group equal to its active organisers."""
    group = membership.community.editors_group
    if group is None:
        return
    if membership.is_organiser:
        membership.user.groups.add(group)
    else:
        membership.user.groups.remove(group)


def _organiser_count(community: Community) -> int:
    return Membership.objects.filter(
        community=community, state=State.ACTIVE, role=Role.ORGANISER
    ).count()


def _save(
    membership: Membership, *, state: str, actor: User | None, **fields
) -> Membership:
    was_active = membership.state == State.ACTIVE
    new = membership._state.adding
    before = ("", "") if new else (membership.state, membership.role)
    membership.state = state
    membership.changed_by = actor
    for name, value in fields.items():
        setattr(membership, name, value)
    membership.save()
    _sync_editors_group(membership)
    if (membership.state, membership.role) != before:
        adapters.membership_changed(
            membership, actor=actor, state=before[0], role=before[1]
        )
    if was_active and state in (State.LEFT, State.REMOVED):
        adapters.membership_ended(membership)
    return membership


def community_create(
    *,
    actor: User,
    name: str,
    slug: str,
    kind: str,
    description: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: int = 3,
    join_policy: str = Community.JoinPolicy.OPEN,
    visibility: str = Community.Visibility.PUBLIC,
) -> Community:
    """Create a community and its editors group. Municipal staff only."""
    if not is_municipal_staff(actor):
        raise NotPermitted
    with transaction.atomic():
        group = Group.objects.create(name=f"Portal editors: {slug}")
        return Community.objects.create(
            name=name,
            slug=slug,
            kind=kind,
            description=description,
            latitude=latitude,
            longitude=longitude,
            radius_km=radius_km,
            join_policy=join_policy,
            visibility=visibility,
            editors_group=group,
        )


@transaction.atomic
def membership_join(
    *,
    user: User,
    community: Community,
    message: str = "",
    accepts_rules: bool = False,
) -> Membership:
    """Join an open community, or ask to join one that approves requests.

    Invitation-only communities are joined through an invitation. A member who was
    removed can only come back through a personal invitation. A community with
    house rules is joined only by someone who accepts them (``accepts_rules``).
    """
    if not user.is_authenticated or not user.is_active:
        raise NotPermitted
    ratelimit.hit("membership-join", key=user.pk)
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, community=community)
        .first()
    )
    if membership and membership.state in (State.ACTIVE, State.REQUESTED):
        return membership
    was_removed = membership is not None and membership.was_removed
    if membership and (membership.state == State.INVITED or was_removed):
        # Accept through the invitation itself, so that its role, its expiry and
        # its revocation count; without a usable one the join policy decides.
        token = pending_invitation_token(user=user, community=community)
        if token is not None:
            return invitation_accept(
                user=user, token=token, accepts_rules=accepts_rules
            )
    if was_removed:
        # Even after an invitation that was revoked or ran out, or after leaving.
        raise MembershipError(
            _("You were removed from this community. An organiser can invite you back.")
        )
    policy = community.join_policy
    if policy == Community.JoinPolicy.INVITATION:
        raise MembershipError(_("This community can only be joined by invitation."))
    accepted = _rules_acceptance(community, accepts_rules)
    state = State.ACTIVE if policy == Community.JoinPolicy.OPEN else State.REQUESTED
    if membership is None:
        membership = Membership(user=user, community=community, role=Role.MEMBER)
    return _save(membership, state=state, actor=user, message=message[:500], **accepted)


def _get_for_decision(actor: User, membership: Membership) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("community", "user")
        .get(pk=membership.pk)
    )
    _require_manager(actor, membership.community)
    if membership.state != State.REQUESTED:
        raise MembershipError(_("This request has already been answered."))
    return membership


@transaction.atomic
def membership_approve(*, actor: User, membership: Membership) -> Membership:
    """An organiser lets a requesting person in."""
    membership = _get_for_decision(actor, membership)
    return _save(membership, state=State.ACTIVE, actor=actor)


@transaction.atomic
def membership_decline(*, actor: User, membership: Membership) -> Membership:
    """An organiser turns a request down; the person may ask again later."""
    membership = _get_for_decision(actor, membership)
    return _save(membership, state=State.DECLINED, actor=actor)


@transaction.atomic
def membership_leave(*, user: User, community: Community) -> Membership:
    """Leave a community. The last organiser must hand over first."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("community", "user")
        .filter(user=user, community=community)
        .first()
    )
    if membership is None or membership.state not in (
        State.ACTIVE,
        State.REQUESTED,
        State.INVITED,
    ):
        raise MembershipError(_("You are not a member of this community."))
    if membership.is_organiser and _organiser_count(community) <= 1:
        raise MembershipError(
            _("You are the last organiser. Make someone else an organiser first.")
        )
    return _save(membership, state=State.LEFT, actor=user)


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> Membership:
    """An organiser removes a member; they cannot rejoin without a new invitation."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("community", "user")
        .get(pk=membership.pk)
    )
    _require_manager(actor, membership.community)
    if membership.user_id == actor.pk:
        raise MembershipError(_("Use “leave” to leave a community yourself."))
    if membership.state != State.ACTIVE:
        raise MembershipError(_("Only active members can be removed."))
    if membership.is_organiser and _organiser_count(membership.community) <= 1:
        raise MembershipError(_("A community must keep at least one organiser."))
    return _save(
        membership, state=State.REMOVED, actor=actor, removed_at=timezone.now()
    )


@transaction.atomic
def membership_change_role(
    *, actor: User, membership: Membership, role: str
) -> Membership:
    """An organiser changes an active member's role."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("community", "user")
        .get(pk=membership.pk)
    )
    _require_manager(actor, membership.community)
    if role not in Role.values:
        raise MembershipError(_("Unknown role."))
    if role == Role.STAFF and membership.community.kind != Community.Kind.CONTRACTOR:
        raise MembershipError(_("Only contractor organisations have staff."))
    if membership.state != State.ACTIVE:
        raise MembershipError(_("Only active members can change role."))
    if (
        membership.role == Role.ORGANISER
        and role != Role.ORGANISER
        and _organiser_count(membership.community) <= 1
    ):
        raise MembershipError(_("A community must keep at least one organiser."))
    return _save(membership, state=State.ACTIVE, actor=actor, role=role)


def community_house_rules_update(
    *, actor: User, community: Community, text: str
) -> Community:
    """Set the community's house rules (empty for none): its organisers and
    municipal staff only. New members accept them on joining; members who joined
    before are not asked again."""
    _require_manager(actor, community)
    ratelimit.hit("house-rules-update", key=actor.pk)
    # A browser sends a textarea's line breaks as CRLF but counts them as one.
    text = text.replace("\r\n", "\n").strip()
    if len(text) > HOUSE_RULES_MAX_LENGTH:
        raise MembershipError(
            _("The house rules can be at most %(max)d characters (they are %(n)d).")
            % {"max": HOUSE_RULES_MAX_LENGTH, "n": len(text)},
            field="house_rules",
        )
    if text != community.house_rules:
        community.house_rules = text
        community.house_rules_updated_at = timezone.now()
        community.save(
            update_fields=["house_rules", "house_rules_updated_at", "updated_at"]
        )
    return community


def invitation_create(
    *,
    actor: User,
    community: Community,
    email: str = "",
    role: str = Role.MEMBER,
    max_uses: int = 1,
    valid_days: int = 14,
) -> Invitation:
    """Invite one address by e-mail, or make a link anyone holding it may use."""
    _require_manager(actor, community)
    ratelimit.hit("invitation-create", key=actor.pk)
    if role not in Role.values:
        raise MembershipError(_("Unknown role."))
    if role == Role.STAFF and community.kind != Community.Kind.CONTRACTOR:
        raise MembershipError(_("Only contractor organisations have staff."))
    if role == Role.ORGANISER and not email:
        raise MembershipError(_("Organisers can only be invited by e-mail."))
    email = email.strip().lower()
    with transaction.atomic():
        invitation = Invitation.objects.create(
            community=community,
            email=email,
            role=role,
            invited_by=actor,
            max_uses=1 if email else max(1, min(max_uses, 500)),
            expires_at=timezone.now() + timedelta(days=valid_days),
        )
        if email:
            invitee = User.objects.filter(email__iexact=email, is_active=True).first()
            if invitee is not None:
                _mark_invited(invitee, community, actor)
            on_commit(
                lambda: send_invitation_email.enqueue(invitation_id=invitation.pk),
                what=f"invitation e-mail {invitation.pk}",
            )
    return invitation


def _mark_invited(user: User, community: Community, actor: User) -> None:
    membership, _created = Membership.objects.get_or_create(
        user=user, community=community, defaults={"state": State.INVITED}
    )
    if membership.state != State.ACTIVE:
        membership.state = State.INVITED
        membership.changed_by = actor
        membership.save()


def invitation_find(token: str) -> Invitation:
    """The usable invitation behind ``token``, or InvitationInvalid."""
    invitation = (
        Invitation.objects.select_related("community").filter(token=token).first()
    )
    if (
        invitation is None
        or invitation.revoked_at is not None
        or invitation.expires_at <= timezone.now()
        or invitation.uses >= invitation.max_uses
    ):
        raise InvitationInvalid
    return invitation


@transaction.atomic
def invitation_accept(
    *, user: User, token: str, accepts_rules: bool = False
) -> Membership:
    """Accept an invitation. An e-mail invitation works only for its address.

    A personal (e-mail) invitation brings back a removed member; a shared link does not.
    A community with house rules is joined only by someone who accepts them.
    """
    invitation = invitation_find(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.email and invitation.email.lower() != user.email.lower():
        raise InvitationInvalid(
            _("This invitation was sent to another e-mail address.")
        )
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, community=invitation.community)
        .first()
    )
    # A personal invitation to organise (or to be staff) promotes an active member.
    if (
        membership
        and membership.is_active
        and invitation.role in (Role.MEMBER, membership.role)
    ):
        return membership
    was_removed = membership is not None and membership.was_removed
    if was_removed and invitation.is_link:
        raise MembershipError(
            _("You were removed from this community. An organiser can invite you back.")
        )
    # An active member promoted by the invitation accepted the rules on joining.
    accepted = (
        {}
        if membership is not None and membership.is_active
        else _rules_acceptance(invitation.community, accepts_rules)
    )
    if membership is None:
        membership = Membership(user=user, community=invitation.community)
    invitation.uses += 1
    invitation.save(update_fields=["uses", "updated_at"])
    return _save(
        membership,
        state=State.ACTIVE,
        actor=user,
        role=invitation.role,
        removed_at=None,
        **accepted,
    )


@transaction.atomic
def invitation_decline(*, user: User, community: Community) -> Membership:
    """Say no to a pending invitation."""
    membership = (
        Membership.objects.select_for_update()
        .filter(user=user, community=community, state=State.INVITED)
        .first()
    )
    if membership is None:
        raise InvitationInvalid
    return _save(membership, state=State.DECLINED, actor=user)


def pending_invitation_token(*, user: User, community: Community) -> str | None:
    """The token of a usable personal invitation for ``user``, if any."""
    invitation = (
        Invitation.objects.filter(
            community=community,
            email__iexact=user.email,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .first()
    )
    if invitation is None or invitation.uses >= invitation.max_uses:
        return None
    return invitation.token


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """Stop an invitation from working."""
    _require_manager(actor, invitation.community)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    if invitation.email:
        # A removed member invited back and then un-invited is removed again.
        for membership in Membership.objects.filter(
            community=invitation.community,
            user__email__iexact=invitation.email,
            state=State.INVITED,
            removed_at__isnull=False,
        ):
            if (
                pending_invitation_token(
                    user=membership.user, community=invitation.community
                )
                is None
            ):
                _save(membership, state=State.REMOVED, actor=actor)
    return invitation
