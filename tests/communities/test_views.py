import pytest
from django.urls import reverse

from communities.models import Community, Invitation, Membership
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    member_of,
    organiser_of,
)
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

State = Membership.State
Role = Membership.Role
Policy = Community.JoinPolicy


def _members_url(community) -> str:
    return reverse("communities:members", kwargs={"slug": community.slug})


def _action_url(membership, action) -> str:
    return reverse(
        "communities:membership", kwargs={"pk": membership.pk, "action": action}
    )


def _state(user, community) -> str | None:
    membership = Membership.objects.filter(user=user, community=community).first()
    return membership.state if membership else None


# --- the join button


def test_the_join_button_asks_visitors_to_log_in(client):
    community = CommunityFactory()

    response = client.get(_members_url(community))

    assert response.status_code == 200
    assert f"{reverse('account_login')}?next=" in response.text
    assert reverse("communities:join", args=[community.slug]) not in response.text


@pytest.mark.parametrize(
    ("policy", "action"),
    [
        (Policy.OPEN, "communities:join"),
        (Policy.APPROVAL, "communities:join"),
    ],
)
def test_the_join_button_posts_to_join_for_open_and_approval_policies(
    client, policy, action
):
    community = CommunityFactory(join_policy=policy)
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    assert reverse(action, kwargs={"slug": community.slug}) in response.text


def test_the_join_button_of_an_approval_community_offers_a_message_field(client):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    assert 'name="message"' in response.text


def test_an_invitation_only_community_shows_no_join_form(client):
    community = CommunityFactory(join_policy=Policy.INVITATION)
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    assert reverse("communities:join", kwargs={"slug": community.slug}) not in (
        response.text
    )


def test_a_member_sees_a_leave_button(client):
    community = CommunityFactory()
    client.force_login(member_of(community))

    response = client.get(_members_url(community))

    assert reverse("communities:leave", kwargs={"slug": community.slug}) in (
        response.text
    )


# --- join and leave


def test_joining_an_open_community_by_post_makes_a_member(client):
    community = CommunityFactory(join_policy=Policy.OPEN)
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("communities:join", args=[community.slug]))

    assert response.status_code == 302
    assert _state(user, community) == State.ACTIVE


def test_joining_an_approval_community_by_post_sends_a_request(client):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    user = UserFactory()
    client.force_login(user)

    client.post(
        reverse("communities:join", args=[community.slug]),
        {"message": "Hej, jeg er ny i byen."},
    )

    membership = Membership.objects.get(user=user, community=community)
    assert membership.state == State.REQUESTED
    assert membership.message == "Hej, jeg er ny i byen."


def test_joining_an_invitation_only_community_by_post_shows_why_not(client):
    community = CommunityFactory(join_policy=Policy.INVITATION)
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("communities:join", args=[community.slug]),
        {"next": _members_url(community)},
        follow=True,
    )

    assert _state(user, community) is None
    assert len(list(response.context["messages"])) == 1


def test_joining_needs_a_login(client):
    community = CommunityFactory()

    response = client.post(reverse("communities:join", args=[community.slug]))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Membership.objects.exists()


def test_joining_by_get_is_not_allowed(client):
    community = CommunityFactory()
    user = UserFactory()
    client.force_login(user)

    response = client.get(reverse("communities:join", args=[community.slug]))

    assert response.status_code == 405
    assert _state(user, community) is None


def test_join_returns_to_a_local_next_page_only(client):
    community = CommunityFactory()
    client.force_login(UserFactory())

    response = client.post(
        reverse("communities:join", args=[community.slug]),
        {"next": "https://evil.example/phish"},
    )

    assert "evil.example" not in response["Location"]


def test_leaving_by_post(client):
    community = CommunityFactory()
    member = member_of(community)
    client.force_login(member)

    client.post(reverse("communities:leave", args=[community.slug]))

    assert _state(member, community) == State.LEFT


