"""Several Daphne processes sharing the real Redis and PostgreSQL."""

import asyncio

import pytest

from messaging import services
from tests.conftest import requires_postgres, requires_redis
from tests.factories import CommunityFactory, MembershipFactory
from tests.messaging.live_servers import (
    DaphneServer,
    catch_up,
    next_event,
    open_socket,
    post_message,
    session_of,
)

pytestmark = [
    requires_redis(),
    requires_postgres(),
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(transactional_db):
    village = CommunityFactory(name="Skovby", slug="skovby-mp")
    karen = MembershipFactory(community=village, user__display_name="Karen").user
    lars = MembershipFactory(community=village, user__display_name="Lars").user
    general = services.channel_ensure_general(community=village)
    return {
        "general": general,
        "karen": session_of(karen),
        "lars": session_of(lars),
    }


@pytest.fixture
def servers(world):
    started = []

    def start(**kwargs) -> DaphneServer:
        started.append(DaphneServer(**kwargs))
        return started[-1]

    yield start
    for server in started:
        server.stop()


async def test_message_posted_through_one_process_reaches_a_socket_on_another(
    world, servers
):
    first, second = servers(), servers()
    ws = await open_socket(second, world["lars"])

    response = await asyncio.to_thread(
        post_message, first, world["karen"], world["general"].pk, "Hej fra A"
    )
    event = await next_event(ws, "message.new")

    assert response.status_code == 201
    assert event["message"]["body"] == "Hej fra A"
    await ws.close()


async def test_socket_idle_for_a_minute_still_receives_the_next_message(world, servers):
    server = servers()
    ws = await open_socket(server, world["lars"])

    await asyncio.sleep(61)
    await asyncio.to_thread(
        post_message, server, world["karen"], world["general"].pk, "Efter et minut"
    )
    event = await next_event(ws, "message.new")

    assert event["message"]["body"] == "Efter et minut"
    await ws.close()


async def test_message_posted_during_a_layer_outage_is_saved_and_caught_up(
    world, servers
):
    healthy = servers()
    outage = servers(settings_module="tests.messaging.settings_dead_layer")
    conversation_id = world["general"].pk
    ws = await open_socket(healthy, world["lars"])
    seen = (
        await asyncio.to_thread(catch_up, healthy, world["lars"], conversation_id, 0)
    )["last_seq"]

    response = await asyncio.to_thread(
        post_message, outage, world["karen"], conversation_id, "Under nedbruddet"
    )
    with pytest.raises(TimeoutError):
        await next_event(ws, "message.new", within_s=1.5)
    await ws.close()
    ws = await open_socket(healthy, world["lars"])
    caught_up = await asyncio.to_thread(
        catch_up, healthy, world["lars"], conversation_id, seen
    )
    await asyncio.to_thread(
        post_message, healthy, world["karen"], conversation_id, "Efter nedbruddet"
    )
    live = await next_event(ws, "message.new")

    assert response.status_code == 201
    assert [m["body"] for m in caught_up["messages"]] == ["Under nedbruddet"]
    assert live["message"]["body"] == "Efter nedbruddet"
    await ws.close()
