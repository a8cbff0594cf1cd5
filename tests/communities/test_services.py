from datetime import timedelta

import pytest
from django.utils import timezone

from communities import services
from communities.models import Community, Invitation, Membership
from hub.ratelimit import RateLimited
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    member_of,
    organiser_of,
)

pytestmark = pytest.mark.django_db

State = Membership.State
Role = Membership.Role
Policy = Community.JoinPolicy


def _membership(user, community) -> Membership:
    return Membership.objects.get(user=user, community=community)


def _removed_from(community) -> Membership:
    member = MembershipFactory(community=community)
    return services.membership_remove(actor=organiser_of(community), membership=member)


# --- joining


def test_joining_an_open_community_makes_an_active_member():
    community = CommunityFactory(join_policy=Policy.OPEN)
    user = UserFactory()

    membership = services.membership_join(user=user, community=community)

    assert membership.state == State.ACTIVE
    assert membership.role == Role.MEMBER


def test_joining_an_approval_community_creates_a_request_with_its_message():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    user = UserFactory()

    membership = services.membership_join(
        user=user, community=community, message="Jeg bor på Skovvej 3."
    )

    assert membership.state == State.REQUESTED
    assert membership.message == "Jeg bor på Skovvej 3."


def test_joining_an_invitation_only_community_without_an_invitation_is_refused():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    user = UserFactory()

    with pytest.raises(services.MembershipError):
        services.membership_join(user=user, community=community)

    assert not Membership.objects.filter(user=user).exists()


def test_joining_twice_keeps_one_membership():
    community = CommunityFactory(join_policy=Policy.OPEN)
    user = UserFactory()
    services.membership_join(user=user, community=community)

    services.membership_join(user=user, community=community)

    assert Membership.objects.filter(user=user, community=community).count() == 1


def test_a_declined_person_may_ask_again():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    declined = MembershipFactory(community=community, state=State.DECLINED)

    membership = services.membership_join(user=declined.user, community=community)

    assert membership.state == State.REQUESTED


def test_a_person_who_left_an_open_community_may_rejoin():
    community = CommunityFactory(join_policy=Policy.OPEN)
    left = MembershipFactory(community=community, state=State.LEFT)

    membership = services.membership_join(user=left.user, community=community)

    assert membership.state == State.ACTIVE


@pytest.mark.parametrize("policy", [Policy.OPEN, Policy.APPROVAL, Policy.INVITATION])
def test_a_removed_member_cannot_rejoin_by_themselves(policy):
    community = CommunityFactory(join_policy=policy)
    removed = _removed_from(community)

    with pytest.raises(services.MembershipError):
        services.membership_join(user=removed.user, community=community)

    assert _membership(removed.user, community).state == State.REMOVED


def test_joins_are_rate_limited():
    user = UserFactory()
    communities = CommunityFactory.create_batch(31, join_policy=Policy.OPEN)
    for community in communities[:30]:
        services.membership_join(user=user, community=community)

    with pytest.raises(RateLimited):
        services.membership_join(user=user, community=communities[30])

    assert not Membership.objects.filter(user=user, community=communities[30]).exists()


# --- approving and declining


def test_an_organiser_approves_a_request():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    organiser = organiser_of(community)
    request = MembershipFactory(community=community, state=State.REQUESTED)

    services.membership_approve(actor=organiser, membership=request)

    request.refresh_from_db()
    assert request.state == State.ACTIVE
    assert request.changed_by == organiser


def test_an_organiser_declines_a_request():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    organiser = organiser_of(community)
    request = MembershipFactory(community=community, state=State.REQUESTED)

    services.membership_decline(actor=organiser, membership=request)

    request.refresh_from_db()
    assert request.state == State.DECLINED


def test_a_member_cannot_approve_a_request():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    member = member_of(community)
    request = MembershipFactory(community=community, state=State.REQUESTED)

    with pytest.raises(services.NotPermitted):
        services.membership_approve(actor=member, membership=request)

    request.refresh_from_db()
    assert request.state == State.REQUESTED


