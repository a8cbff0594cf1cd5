"""hub.sockets: a live socket gets its session and user from the session cookie,
and its frames go straight to the server, through no session hook."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from hub.sockets import SocketAuthMiddlewareStack
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def _signed_in() -> tuple[object, str]:
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    return user, browser.cookies["sessionid"].value


async def _open(cookie: bytes | None) -> dict:
    """Run the stack around an app that records what it got and sends a frame."""
    seen: dict = {}

    async def app(scope, receive, send):
        seen["user"] = scope["user"]
        seen["session_key"] = scope["session"].session_key
        seen["send"] = send
        await send({"type": "websocket.send", "text": "hej"})

    sent: list[dict] = []

    async def server_send(message):
        sent.append(message)

    headers = [(b"cookie", cookie)] if cookie else []
    scope = {"type": "websocket", "path": "/ws/", "headers": headers}

    async def receive():  # pragma: no cover (the app never asks)
        raise AssertionError

    await SocketAuthMiddlewareStack(app)(scope, receive, server_send)
    return {**seen, "server_send": server_send, "sent": sent}


async def test_the_socket_gets_the_session_and_user_of_its_cookie():
    user, key = await _signed_in()

    seen = await _open(f"sessionid={key}".encode())

    assert seen["session_key"] == key
    assert await database_sync_to_async(lambda: seen["user"].pk)() == user.pk


async def test_frames_go_to_the_servers_own_send():
    _user, key = await _signed_in()

    seen = await _open(f"sessionid={key}".encode())

    assert seen["send"] is seen["server_send"]
    assert seen["sent"] == [{"type": "websocket.send", "text": "hej"}]


async def test_without_a_cookie_the_socket_is_anonymous():
    seen = await _open(None)

    assert seen["session_key"] is None
    assert not seen["user"].is_authenticated
