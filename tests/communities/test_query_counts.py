"""Every community page makes a fixed number of queries: the same with one member
as with many, so an N+1 fails here. Counts are exact; a change to them is
deliberate."""

import pytest
from django.urls import reverse

from communities.models import Community, Membership
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    member_of,
    organiser_of,
)
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db

SIZES = [1, 10]
State = Membership.State


def _members_url(community) -> str:
    return reverse("communities:members", args=[community.slug])


def _community_of(size: int) -> Community:
    community = CommunityFactory(join_policy=Community.JoinPolicy.APPROVAL)
    MembershipFactory.create_batch(size, community=community)
    MembershipFactory.create_batch(size, community=community, state=State.REQUESTED)
    return community


@pytest.mark.parametrize("size", SIZES)
def test_the_member_page_makes_the_same_queries_for_an_organiser_however_many(
    client, size, django_assert_num_queries
):
    community = _community_of(size)
    client.force_login(organiser_of(community))

    # Four more than a member's: the invitations sent, which only organisers see,
    # the selector's own check that the viewer may manage the members, and how
    # the members stand with moderation (vouches, strikes).
    with django_assert_num_queries(17 + session_queries()):
        response = client.get(_members_url(community))

    assert len(response.context["members"]) == size + 1


@pytest.mark.parametrize("size", SIZES)
def test_the_member_page_makes_the_same_queries_for_a_member_however_many(
    client, size, django_assert_num_queries
):
    community = _community_of(size)
    client.force_login(member_of(community))

    with django_assert_num_queries(13 + session_queries()):
        response = client.get(_members_url(community))

    assert len(response.context["members"]) == size + 1


@pytest.mark.parametrize("size", SIZES)
def test_the_member_page_makes_the_same_queries_for_a_visitor_however_many(
    client, size, django_assert_num_queries
):
    community = _community_of(size)

    with django_assert_num_queries(2):
        response = client.get(_members_url(community))

    assert response.status_code == 200


def test_the_community_address_sends_to_its_member_page_in_one_query(
    client, django_assert_num_queries
):
    community = CommunityFactory()

    with django_assert_num_queries(2):
        response = client.get(reverse("communities:detail", args=[community.slug]))

    assert response["Location"] == _members_url(community)


@pytest.mark.parametrize("size", SIZES)
def test_my_communities_makes_the_same_queries_however_many_memberships(
    client, size, django_assert_num_queries
):
    user = UserFactory()
    MembershipFactory.create_batch(size, user=user)
    MembershipFactory.create_batch(size, user=user, state=State.INVITED)
    client.force_login(user)

    with django_assert_num_queries(7 + session_queries()):
        response = client.get(reverse("communities:mine"))

    assert len(response.context["active"]) == size
    assert len(response.context["invited"]) == size