def test_a_member_cannot_decline_a_request():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    member = member_of(community)
    request = MembershipFactory(community=community, state=State.REQUESTED)

    with pytest.raises(services.NotPermitted):
        services.membership_decline(actor=member, membership=request)

    request.refresh_from_db()
    assert request.state == State.REQUESTED


def test_an_organiser_of_another_community_cannot_approve():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    stranger = organiser_of(CommunityFactory())
    request = MembershipFactory(community=community, state=State.REQUESTED)

    with pytest.raises(services.NotPermitted):
        services.membership_approve(actor=stranger, membership=request)

    request.refresh_from_db()
    assert request.state == State.REQUESTED


def test_municipal_staff_approve_in_any_community(staff):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    request = MembershipFactory(community=community, state=State.REQUESTED)

    services.membership_approve(actor=staff, membership=request)

    request.refresh_from_db()
    assert request.state == State.ACTIVE


def test_a_request_that_was_answered_cannot_be_answered_again():
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    organiser = organiser_of(community)
    request = MembershipFactory(community=community, state=State.DECLINED)

    with pytest.raises(services.MembershipError):
        services.membership_approve(actor=organiser, membership=request)

    request.refresh_from_db()
    assert request.state == State.DECLINED


# --- leaving, removing and roles


def test_a_member_leaves():
    community = CommunityFactory()
    member = member_of(community)

    services.membership_leave(user=member, community=community)

    assert _membership(member, community).state == State.LEFT


def test_someone_who_is_not_a_member_cannot_leave():
    community = CommunityFactory()

    with pytest.raises(services.MembershipError):
        services.membership_leave(user=UserFactory(), community=community)


def test_the_last_organiser_cannot_leave():
    community = CommunityFactory()
    organiser = organiser_of(community)

    with pytest.raises(services.MembershipError):
        services.membership_leave(user=organiser, community=community)

    assert _membership(organiser, community).is_organiser


def test_an_organiser_may_leave_when_another_organiser_stays():
    community = CommunityFactory()
    leaving = organiser_of(community)
    organiser_of(community)

    services.membership_leave(user=leaving, community=community)

    assert _membership(leaving, community).state == State.LEFT
    assert not leaving.groups.filter(pk=community.editors_group.pk).exists()


def test_an_organiser_removes_a_member():
    community = CommunityFactory()
    organiser = organiser_of(community)
    membership = MembershipFactory(community=community)

    services.membership_remove(actor=organiser, membership=membership)

    membership.refresh_from_db()
    assert membership.state == State.REMOVED


def test_a_member_cannot_remove_another_member():
    community = CommunityFactory()
    member = member_of(community)
    membership = MembershipFactory(community=community)

    with pytest.raises(services.NotPermitted):
        services.membership_remove(actor=member, membership=membership)

    membership.refresh_from_db()
    assert membership.state == State.ACTIVE


def test_an_organiser_of_another_community_cannot_remove_a_member():
    community = CommunityFactory()
    stranger = organiser_of(CommunityFactory())
    membership = MembershipFactory(community=community)

    with pytest.raises(services.NotPermitted):
        services.membership_remove(actor=stranger, membership=membership)

    membership.refresh_from_db()
    assert membership.state == State.ACTIVE


def test_municipal_staff_remove_a_member_of_any_community(staff):
    community = CommunityFactory()
    membership = MembershipFactory(community=community)

    services.membership_remove(actor=staff, membership=membership)

    membership.refresh_from_db()
    assert membership.state == State.REMOVED


def test_the_last_organiser_cannot_be_removed(staff):
    community = CommunityFactory()
    organiser = organiser_of(community)

    with pytest.raises(services.MembershipError):
        services.membership_remove(
            actor=staff, membership=_membership(organiser, community)
        )

    assert _membership(organiser, community).is_organiser


def test_the_last_organiser_cannot_be_demoted(staff):
    community = CommunityFactory()
    organiser = organiser_of(community)

    with pytest.raises(services.MembershipError):
        services.membership_change_role(
            actor=staff,
            membership=_membership(organiser, community),
            role=Role.MEMBER,
        )

    assert _membership(organiser, community).is_organiser


