"""Real Daphne processes for the multi-process tests (not collected as tests)."""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from django.conf import settings
from django.db import connection
from django.test import Client

DAPHNE = str(Path(sys.executable).with_name("daphne"))
CSRF = "nabolagtestcsrfsecret00000000000"  # 32 characters: a valid CSRF secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url() -> str:
    """DATABASE_URL pointing at the test database this run created."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class DaphneServer:
    """``daphne -b 127.0.0.1 -p PORT hub.asgi:application`` in a subprocess."""

    def __init__(self, *, settings_module: str = "hub.settings.test") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws/"
        self.log = Path(settings.BASE_DIR) / "var" / f"daphne-test-{self.port}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": test_database_url(),
        }
        with self.log.open("w") as log:
            self.process = subprocess.Popen(  # noqa: S603 (fixed arguments)
                [
                    DAPHNE,
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "hub.asgi:application",
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=settings.BASE_DIR,
            )
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                # Any answer will do: during a simulated outage /healthz says 503.
                requests.get(f"{self.url}/healthz", timeout=1)
                return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Daphne did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.unlink(missing_ok=True)


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def post_message(
    server: DaphneServer,
    session: str,
    conversation_id: int,
    body: str,
    client_id: str | None = None,
):
    return requests.post(
        f"{server.url}/api/messaging/conversations/{conversation_id}/messages",
        json={"body": body, "client_id": client_id or f"{time.time_ns()}"},
        cookies={"sessionid": session, "csrftoken": CSRF},
        headers={"X-CSRFToken": CSRF},
        timeout=15,
    )


def post_message_form(
    server: DaphneServer, session: str, conversation_id: int, body: str, client_id: str
):
    """Post the conversation page's form, as a browser without JavaScript does."""
    return requests.post(
        f"{server.url}/messages/c/{conversation_id}/",
        data={"body": body, "client_id": client_id, "csrfmiddlewaretoken": CSRF},
        cookies={"sessionid": session, "csrftoken": CSRF},
        headers={"Referer": f"{server.url}/messages/c/{conversation_id}/"},
        allow_redirects=False,
        timeout=15,
    )


def get_page(server: DaphneServer, path: str, session: str | None = None):
    return requests.get(
        f"{server.url}{path}",
        cookies={"sessionid": session} if session else {},
        allow_redirects=False,
        timeout=15,
    )


def catch_up(server: DaphneServer, session: str, conversation_id: int, after: int):
    return requests.get(
        f"{server.url}/api/messaging/conversations/{conversation_id}/messages",
        params={"after": after},
        cookies={"sessionid": session},
        timeout=15,
    ).json()


async def open_socket(server: DaphneServer, session: str):
    """A connected live socket, past its first subscriptions frame."""
    import websockets

    ws = await websockets.connect(
        server.ws_url,
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={session}"},
    )
    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert hello["type"] == "subscriptions"
    return ws


async def next_event(ws, kind: str, within_s: float = 10) -> dict:
    async with asyncio.timeout(within_s):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame
