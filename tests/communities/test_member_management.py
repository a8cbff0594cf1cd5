"""An organiser's member page: requests, invitations and members, and a
confirmation before anyone is removed."""

import pytest
from django.urls import reverse

from communities import services
from communities.models import Membership
from tests.factories import (
    CommunityFactory,
    MembershipFactory,
    UserFactory,
    member_of,
    organiser_of,
)

pytestmark = pytest.mark.django_db

State = Membership.State


def _members_url(community) -> str:
    return reverse("communities:members", kwargs={"slug": community.slug})


def _remove_url(membership) -> str:
    return reverse("communities:remove", kwargs={"pk": membership.pk})


def test_an_organiser_sees_requests_invitations_and_members_each_counted(client):
    community = CommunityFactory(name="Skovby")
    organiser = organiser_of(community)
    MembershipFactory(community=community, user=UserFactory(display_name="Bo"))
    MembershipFactory.create_batch(2, community=community, state=State.REQUESTED)
    services.invitation_create(
        actor=organiser, community=community, email="ny@example.org"
    )
    client.force_login(organiser)

    response = client.get(_members_url(community), headers={"Accept-Language": "en"})

    page = response.content.decode()
    assert len(response.context["requests"]) == 2
    assert [i.email for i in response.context["invitations"]] == ["ny@example.org"]
    assert 'id="requests-heading"' in page
    assert 'id="invitations-heading"' in page
    assert 'id="members-heading"' in page
    assert "ny@example.org" in page
    assert "2 members" in page


def test_a_member_sees_no_requests_or_invitations(client):
    community = CommunityFactory()
    organiser = organiser_of(community)
    MembershipFactory(community=community, state=State.REQUESTED)
    services.invitation_create(
        actor=organiser, community=community, email="ny@example.org"
    )
    client.force_login(member_of(community))

    response = client.get(_members_url(community))

    assert response.context["requests"] == []
    assert response.context["invitations"] == []
    assert "ny@example.org" not in response.content.decode()


def test_the_confirmation_asks_by_name_and_changes_nothing(client):
    community = CommunityFactory(name="Skovby")
    client.force_login(organiser_of(community))
    karen = MembershipFactory(
        community=community, user=UserFactory(display_name="Karen")
    )

    response = client.get(_remove_url(karen), headers={"Accept-Language": "en"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Remove Karen from Skovby?" in page
    assert f'<form method="post" action="{_remove_url(karen)}"' in page
    assert f'href="{_members_url(community)}"' in page
    karen.refresh_from_db()
    assert karen.state == State.ACTIVE


def test_posting_the_confirmation_removes_the_member(client):
    community = CommunityFactory()
    client.force_login(organiser_of(community))
    karen = MembershipFactory(community=community)

    response = client.post(_remove_url(karen))

    assert response.status_code == 302
    assert response["Location"] == _members_url(community)
    karen.refresh_from_db()
    assert karen.state == State.REMOVED


def test_a_member_who_posts_a_removal_is_refused_and_nothing_changes(client):
    community = CommunityFactory()
    client.force_login(member_of(community))
    karen = MembershipFactory(community=community)

    response = client.post(_remove_url(karen))

    assert response.status_code == 404
    karen.refresh_from_db()
    assert karen.state == State.ACTIVE
    assert karen.removed_at is None
