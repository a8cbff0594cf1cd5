"""House rules: organisers write them, a new member accepts them on joining
(through the join button or an invitation), and anyone who may see the community
reads them on its house rules page."""

import pytest
from django.urls import reverse
from django.utils import translation

from communities import services
from communities.models import HOUSE_RULES_MAX_LENGTH, Community, Invitation, Membership
from hub.errors import NotPermitted
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
Policy = Community.JoinPolicy
RULES = "Vær venlig.\n\nIngen reklamer i kanalerne."


def _with_rules(**kwargs) -> Community:
    return CommunityFactory(**{"house_rules": RULES, **kwargs})


def _membership(user, community) -> Membership | None:
    return Membership.objects.filter(user=user, community=community).first()


def _rules_url(community) -> str:
    return reverse("communities:rules", args=[community.slug])


def _members_url(community) -> str:
    return reverse("communities:members", args=[community.slug])


def _join_url(community) -> str:
    return reverse("communities:join", args=[community.slug])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- joining


@pytest.mark.parametrize("policy", [Policy.OPEN, Policy.APPROVAL])
def test_joining_a_community_with_house_rules_without_accepting_is_refused(policy):
    community = _with_rules(join_policy=policy)
    user = UserFactory()

    with pytest.raises(services.MembershipError) as refused:
        services.membership_join(user=user, community=community)

    assert refused.value.field == "accept_rules"
    with translation.override("en"):
        assert str(refused.value.message) == "Read and accept the house rules to join."
    assert not Membership.objects.filter(community=community).exists()


def test_a_refused_rejoin_leaves_the_old_membership_as_it_was():
    community = _with_rules()
    membership = MembershipFactory(community=community, state=State.LEFT)

    with pytest.raises(services.MembershipError):
        services.membership_join(user=membership.user, community=community)

    membership.refresh_from_db()
    assert membership.state == State.LEFT
    assert membership.rules_accepted_at is None


@pytest.mark.parametrize(
    ("policy", "state"),
    [(Policy.OPEN, State.ACTIVE), (Policy.APPROVAL, State.REQUESTED)],
)
def test_accepting_the_house_rules_on_joining_records_when(policy, state):
    community = _with_rules(join_policy=policy)

    membership = services.membership_join(
        user=UserFactory(), community=community, accepts_rules=True
    )

    assert membership.state == state
    membership.refresh_from_db()
    assert membership.rules_accepted_at is not None


def test_a_community_without_house_rules_is_joined_without_accepting_anything():
    community = CommunityFactory()

    membership = services.membership_join(user=UserFactory(), community=community)

    assert membership.state == State.ACTIVE
    assert membership.rules_accepted_at is None


def test_a_member_is_not_asked_to_accept_rules_written_after_joining():
    community = CommunityFactory()
    member = member_of(community)
    community.house_rules = RULES
    community.save()

    membership = services.membership_join(user=member, community=community)

    assert membership.state == State.ACTIVE
    assert membership.rules_accepted_at is None


def _invite(community, **kwargs) -> Invitation:
    return services.invitation_create(
        actor=organiser_of(community), community=community, **kwargs
    )


def test_accepting_an_invitation_without_the_house_rules_is_refused_and_uses_nothing():
    community = _with_rules(join_policy=Policy.INVITATION)
    user = UserFactory()
    invitation = _invite(community, email=user.email)

    with pytest.raises(services.MembershipError) as refused:
        services.invitation_accept(user=user, token=invitation.token)

    assert refused.value.field == "accept_rules"
    invitation.refresh_from_db()
    assert invitation.uses == 0
    assert _membership(user, community).state == State.INVITED


def test_accepting_an_invitation_and_the_house_rules_records_when():
    community = _with_rules(join_policy=Policy.INVITATION)
    user = UserFactory()
    invitation = _invite(community, email=user.email)

    membership = services.invitation_accept(
        user=user, token=invitation.token, accepts_rules=True
    )

    assert membership.state == State.ACTIVE
    membership.refresh_from_db()
    assert membership.rules_accepted_at is not None


def test_the_join_button_of_an_invited_person_asks_for_the_house_rules_too():
    community = _with_rules(join_policy=Policy.INVITATION)
    user = UserFactory()
    _invite(community, email=user.email)

    with pytest.raises(services.MembershipError):
        services.membership_join(user=user, community=community)
    membership = services.membership_join(
        user=user, community=community, accepts_rules=True
    )

    assert membership.state == State.ACTIVE
    assert membership.rules_accepted_at is not None


# --- writing them


def test_an_organiser_writes_the_house_rules():
    community = CommunityFactory()

    services.community_house_rules_update(
        actor=organiser_of(community), community=community, text=f"  {RULES}\n"
    )

    community.refresh_from_db()
    assert community.house_rules == RULES
    assert community.house_rules_updated_at is not None


def test_municipal_staff_write_any_communitys_house_rules(staff):
    community = CommunityFactory()

    services.community_house_rules_update(actor=staff, community=community, text=RULES)

    community.refresh_from_db()
    assert community.house_rules == RULES


def test_a_member_cannot_write_the_house_rules():
    community = _with_rules()

    with pytest.raises(NotPermitted):
        services.community_house_rules_update(
            actor=member_of(community), community=community, text="Alt er tilladt."
        )

    community.refresh_from_db()
    assert community.house_rules == RULES
    assert community.house_rules_updated_at is None


def test_house_rules_longer_than_the_limit_are_refused_beside_the_field():
    community = _with_rules()

    with pytest.raises(services.MembershipError) as refused:
        services.community_house_rules_update(
            actor=organiser_of(community),
            community=community,
            text="x" * (HOUSE_RULES_MAX_LENGTH + 1),
        )

    assert refused.value.field == "house_rules"
    community.refresh_from_db()
    assert community.house_rules == RULES


def test_a_line_break_counts_as_one_character_as_in_the_browser():
    community = CommunityFactory()
    text = "x\r\n" * (HOUSE_RULES_MAX_LENGTH // 2 - 1) + "x"

    services.community_house_rules_update(
        actor=organiser_of(community), community=community, text=text
    )

    community.refresh_from_db()
    assert len(community.house_rules) == HOUSE_RULES_MAX_LENGTH - 1
    assert "\r" not in community.house_rules


# --- the join button


def test_the_join_button_shows_the_house_rules_and_a_required_checkbox(client):
    community = _with_rules(house_rules="Ingen <b>reklamer</b>.")
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    assert "<p>Ingen &lt;b&gt;reklamer&lt;/b&gt;.</p>" in response.text
    assert (
        '<input class="ds-input" type="checkbox" id="join-accept-rules" '
        'name="accept_rules" required>'
    ) in response.text
    assert '<label class="ds-label" for="join-accept-rules">' in response.text


def test_a_request_to_join_carries_the_message_and_the_acceptance_together(client):
    community = _with_rules(join_policy=Policy.APPROVAL)
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    form = response.text.split(f'action="{_join_url(community)}"', 1)[1]
    form = form.split("</form>", 1)[0]
    assert 'name="message"' in form
    assert 'name="accept_rules"' in form
    assert "kanalerne" in form


def test_the_join_button_of_a_community_without_rules_asks_for_no_acceptance(client):
    community = CommunityFactory()
    client.force_login(UserFactory())

    response = client.get(_members_url(community))

    assert _join_url(community) in response.text
    assert 'name="accept_rules"' not in response.text


def test_joining_by_post_without_accepting_is_explained_and_changes_nothing(client):
    community = _with_rules()
    user = UserFactory()
    client.force_login(user)

    response = client.post(_join_url(community), follow=True)

    assert response.redirect_chain[0][0] == reverse(
        "communities:detail", args=[community.slug]
    )
    with translation.override("da"):  # the page's language
        expected = translation.gettext("Read and accept the house rules to join.")
    assert expected in _messages(response)
    assert _membership(user, community) is None


def test_joining_by_post_with_the_rules_accepted_makes_a_member(client):
    community = _with_rules()
    user = UserFactory()
    client.force_login(user)

    response = client.post(_join_url(community), {"accept_rules": "on"})

    assert response.status_code == 302
    membership = _membership(user, community)
    assert membership.state == State.ACTIVE
    assert membership.rules_accepted_at is not None


# --- the invitation page


def test_the_invitation_page_shows_the_house_rules_and_asks_to_accept_them(client):
    community = _with_rules(join_policy=Policy.INVITATION)
    user = UserFactory()
    invitation = _invite(community, email=user.email)
    client.force_login(user)

    response = client.get(invitation.get_absolute_url())

    assert "<p>Ingen reklamer i kanalerne.</p>" in response.text
    assert 'name="accept_rules"' in response.text
    assert response.context["form"].fields["accept_rules"].required


def test_accepting_an_invitation_without_the_rules_shows_why_and_changes_nothing(
    client,
):
    community = _with_rules(join_policy=Policy.INVITATION)
    user = UserFactory()
    invitation = _invite(community, email=user.email)
    client.force_login(user)

    response = client.post(invitation.get_absolute_url())

    assert response.status_code == 200
    assert response.context["form"].errors["accept_rules"]
    assert _membership(user, community).state == State.INVITED
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_accepting_an_invitation_with_the_rules_accepted_makes_a_member(client):
    community = _with_rules(join_policy=Policy.INVITATION)
    user = UserFactory()
    invitation = _invite(community, email=user.email)
    client.force_login(user)

    response = client.post(invitation.get_absolute_url(), {"accept_rules": "on"})

    assert response.status_code == 302
    membership = _membership(user, community)
    assert membership.state == State.ACTIVE
    assert membership.rules_accepted_at is not None


def test_the_invitation_page_of_a_community_without_rules_asks_for_no_acceptance(
    client,
):
    community = CommunityFactory(join_policy=Policy.INVITATION)
    user = UserFactory()
    invitation = _invite(community, email=user.email)
    client.force_login(user)

    response = client.get(invitation.get_absolute_url())

    assert response.status_code == 200
    assert 'name="accept_rules"' not in response.text


# --- the house rules page


def test_the_house_rules_page_shows_the_rules_to_a_visitor(client):
    community = _with_rules(house_rules="Ingen <script>reklamer</script>.")

    response = client.get(_rules_url(community))

    assert response.status_code == 200
    assert "<p>Ingen &lt;script&gt;reklamer&lt;/script&gt;.</p>" in response.text
    assert response.context["form"] is None
    assert "<textarea" not in response.text
    assert reverse("cms:platform_page", args=["rules"]) in response.text


def test_the_house_rules_of_a_members_only_community_are_hidden_from_strangers(
    client,
):
    community = _with_rules(visibility=Community.Visibility.MEMBERS)
    client.force_login(UserFactory())

    response = client.get(_rules_url(community))

    assert response.status_code == 404
    assert "kanalerne" not in response.text


def test_an_organiser_sees_the_rules_in_an_edit_form(client):
    community = _with_rules()
    client.force_login(organiser_of(community))

    response = client.get(_rules_url(community))

    assert response.context["form"]["house_rules"].value() == RULES
    assert 'name="house_rules"' in response.text
    assert f'maxlength="{HOUSE_RULES_MAX_LENGTH}"' in response.text


def test_an_organiser_saves_the_house_rules_by_post(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))

    response = client.post(_rules_url(community), {"house_rules": RULES})

    assert response.status_code == 302
    assert response["Location"] == _rules_url(community)
    community.refresh_from_db()
    assert community.house_rules == RULES


