"""Pages answer 405, with an Allow header, to methods they do not handle."""

import pytest

from cms.models import PortalIndexPage
from messaging import services as messaging
from messaging.models import Message
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

UNHANDLED = ["PUT", "PATCH", "DELETE", "TRACE"]


@pytest.fixture
def world(hub, staff, client):
    from cms import services as cms

    portal = cms.portal_create(
        actor=staff,
        parent=PortalIndexPage.objects.child_of(hub).get(slug="villages"),
        slug="skovby",
        name="Skovby",
        kind="village",
    )
    community = portal.community
    karen = MembershipFactory(community=community, user__display_name="Karen").user
    general = messaging.channel_ensure_general(community=community)
    messaging.message_send(
        author=karen, conversation=general, body="Hej", client_id="methods-1"
    )
    client.force_login(karen)
    return {"portal": portal, "general": general}


def _pages(world) -> list[str]:
    return [
        "/",
        world["portal"].url,
        "/help/",
        "/communities/mine/",
        f"/communities/{world['portal'].community.slug}/members/",
        "/messages/",
        world["general"].get_absolute_url(),
        "/accounts/login/",
        "/accounts/password/change/",
        "/accounts/profile/",
        "/healthz",
    ]


@pytest.mark.parametrize("method", UNHANDLED)
def test_pages_answer_405_with_allow_to_methods_they_do_not_handle(
    client, world, method
):
    for path in _pages(world):
        response = client.generic(method, path)

        assert response.status_code == 405, path
        assert "GET" in response["Allow"], path
        assert method not in response["Allow"], path
    assert Message.objects.filter(body="Hej", removed_at=None).count() == 1


def test_pages_still_answer_get_and_head(client, world):
    for path in _pages(world):
        assert client.get(path).status_code in {200, 302}, path
        assert client.head(path).status_code in {200, 302}, path


def test_pages_answer_options_with_the_methods_they_take(client, world):
    response = client.options("/messages/")

    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert response.content == b""


def test_the_api_keeps_its_own_method_handling(client, world):
    url = f"/api/messaging/conversations/{world['general'].pk}/messages"

    response = client.delete(url)

    assert response.status_code == 405
