import pytest

from hub.limits import LIMITS
from messaging import services
from messaging.models import Message
from tests.factories import CommunityFactory, MembershipFactory
from tests.helpers import send, session_queries

API = "/api/messaging"


@pytest.fixture
def api(client, karen):
    client.force_login(karen)
    return client


def post_message(api, conversation, body="Hej", client_id="c-1", **extra):
    return api.post(
        f"{API}/conversations/{conversation.pk}/messages",
        {"body": body, "client_id": client_id, **extra},
        content_type="application/json",
    )


def test_posting_a_message_answers_201_and_a_replay_200_with_the_same_message(
    api, general
):
    first = post_message(api, general)

    replay = post_message(api, general)

    assert first.status_code == 201
    assert replay.status_code == 200
    assert replay.json()["id"] == first.json()["id"]
    assert Message.objects.count() == 1


def test_catch_up_returns_everything_after_a_sequence_number(api, lars, general):
    first = send(lars, general, "en")
    second = send(lars, general, "to")
    services.message_edit(actor=lars, message=first, body="en (rettet)")

    response = api.get(
        f"{API}/conversations/{general.pk}/messages", {"after": first.seq}
    )

    body = response.json()
    assert [m["id"] for m in body["messages"]] == [second.pk, first.pk]
    assert body["messages"][1]["body"] == "en (rettet)"
    assert body["messages"][1]["edited"] is True
    assert body["last_seq"] == body["messages"][-1]["seq"]


def test_catch_up_includes_removals_without_their_text(api, lars, general):
    message = send(lars, general, "hemmeligt")
    services.message_remove(actor=lars, message=message)

    response = api.get(f"{API}/conversations/{general.pk}/messages")

    (payload,) = response.json()["messages"]
    assert payload["removed"] is True
    assert payload["body"] == ""


def test_outsider_cannot_read_or_post(client, outsider, general):
    client.force_login(outsider)

    read = client.get(f"{API}/conversations/{general.pk}/messages")
    write = post_message(client, general)

    assert (read.status_code, write.status_code) == (404, 404)


def test_anonymous_requests_are_refused(client, general):
    response = client.get(f"{API}/conversations")

    assert response.status_code == 401


def test_edit_delete_and_react_through_the_api(api, karen, general):
    message_id = post_message(api, general).json()["id"]

    edited = api.patch(
        f"{API}/messages/{message_id}",
        {"body": "Hej!"},
        content_type="application/json",
    )
    reacted = api.post(
        f"{API}/messages/{message_id}/reactions",
        {"emoji": "👍"},
        content_type="application/json",
    )
    removed = api.delete(f"{API}/messages/{message_id}")

    assert edited.json()["body"] == "Hej!"
    assert reacted.json()["reactions"] == [
        {"emoji": "👍", "count": 1, "user_ids": [karen.pk]}
    ]
    assert removed.json()["removed"] is True


def test_editing_someone_elses_message_is_forbidden(api, lars, general):
    message = send(lars, general, "Mit")

    response = api.patch(
        f"{API}/messages/{message.pk}", {"body": "Dit"}, content_type="application/json"
    )

    assert response.status_code == 403
    message.refresh_from_db()
    assert message.body == "Mit"


def test_too_many_posts_answer_429(api, general, frozen_window):
    for n in range(LIMITS["message-send"].count):
        post_message(api, general, client_id=f"n-{n}")

    response = post_message(api, general, client_id="one-too-many")

    assert response.status_code == 429
    assert not Message.objects.filter(client_id="one-too-many").exists()


def test_mark_read_clears_the_unread_count(api, lars, general):
    send(lars, general, "en")
    send(lars, general, "to")

    api.post(
        f"{API}/conversations/{general.pk}/read", {}, content_type="application/json"
    )
    listing = api.get(f"{API}/conversations").json()

    assert [c["unread"] for c in listing if c["id"] == general.pk] == [0]


def test_conversation_list_query_count_does_not_grow(
    api, karen, django_assert_num_queries
):
    for n in range(8):
        community = CommunityFactory()
        MembershipFactory(community=community, user=karen)
        channel = services.channel_ensure_general(community=community)
        other = MembershipFactory(community=community).user
        send(other, channel, f"hej {n}")
        send(karen, services.direct_start(actor=karen, others=[other]), "hej")

    with django_assert_num_queries(6 + session_queries()):
        response = api.get(f"{API}/conversations")

    assert response.status_code == 200
    assert len(response.json()) == 16
    assert sum(c["unread"] for c in response.json()) == 8


def test_schema_lists_the_messaging_endpoints(client):
    schema = client.get("/api/openapi.json").json()

    assert "/api/messaging/conversations/{pk}/messages" in schema["paths"]


def test_removed_member_can_neither_read_nor_post_in_a_restricted_channel(
    api, karen, organiser, village
):
    from communities.models import Membership
    from communities.services import membership_remove

    channel = services.channel_create(
        actor=organiser, community=village, title="Bestyrelsen", is_restricted=True
    )
    services.participant_add(actor=organiser, conversation=channel, user=karen)
    send(organiser, channel, "Dagsorden")
    membership_remove(
        actor=organiser,
        membership=Membership.objects.get(user=karen, community=village),
    )

    read = api.get(f"{API}/conversations/{channel.pk}/messages")
    write = post_message(api, channel, client_id="after-removal")
    listing = api.get(f"{API}/conversations").json()

    assert (read.status_code, write.status_code) == (404, 404)
    assert channel.pk not in [c["id"] for c in listing]
    assert Message.objects.filter(conversation=channel).count() == 1
