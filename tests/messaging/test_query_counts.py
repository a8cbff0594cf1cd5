"""Every messaging page makes a fixed number of queries: the same with one item as
with many, so an N+1 fails here. Counts are exact; a change to them is deliberate."""

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Reaction
from tests.factories import CommunityFactory, MembershipFactory
from tests.helpers import send, session_queries

pytestmark = pytest.mark.django_db

SIZES = [1, 6]


def _busy_channel(general, village, karen, size: int) -> None:
    """``size`` messages from as many neighbours, each with a reaction and a reply,
    one edited and one removed."""
    for n in range(size):
        neighbour = MembershipFactory(
            community=village, user__display_name=f"Nabo {n}"
        ).user
        message = send(neighbour, general, f"Hej {n}")
        services.reaction_toggle(
            actor=karen, message=message, emoji=Reaction.Emoji.values[0]
        )
        reply = send(karen, general, f"Svar {n}", reply_to_id=message.pk)
    services.message_edit(actor=karen, message=reply, body="Rettet")
    services.message_remove(actor=neighbour, message=message)


@pytest.mark.parametrize("size", SIZES)
def test_the_conversation_page_makes_the_same_queries_however_many_messages(
    client, karen, village, general, size, django_assert_num_queries
):
    _busy_channel(general, village, karen, size)
    client.force_login(karen)
    client.get(general.get_absolute_url())

    with django_assert_num_queries(21 + session_queries()):
        response = client.get(general.get_absolute_url())

    assert response.status_code == 200
    assert "Rettet" in response.text


@pytest.mark.parametrize("size", SIZES)
def test_the_inbox_makes_the_same_queries_however_many_conversations(
    client, karen, village, size, django_assert_num_queries
):
    for n in range(size):
        other = CommunityFactory()
        MembershipFactory(community=other, user=karen)
        send(karen, services.channel_ensure_general(community=other), f"hej {n}")
        neighbour = MembershipFactory(community=village).user
        send(neighbour, services.direct_start(actor=karen, others=[neighbour]), "hej")
    client.force_login(karen)

    with django_assert_num_queries(11 + session_queries()):
        response = client.get(reverse("messaging:inbox"))

    assert response.status_code == 200
    assert len(response.context["channels"]) == size
    assert len(response.context["others"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_the_channels_page_makes_the_same_queries_however_many_channels(
    client, village, organiser, size, django_assert_num_queries
):
    services.channel_ensure_general(community=village)
    for n in range(size):
        channel = services.channel_create(
            actor=organiser, community=village, title=f"Kanal {n}"
        )
        send(organiser, channel, f"hej {n}")
    client.force_login(organiser)

    with django_assert_num_queries(13 + session_queries()):
        response = client.get(reverse("messaging:channels", args=[village.slug]))

    assert response.status_code == 200
