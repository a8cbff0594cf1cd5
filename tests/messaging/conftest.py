import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from communities.models import Membership
from messaging import services
from tests.factories import CommunityFactory, MembershipFactory, UserFactory


class RecordingLayer:
    """Stands in for the channel layer and records what would be sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group: str, message: dict) -> None:
        payload = json.loads(message["text"]) if "text" in message else message
        self.sent.append((group, payload))

    def events(self, group: str | None = None) -> list[dict]:
        return [p for g, p in self.sent if group is None or g == group]


class BrokenLayer:
    async def group_send(self, group: str, message: dict) -> None:
        raise ConnectionError("Redis is down")


@pytest.fixture
def layer(monkeypatch) -> RecordingLayer:
    recording = RecordingLayer()
    monkeypatch.setattr("messaging.events.get_channel_layer", lambda: recording)
    return recording


@pytest.fixture
def broken_layer(monkeypatch) -> BrokenLayer:
    broken = BrokenLayer()
    monkeypatch.setattr("messaging.events.get_channel_layer", lambda: broken)
    return broken


@pytest.fixture
def village(db):
    return CommunityFactory(name="Skovby", slug="skovby")


@pytest.fixture
def karen(village):
    user = UserFactory(display_name="Karen Jensen", email="karen@example.org")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def lars(village):
    user = UserFactory(display_name="Lars Holm", email="lars@example.org")
    MembershipFactory(community=village, user=user)
    return user


@pytest.fixture
def organiser(village):
    user = UserFactory(display_name="Olga Organiser")
    MembershipFactory(community=village, user=user, role=Membership.Role.ORGANISER)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(display_name="Otto Outsider")


@pytest.fixture
def general(village):
    return services.channel_ensure_general(community=village)


def send(author, conversation, body="Hej", client_id=None, **kwargs):
    """Send a message through the service; returns the message."""
    import uuid

    message, _created = services.message_send(
        author=author,
        conversation=conversation,
        body=body,
        client_id=client_id or uuid.uuid4().hex,
        **kwargs,
    )
    return message


@pytest.fixture(autouse=True)
def _fresh_async_state():
    """After each test, forget channel layers (a Redis layer holds connections
    bound to the test's event loop) and asgiref's shared database thread: the
    browser tests fork a live server, and a forked child would wait forever on
    a worker thread that only exists in the parent."""
    yield
    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    old = SyncToAsync.single_thread_executor
    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    old.shutdown(wait=True)


@pytest.fixture
def frozen_window(monkeypatch):
    """Keep rate-limit counting inside one window, however long the test takes."""
    monkeypatch.setattr("hub.ratelimit.time.time", lambda: 1_800_000_000.0)