@pytest.mark.parametrize("who", ["member", "stranger", "visitor"])
def test_only_organisers_and_staff_can_change_the_house_rules(client, who):
    community = _with_rules()
    if who == "member":
        client.force_login(member_of(community))
    elif who == "stranger":
        client.force_login(UserFactory())

    response = client.post(_rules_url(community), {"house_rules": "Alt er tilladt."})

    assert response.status_code == 404
    community.refresh_from_db()
    assert community.house_rules == RULES
    assert community.house_rules_updated_at is None


def test_a_failed_edit_of_the_house_rules_keeps_what_was_typed(client):
    community = _with_rules()
    client.force_login(organiser_of(community))
    typed = "Ny regel. " * 501  # 5010 characters, stripped to 5009

    response = client.post(_rules_url(community), {"house_rules": typed})

    assert response.status_code == 200
    assert response.context["form"].errors["house_rules"]
    assert typed.strip() in response.text
    assert 'aria-invalid="true"' in response.text
    community.refresh_from_db()
    assert community.house_rules == RULES


# --- the members page links to them


def test_an_organiser_finds_the_house_rules_next_to_inviting_people(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))

    response = client.get(_members_url(community))

    assert reverse("communities:invite", args=[community.slug]) in response.text
    assert _rules_url(community) in response.text


def test_a_member_sees_a_link_to_the_house_rules_only_when_there_are_some(client):
    with_rules = _with_rules()
    without = CommunityFactory()
    user = UserFactory()
    MembershipFactory(user=user, community=with_rules)
    MembershipFactory(user=user, community=without)
    client.force_login(user)

    shown = client.get(_members_url(with_rules))
    not_shown = client.get(_members_url(without))

    assert _rules_url(with_rules) in shown.text
    assert _rules_url(without) not in not_shown.text


# --- query counts


def test_the_house_rules_page_makes_a_fixed_number_of_queries_for_a_visitor(
    client, django_assert_num_queries
):
    community = _with_rules()

    with django_assert_num_queries(1):  # the community
        response = client.get(_rules_url(community))

    assert response.status_code == 200


def test_the_house_rules_page_makes_a_fixed_number_of_queries_for_an_organiser(
    client, django_assert_num_queries
):
    community = _with_rules()
    client.force_login(organiser_of(community))

    # The user, the community, the person's permissions (2, whether she is
    # municipal staff), whether she organises it, and the header (unseen alerts,
    # unread notifications, page-editing rights).
    with django_assert_num_queries(8 + session_queries()):
        response = client.get(_rules_url(community))

    assert response.status_code == 200