def test_leave_asks_for_confirmation_first_and_changes_nothing(client):
    community = CommunityFactory(name="Skovby IF")
    member = member_of(community)
    client.force_login(member)
    leave_url = reverse("communities:leave", args=[community.slug])

    page = client.get(_members_url(community))
    confirmation = client.get(leave_url, {"next": "/villages/skovby/"})

    assert f'action="{leave_url}"' not in page.text
    assert f'href="{leave_url}?next=' in page.text
    assert confirmation.status_code == 200
    assert f'<form method="post" action="{leave_url}"' in confirmation.text
    assert 'name="next" value="/villages/skovby/"' in confirmation.text
    assert "Skovby IF" in confirmation.text
    assert _state(member, community) == State.ACTIVE


def test_the_leave_confirmation_needs_a_login(client):
    community = CommunityFactory()

    response = client.get(reverse("communities:leave", args=[community.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_someone_who_is_not_a_member_is_not_asked_to_confirm_leaving(client):
    community = CommunityFactory()
    client.force_login(UserFactory())

    response = client.get(reverse("communities:leave", args=[community.slug]))

    assert response.status_code == 302


def test_leaving_after_confirming_returns_to_the_page_it_came_from(client):
    community = CommunityFactory()
    member = member_of(community)
    client.force_login(member)

    response = client.post(
        reverse("communities:leave", args=[community.slug]),
        {"next": _members_url(community)},
    )

    assert response["Location"] == _members_url(community)
    assert _state(member, community) == State.LEFT


# --- organiser actions


def test_an_organiser_approves_a_request_by_post(client):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    client.force_login(organiser_of(community))
    request = MembershipFactory(community=community, state=State.REQUESTED)

    response = client.post(_action_url(request, "approve"))

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == State.ACTIVE


def test_an_organiser_declines_a_request_by_post(client):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    client.force_login(organiser_of(community))
    request = MembershipFactory(community=community, state=State.REQUESTED)

    client.post(_action_url(request, "decline"))

    request.refresh_from_db()
    assert request.state == State.DECLINED


def test_an_organiser_removes_a_member_by_post(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))
    membership = MembershipFactory(community=community)

    client.post(_action_url(membership, "remove"))

    membership.refresh_from_db()
    assert membership.state == State.REMOVED


def test_remove_asks_the_organiser_to_confirm_and_changes_nothing(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))
    membership = MembershipFactory(community=community)
    remove_url = _action_url(membership, "remove")

    page = client.get(_members_url(community))
    confirmation = client.get(remove_url)

    assert f'action="{remove_url}"' not in page.text
    assert f'href="{remove_url}"' in page.text
    assert confirmation.status_code == 200
    assert f'<form method="post" action="{remove_url}"' in confirmation.text
    assert membership.user.public_name in confirmation.text
    membership.refresh_from_db()
    assert membership.state == State.ACTIVE


def test_only_organisers_are_asked_to_confirm_a_removal(client):
    community = CommunityFactory()
    client.force_login(member_of(community))
    membership = MembershipFactory(community=community)

    response = client.get(_action_url(membership, "remove"))

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.state == State.ACTIVE


def test_an_organiser_changes_a_role_by_post(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))
    membership = MembershipFactory(community=community)

    client.post(_action_url(membership, "role"), {"role": Role.ORGANISER})

    membership.refresh_from_db()
    assert membership.role == Role.ORGANISER


def test_a_refused_role_change_is_explained_and_changes_nothing(client):
    community = CommunityFactory(kind=Community.Kind.VILLAGE)
    client.force_login(organiser_of(community))
    membership = MembershipFactory(community=community)

    response = client.post(
        _action_url(membership, "role"), {"role": Role.STAFF}, follow=True
    )

    membership.refresh_from_db()
    assert membership.role == Role.MEMBER
    assert len(list(response.context["messages"])) == 1


def test_an_unknown_action_is_not_found(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))
    membership = MembershipFactory(community=community)

    response = client.post(_action_url(membership, "promote-to-king"))

    assert response.status_code == 404
    membership.refresh_from_db()
    assert (membership.state, membership.role) == (State.ACTIVE, Role.MEMBER)


@pytest.mark.parametrize("action", ["approve", "decline", "remove", "role"])
def test_a_non_organiser_posting_a_membership_action_gets_404_and_changes_nothing(
    client, action
):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    client.force_login(member_of(community))
    target = MembershipFactory(
        community=community,
        state=State.ACTIVE if action in ("remove", "role") else State.REQUESTED,
    )
    before = (target.state, target.role)

    response = client.post(_action_url(target, action), {"role": Role.ORGANISER})

    assert response.status_code == 404
    target.refresh_from_db()
    assert (target.state, target.role) == before


def test_an_organiser_of_another_community_gets_404(client):
    community = CommunityFactory()
    client.force_login(organiser_of(CommunityFactory()))
    target = MembershipFactory(community=community)

    response = client.post(_action_url(target, "remove"))

    assert response.status_code == 404
    target.refresh_from_db()
    assert target.state == State.ACTIVE


def test_organisers_see_pending_requests_on_the_member_page(client):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    client.force_login(organiser_of(community))
    request = MembershipFactory(community=community, state=State.REQUESTED)

    response = client.get(_members_url(community))

    assert _action_url(request, "approve") in response.text


def test_members_do_not_see_pending_requests(client):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    client.force_login(member_of(community))
    request = MembershipFactory(community=community, state=State.REQUESTED)

    response = client.get(_members_url(community))

    assert _action_url(request, "approve") not in response.text
    assert request.user.public_name not in response.text


def test_the_member_list_of_a_members_only_community_is_hidden_from_strangers(client):
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    hidden = member_of(community)
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    assert response.status_code == 403
    assert hidden.public_name not in response.text


def test_a_visitor_sees_how_many_members_a_public_community_has_but_not_who(client):
    community = CommunityFactory()
    members = [member_of(community) for _ in range(3)]

    response = client.get(_members_url(community))

    assert response.status_code == 200
    assert response.context["members_count"] == 3
    assert all(m.public_name not in response.text for m in members)


def test_a_logged_in_stranger_sees_only_the_count_of_a_public_community(client):
    community = CommunityFactory()
    members = [member_of(community) for _ in range(2)]
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    assert response.status_code == 200
    assert response.context["members_count"] == 2
    assert all(m.public_name not in response.text for m in members)


def test_a_member_sees_who_else_is_a_member(client):
    community = CommunityFactory()
    neighbour = member_of(community)
    client.force_login(member_of(community))

    response = client.get(_members_url(community))

    assert neighbour.public_name in response.text


def test_the_member_page_query_count_does_not_grow_with_members(
    client, django_assert_num_queries
):
    community = CommunityFactory(join_policy=Policy.APPROVAL)
    client.force_login(organiser_of(community))
    MembershipFactory.create_batch(25, community=community)
    MembershipFactory.create_batch(5, community=community, state=State.REQUESTED)

    # One more than before names became members-only: whether the viewer is an
    # active member is asked before the list; two more for the invitations sent
    # (their selector's manager check and the invitations themselves); two more
    # for how the members stand with moderation (vouches, strikes).
    with django_assert_num_queries(17 + session_queries()):
        response = client.get(_members_url(community))

    assert response.status_code == 200


# --- invitations


def test_an_organiser_invites_by_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    community = CommunityFactory()
    client.force_login(organiser_of(community))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("communities:invite", args=[community.slug]),
            {"email": "ny@example.org", "role": Role.MEMBER},
        )

    assert response.status_code == 302
    assert Invitation.objects.get(community=community).email == "ny@example.org"
    assert [m.to for m in mailoutbox] == [["ny@example.org"]]


def test_an_organiser_makes_a_shareable_link(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))

    response = client.post(
        reverse("communities:invite", args=[community.slug]),
        {"email": "", "role": Role.MEMBER, "max_uses": "15"},
    )

    invitation = Invitation.objects.get(community=community)
    assert response.status_code == 200
    assert invitation.max_uses == 15
    assert invitation.get_absolute_url() in response.text


def test_a_failed_invite_form_keeps_what_was_typed(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))

    response = client.post(
        reverse("communities:invite", args=[community.slug]),
        {"email": "", "role": Role.ORGANISER, "max_uses": "7"},
    )

    assert response.status_code == 200
    assert not Invitation.objects.exists()
    assert 'value="7"' in response.text
    assert f'value="{Role.ORGANISER}" selected' in response.text
    assert 'role="alert"' in response.text