def test_an_organiser_cannot_remove_themselves_but_must_leave():
    community = CommunityFactory()
    organiser = organiser_of(community)
    organiser_of(community)

    with pytest.raises(services.MembershipError):
        services.membership_remove(
            actor=organiser, membership=_membership(organiser, community)
        )

    assert _membership(organiser, community).is_organiser


def test_a_member_cannot_change_roles():
    community = CommunityFactory()
    member = member_of(community)
    other = MembershipFactory(community=community)

    with pytest.raises(services.NotPermitted):
        services.membership_change_role(
            actor=member, membership=other, role=Role.ORGANISER
        )

    other.refresh_from_db()
    assert other.role == Role.MEMBER


def test_staff_role_is_refused_outside_contractor_organisations():
    community = CommunityFactory(kind=Community.Kind.ASSOCIATION)
    organiser = organiser_of(community)
    member = MembershipFactory(community=community)

    with pytest.raises(services.MembershipError):
        services.membership_change_role(
            actor=organiser, membership=member, role=Role.STAFF
        )

    member.refresh_from_db()
    assert member.role == Role.MEMBER


def test_a_contractor_organisation_may_have_staff():
    contractor = CommunityFactory(kind=Community.Kind.CONTRACTOR)
    organiser = organiser_of(contractor)
    member = MembershipFactory(community=contractor)

    services.membership_change_role(actor=organiser, membership=member, role=Role.STAFF)

    member.refresh_from_db()
    assert member.role == Role.STAFF


def test_an_unknown_role_is_refused():
    community = CommunityFactory()
    organiser = organiser_of(community)
    member = MembershipFactory(community=community)

    with pytest.raises(services.MembershipError):
        services.membership_change_role(actor=organiser, membership=member, role="king")


def test_only_active_members_change_role():
    community = CommunityFactory()
    organiser = organiser_of(community)
    requested = MembershipFactory(community=community, state=State.REQUESTED)

    with pytest.raises(services.MembershipError):
        services.membership_change_role(
            actor=organiser, membership=requested, role=Role.ORGANISER
        )

    requested.refresh_from_db()
    assert requested.state == State.REQUESTED


# --- the editors group follows the organiser role


def _is_editor(user, community) -> bool:
    return user.groups.filter(pk=community.editors_group_id).exists()


def test_promoting_to_organiser_adds_the_user_to_the_editors_group():
    community = CommunityFactory()
    organiser = organiser_of(community)
    member = MembershipFactory(community=community)

    services.membership_change_role(
        actor=organiser, membership=member, role=Role.ORGANISER
    )

    assert _is_editor(member.user, community)


def test_demoting_an_organiser_removes_them_from_the_editors_group():
    community = CommunityFactory()
    organiser = organiser_of(community)
    demoted = organiser_of(community)

    services.membership_change_role(
        actor=organiser, membership=_membership(demoted, community), role=Role.MEMBER
    )

    assert not _is_editor(demoted, community)
    assert _is_editor(organiser, community)


def test_removing_an_organiser_removes_them_from_the_editors_group(staff):
    community = CommunityFactory()
    organiser_of(community)
    removed = organiser_of(community)

    services.membership_remove(actor=staff, membership=_membership(removed, community))

    assert not _is_editor(removed, community)


def test_an_organiser_who_leaves_is_removed_from_the_editors_group():
    community = CommunityFactory()
    organiser_of(community)
    leaving = organiser_of(community)

    services.membership_leave(user=leaving, community=community)

    assert not _is_editor(leaving, community)


# --- invitations


def _invite(community, *, actor=None, **kwargs) -> Invitation:
    actor = actor or organiser_of(community)
    return services.invitation_create(actor=actor, community=community, **kwargs)


def test_an_email_invitation_is_sent_after_commit(
    django_capture_on_commit_callbacks, mailoutbox
):
    community = CommunityFactory(name="Skovby Borgerforening")
    organiser = organiser_of(community)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = services.invitation_create(
            actor=organiser, community=community, email="Ny@Example.org"
        )
        assert mailoutbox == []
    for callback in callbacks:
        callback()

    assert invitation.email == "ny@example.org"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ny@example.org"]
    assert "Skovby Borgerforening" in mailoutbox[0].subject
    assert invitation.get_absolute_url() in mailoutbox[0].body


