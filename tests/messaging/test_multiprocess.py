"""Several Daphne processes sharing the real Redis and PostgreSQL."""

import asyncio

import pytest

from messaging import services
from tests.factories import CommunityFactory, MembershipFactory
from tests.helpers import requires_postgres, requires_redis
from tests.messaging.live_servers import (
    DaphneServer,
    catch_up,
    get_page,
    next_event,
    open_socket,
    post_message,
    post_message_form,
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


async def test_messages_posted_during_a_redis_outage_are_saved_once_and_caught_up(
    world, servers
):
    healthy = servers()
    # Its cache, sessions' cache and channel layer point where no Redis answers.
    outage = servers(settings_module="tests.messaging.settings_dead_redis")
    conversation_id = world["general"].pk
    page = f"/messages/c/{conversation_id}/"
    ws = await open_socket(healthy, world["lars"])
    seen = (
        await asyncio.to_thread(catch_up, healthy, world["lars"], conversation_id, 0)
    )["last_seq"]

    api_posts = [
        await asyncio.to_thread(
            post_message,
            outage,
            world["karen"],
            conversation_id,
            "Under nedbruddet",
            "outage-api",
        )
        for _attempt in range(2)
    ]
    form_posts = [
        await asyncio.to_thread(
            post_message_form,
            outage,
            world["karen"],
            conversation_id,
            "Via formularen",
            "outage-form",
        )
        for _attempt in range(2)
    ]
    rendered = await asyncio.to_thread(get_page, outage, page, world["karen"])
    health = [
        await asyncio.to_thread(get_page, outage, "/healthz", session)
        for session in (None, world["karen"])
    ]
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

    assert [r.status_code for r in api_posts] == [201, 200]
    assert [r.status_code for r in form_posts] == [302, 302]
    assert rendered.status_code == 200
    assert "Via formularen" in rendered.text
    assert [r.status_code for r in health] == [503, 503]
    assert all("redis unreachable" in r.json()["cache"] for r in health)
    assert all("redis unreachable" in r.json()["channel_layer"] for r in health)
    assert [m["body"] for m in caught_up["messages"]] == [
        "Under nedbruddet",
        "Via formularen",
    ]
    assert live["message"]["body"] == "Efter nedbruddet"
    await ws.close()