def test_an_invalid_email_is_shown_next_to_the_field(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))

    response = client.post(
        reverse("communities:invite", args=[community.slug]),
        {"email": "not-an-address", "role": Role.MEMBER},
    )

    assert response.status_code == 200
    assert 'value="not-an-address"' in response.text
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()


def test_a_member_cannot_open_the_invite_page(client):
    community = CommunityFactory()
    client.force_login(member_of(community))

    response = client.post(
        reverse("communities:invite", args=[community.slug]),
        {"email": "x@example.org", "role": Role.MEMBER},
    )

    assert response.status_code == 404
    assert not Invitation.objects.exists()


def _invitation(community, **kwargs) -> Invitation:
    from communities import services

    return services.invitation_create(
        actor=organiser_of(community), community=community, **kwargs
    )


def test_an_invitation_page_shows_the_community(client):
    community = CommunityFactory(name="Havrum Borgerforening")
    invitation = _invitation(community)

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 200
    assert "Havrum Borgerforening" in response.text


def test_accepting_an_invitation_by_post_makes_a_member(client):
    community = CommunityFactory(join_policy=Policy.INVITATION)
    user = UserFactory()
    invitation = _invitation(community, email=user.email)
    client.force_login(user)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 302
    assert _state(user, community) == State.ACTIVE


def test_accepting_an_invitation_needs_a_login(client):
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitation = _invitation(community)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert invitation.get_absolute_url() in response["Location"]


def test_someone_elses_invitation_is_refused_with_a_message(client):
    community = CommunityFactory(join_policy=Policy.INVITATION)
    invitation = _invitation(community, email="karen@example.org")
    intruder = UserFactory()
    client.force_login(intruder)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 200
    assert _state(intruder, community) is None
    assert len(list(response.context["messages"])) == 1


def test_an_unknown_invitation_is_not_found(client):
    response = client.get(
        reverse("communities:invitation", kwargs={"token": "no-such-token"})
    )

    assert response.status_code == 404


def test_an_invited_person_declines_from_my_communities(client):
    community = CommunityFactory(join_policy=Policy.INVITATION)
    user = UserFactory()
    _invitation(community, email=user.email)
    client.force_login(user)

    response = client.post(reverse("communities:decline", args=[community.slug]))

    assert response["Location"] == reverse("communities:mine")
    assert _state(user, community) == State.DECLINED


# --- my communities


def test_my_communities_lists_memberships_invitations_and_requests(client):
    user = UserFactory()
    MembershipFactory(user=user, community=CommunityFactory(name="Skovby"))
    MembershipFactory(
        user=user, community=CommunityFactory(name="Spejderne"), state=State.INVITED
    )
    MembershipFactory(
        user=user, community=CommunityFactory(name="Seniorklub"), state=State.REQUESTED
    )
    MembershipFactory(
        user=user, community=CommunityFactory(name="Gammel Klub"), state=State.LEFT
    )
    client.force_login(user)

    response = client.get(reverse("communities:mine"))

    assert [m.community.name for m in response.context["active"]] == ["Skovby"]
    assert [m.community.name for m in response.context["invited"]] == ["Spejderne"]
    assert [m.community.name for m in response.context["requested"]] == ["Seniorklub"]
    assert "Gammel Klub" not in response.text


def test_my_communities_needs_a_login(client):
    response = client.get(reverse("communities:mine"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_my_communities_query_count_does_not_grow_with_memberships(
    client, django_assert_num_queries
):
    user = UserFactory()
    MembershipFactory.create_batch(10, user=user)
    client.force_login(user)

    with django_assert_num_queries(7 + session_queries()):
        response = client.get(reverse("communities:mine"))

    assert len(response.context["active"]) == 10


def test_an_invited_person_can_accept_on_a_hidden_member_page(client):
    community = CommunityFactory(
        visibility=Community.Visibility.MEMBERS, join_policy=Policy.INVITATION
    )
    invitee = MembershipFactory(community=community, state=State.INVITED).user
    client.force_login(invitee)

    response = client.get(_members_url(community))

    assert response.status_code == 403
    assert reverse("communities:join", args=[community.slug]) in response.text