def test_a_link_invitation_sends_no_email(
    django_capture_on_commit_callbacks, mailoutbox
):
    community = CommunityFactory()

    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(community, max_uses=10)

    assert invitation.is_link
    assert invitation.max_uses == 10
    assert mailoutbox == []


def test_inviting_an_existing_account_marks_it_invited():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitee = UserFactory()

    _invite(community, email=invitee.email)

    assert _membership(invitee, community).state == State.INVITED


def test_a_member_cannot_invite():
    community = CommunityFactory()
    member = member_of(community)

    with pytest.raises(services.NotPermitted):
        services.invitation_create(
            actor=member, community=community, email="x@example.org"
        )

    assert not Invitation.objects.exists()


def test_an_organiser_of_another_community_cannot_invite():
    community = CommunityFactory()
    stranger = organiser_of(CommunityFactory())

    with pytest.raises(services.NotPermitted):
        services.invitation_create(actor=stranger, community=community)

    assert not Invitation.objects.exists()


def test_municipal_staff_invite_to_any_community(staff):
    community = CommunityFactory()

    invitation = services.invitation_create(
        actor=staff, community=community, email="ny@example.org", role=Role.ORGANISER
    )

    assert invitation.role == Role.ORGANISER


def test_organisers_cannot_be_invited_by_a_shared_link():
    community = CommunityFactory()

    with pytest.raises(services.MembershipError):
        _invite(community, role=Role.ORGANISER)

    assert not Invitation.objects.exists()


def test_staff_cannot_be_invited_outside_contractor_organisations():
    community = CommunityFactory(kind=Community.Kind.ASSOCIATION)

    with pytest.raises(services.MembershipError):
        _invite(community, email="ny@example.org", role=Role.STAFF)

    assert not Invitation.objects.exists()


def test_accepting_an_invitation_makes_an_active_member_with_its_role():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitee = UserFactory()
    invitation = _invite(community, email=invitee.email, role=Role.ORGANISER)

    membership = services.invitation_accept(user=invitee, token=invitation.token)

    assert membership.state == State.ACTIVE
    assert membership.role == Role.ORGANISER
    assert _is_editor(invitee, community)
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_an_email_invitation_works_only_for_its_address():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitation = _invite(community, email="karen@example.org")
    someone_else = UserFactory(email="lars@example.org")

    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(user=someone_else, token=invitation.token)

    assert not Membership.objects.filter(user=someone_else).exists()


def test_an_email_invitation_ignores_the_case_of_the_address():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitation = _invite(community, email="Karen@Example.org")
    karen = UserFactory(email="karen@example.org")

    membership = services.invitation_accept(user=karen, token=invitation.token)

    assert membership.state == State.ACTIVE


def test_an_expired_invitation_is_refused():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitation = _invite(community)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(user=UserFactory(), token=invitation.token)


def test_a_revoked_invitation_is_refused():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    organiser = organiser_of(community)
    invitation = _invite(community, actor=organiser)
    services.invitation_revoke(actor=organiser, invitation=invitation)

    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(user=UserFactory(), token=invitation.token)


def test_a_used_up_link_is_refused():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitation = _invite(community, max_uses=2)
    for user in UserFactory.create_batch(2):
        services.invitation_accept(user=user, token=invitation.token)
    late = UserFactory()

    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(user=late, token=invitation.token)

    assert not Membership.objects.filter(user=late).exists()


def test_an_unknown_token_is_refused():
    with pytest.raises(services.InvitationInvalid):
        services.invitation_accept(user=UserFactory(), token="no-such-token")


def test_a_member_cannot_revoke_an_invitation():
    community = CommunityFactory()
    invitation = _invite(community)

    with pytest.raises(services.NotPermitted):
        services.invitation_revoke(actor=member_of(community), invitation=invitation)

    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_removed_member_cannot_come_back_through_a_shared_link():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    removed = _removed_from(community)
    invitation = _invite(community, max_uses=20)

    with pytest.raises(services.MembershipError):
        services.invitation_accept(user=removed.user, token=invitation.token)

    assert _membership(removed.user, community).state == State.REMOVED
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_a_removed_member_comes_back_through_a_personal_invitation():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    removed = _removed_from(community)
    invitation = _invite(community, email=removed.user.email)

    membership = services.invitation_accept(user=removed.user, token=invitation.token)

    assert membership.state == State.ACTIVE


@pytest.mark.parametrize("policy", [Policy.OPEN, Policy.APPROVAL])
def test_a_removed_member_whose_invitation_back_was_revoked_stays_removed(policy):
    community = CommunityFactory(join_policy=policy)
    organiser = organiser_of(community)
    removed = _removed_from(community)
    invitation = _invite(community, actor=organiser, email=removed.user.email)
    assert _membership(removed.user, community).state == State.INVITED

    services.invitation_revoke(actor=organiser, invitation=invitation)

    assert _membership(removed.user, community).state == State.REMOVED
    with pytest.raises(services.MembershipError):
        services.membership_join(user=removed.user, community=community)
    assert _membership(removed.user, community).state == State.REMOVED


@pytest.mark.parametrize("policy", [Policy.OPEN, Policy.APPROVAL])
def test_a_removed_member_cannot_slip_back_after_the_invitation_expires(policy):
    community = CommunityFactory(join_policy=policy)
    removed = _removed_from(community)
    invitation = _invite(community, email=removed.user.email)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    with pytest.raises(services.MembershipError):
        services.membership_join(user=removed.user, community=community)
    services.membership_leave(user=removed.user, community=community)  # from invited
    with pytest.raises(services.MembershipError):
        services.membership_join(user=removed.user, community=community)

    assert _membership(removed.user, community).state == State.LEFT


def test_a_member_invited_back_is_an_ordinary_member_again():
    community = CommunityFactory(join_policy=Policy.OPEN)
    removed = _removed_from(community)
    invitation = _invite(community, email=removed.user.email)
    services.invitation_accept(user=removed.user, token=invitation.token)

    services.membership_leave(user=removed.user, community=community)
    membership = services.membership_join(user=removed.user, community=community)

    assert membership.state == State.ACTIVE
    assert membership.removed_at is None


def test_the_join_button_accepts_a_pending_invitation_with_its_role():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitee = UserFactory()
    invitation = _invite(community, email=invitee.email, role=Role.ORGANISER)

    membership = services.membership_join(user=invitee, community=community)

    assert membership.state == State.ACTIVE
    assert membership.role == Role.ORGANISER
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_an_invited_person_whose_invitation_was_revoked_cannot_join_by_invitation():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    organiser = organiser_of(community)
    invitee = UserFactory()
    invitation = _invite(community, actor=organiser, email=invitee.email)
    services.invitation_revoke(actor=organiser, invitation=invitation)

    with pytest.raises(services.MembershipError):
        services.membership_join(user=invitee, community=community)

    assert _membership(invitee, community).state == State.INVITED


def test_an_organiser_invitation_promotes_someone_who_is_already_a_member():
    community = CommunityFactory()
    member = member_of(community)
    invitation = _invite(community, email=member.email, role=Role.ORGANISER)

    membership = services.invitation_accept(user=member, token=invitation.token)

    assert membership.role == Role.ORGANISER
    assert _is_editor(member, community)


def test_an_invited_person_may_decline():
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitee = UserFactory()
    _invite(community, email=invitee.email)

    services.invitation_decline(user=invitee, community=community)

    assert _membership(invitee, community).state == State.DECLINED


# --- creating communities


def test_municipal_staff_create_a_community_with_its_editors_group(staff):
    community = services.community_create(
        actor=staff, name="Egekær Spejderne", slug="spejderne", kind="association"
    )

    assert community.editors_group is not None


def test_residents_cannot_create_a_community():
    with pytest.raises(services.NotPermitted):
        services.community_create(
            actor=UserFactory(), name="Mit Kongerige", slug="rige", kind="village"
        )

    assert not Community.objects.filter(slug="rige").exists()
