import pytest
from django.contrib.auth.models import AnonymousUser

from communities import selectors
from communities.models import Community, Membership
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    member_of,
    organiser_of,
)

pytestmark = pytest.mark.django_db

State = Membership.State
MEMBERS_ONLY = Community.Visibility.MEMBERS


def test_a_public_community_is_visible_to_everyone():
    community = CommunityFactory()

    assert selectors.can_view_community(user=AnonymousUser(), community=community)
    assert selectors.can_view_community(user=UserFactory(), community=community)


def test_a_members_only_community_is_hidden_from_strangers():
    community = CommunityFactory(visibility=MEMBERS_ONLY)

    assert not selectors.can_view_community(user=AnonymousUser(), community=community)
    assert not selectors.can_view_community(user=UserFactory(), community=community)


def test_a_members_only_community_is_visible_to_its_members_and_to_staff(staff):
    community = CommunityFactory(visibility=MEMBERS_ONLY)
    member = member_of(community)

    assert selectors.can_view_community(user=member, community=community)
    assert selectors.can_view_community(user=staff, community=community)


@pytest.mark.parametrize("state", [State.REQUESTED, State.INVITED, State.REMOVED])
def test_a_members_only_community_is_hidden_from_people_who_are_not_active(state):
    community = CommunityFactory(visibility=MEMBERS_ONLY)
    person = MembershipFactory(community=community, state=state).user

    assert not selectors.can_view_community(user=person, community=community)


def test_communities_visible_to_lists_public_ones_and_the_users_own():
    public = CommunityFactory()
    mine = CommunityFactory(visibility=MEMBERS_ONLY)
    hidden = CommunityFactory(visibility=MEMBERS_ONLY)
    user = member_of(mine)

    visible = set(selectors.communities_visible_to(user))

    assert visible == {public, mine}
    assert hidden not in set(selectors.communities_visible_to(AnonymousUser()))


def test_communities_visible_to_lists_each_community_once():
    community = CommunityFactory(visibility=MEMBERS_ONLY)
    user = member_of(community)
    MembershipFactory.create_batch(3, community=community)

    assert list(selectors.communities_visible_to(user)) == [community]


def test_the_member_list_of_a_members_only_community_is_hidden_from_strangers():
    community = CommunityFactory(visibility=MEMBERS_ONLY)
    MembershipFactory.create_batch(2, community=community)

    members = selectors.community_members(viewer=UserFactory(), community=community)

    assert list(members) == []


def test_the_member_list_shows_active_members_only():
    community = CommunityFactory(visibility=MEMBERS_ONLY)
    viewer = member_of(community)
    other = member_of(community)
    MembershipFactory(community=community, state=State.REQUESTED)
    MembershipFactory(community=community, state=State.REMOVED)

    members = selectors.community_members(viewer=viewer, community=community)

    assert {m.user for m in members} == {viewer, other}


def test_the_member_list_of_a_public_community_is_hidden_from_visitors_and_strangers():
    community = CommunityFactory()
    member_of(community)
    left = member_of(community, state=State.LEFT)
    organiser_elsewhere = organiser_of(CommunityFactory())

    seen = [
        list(selectors.community_members(viewer=viewer, community=community))
        for viewer in (AnonymousUser(), UserFactory(), left, organiser_elsewhere)
    ]

    assert seen == [[], [], [], []]


def test_the_member_list_of_a_public_community_is_shown_to_members_and_staff(staff):
    community = CommunityFactory()
    member = member_of(community)
    organiser = organiser_of(community)

    seen = [
        {m.user for m in selectors.community_members(viewer=v, community=community)}
        for v in (member, organiser, staff)
    ]

    assert seen == [{member, organiser}] * 3


def test_anyone_may_count_the_members_of_a_public_community():
    community = CommunityFactory()
    MembershipFactory.create_batch(2, community=community)
    MembershipFactory(community=community, state=State.REQUESTED)

    count = selectors.community_member_count(
        viewer=AnonymousUser(), community=community
    )

    assert count == 2


def test_strangers_may_not_count_the_members_of_a_members_only_community():
    community = CommunityFactory(visibility=MEMBERS_ONLY)
    MembershipFactory.create_batch(2, community=community)

    count = selectors.community_member_count(viewer=UserFactory(), community=community)

    assert count == 0


def test_pending_requests_are_visible_to_organisers():
    community = CommunityFactory(join_policy=Community.JoinPolicy.APPROVAL)
    organiser = organiser_of(community)
    request = MembershipFactory(community=community, state=State.REQUESTED)

    requests = selectors.pending_requests(viewer=organiser, community=community)

    assert list(requests) == [request]


def test_pending_requests_are_visible_to_municipal_staff(staff):
    community = CommunityFactory(join_policy=Community.JoinPolicy.APPROVAL)
    request = MembershipFactory(community=community, state=State.REQUESTED)

    assert list(selectors.pending_requests(viewer=staff, community=community)) == [
        request
    ]


def test_pending_requests_are_hidden_from_members_and_other_organisers():
    community = CommunityFactory(join_policy=Community.JoinPolicy.APPROVAL)
    MembershipFactory(community=community, state=State.REQUESTED)
    member = member_of(community)
    other_organiser = organiser_of(CommunityFactory())

    for viewer in (member, other_organiser, AnonymousUser()):
        assert (
            list(selectors.pending_requests(viewer=viewer, community=community)) == []
        )


def test_an_organiser_may_manage_members_only_of_their_own_community():
    community = CommunityFactory()
    organiser = organiser_of(community)

    assert selectors.can_manage_members(user=organiser, community=community)
    assert not selectors.can_manage_members(
        user=organiser, community=CommunityFactory()
    )


def test_an_organiser_who_left_no_longer_manages_members():
    community = CommunityFactory()
    former = MembershipFactory(
        community=community, role=Membership.Role.ORGANISER, state=State.LEFT
    ).user

    assert not selectors.can_manage_members(user=former, community=community)


def test_municipal_staff_are_recognised_by_their_permission(staff):
    assert selectors.is_municipal_staff(staff)
    assert not selectors.is_municipal_staff(UserFactory(is_staff=True))
    assert not selectors.is_municipal_staff(AnonymousUser())


def test_user_memberships_lists_current_ones_by_community_name():
    user = UserFactory()
    b = MembershipFactory(user=user, community=CommunityFactory(name="Bøgely"))
    a = MembershipFactory(
        user=user, community=CommunityFactory(name="Ahorn"), state=State.INVITED
    )
    MembershipFactory(user=user, state=State.LEFT)
    MembershipFactory(user=user, state=State.REMOVED)

    assert list(selectors.user_memberships(user)) == [a, b]


def test_active_community_ids_are_those_the_user_is_active_in():
    user = UserFactory()
    active = MembershipFactory(user=user).community
    MembershipFactory(user=user, state=State.REQUESTED)

    assert selectors.active_community_ids(user) == {active.pk}
    assert selectors.active_community_ids(AnonymousUser()) == set()
