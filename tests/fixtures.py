"""Fixtures shared by the tests of every app (a pytest plugin, loaded by
tests/conftest.py)."""

import json

import pytest


class RecordingLayer:
    """Stands in for the channel layer and records what would be sent: each event
    as (group, payload), the payload decoded as the browser would read it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group: str, message: dict) -> None:
        payload = json.loads(message["text"]) if "text" in message else message
        self.sent.append((group, payload))

    def events(self, group: str | None = None) -> list[dict]:
        """The payloads sent to ``group`` (or to any group), in order."""
        return [p for g, p in self.sent if group is None or g == group]

    def groups(self, event_type: str | None = None) -> list[str]:
        """The groups that got an event of ``event_type`` (or any), in order."""
        return [
            g for g, p in self.sent if event_type is None or p["type"] == event_type
        ]


class BrokenLayer:
    async def group_send(self, group: str, message: dict) -> None:
        raise ConnectionError("Redis is down")


@pytest.fixture
def layer(monkeypatch) -> RecordingLayer:
    """Capture every live event a service sends once its transaction commits
    (run the commit callbacks, e.g. with django_capture_on_commit_callbacks)."""
    recording = RecordingLayer()
    monkeypatch.setattr("messaging.events.get_channel_layer", lambda: recording)
    return recording


@pytest.fixture
def broken_layer(monkeypatch) -> BrokenLayer:
    """A channel layer that fails every send, as when Redis is down."""
    broken = BrokenLayer()
    monkeypatch.setattr("messaging.events.get_channel_layer", lambda: broken)
    return broken


@pytest.fixture
def broken_tasks(monkeypatch) -> None:
    """Every background task fails to enqueue, as when the task queue is down."""
    from django_tasks.base import Task

    def enqueue(self, *args, **kwargs):
        raise ConnectionError("the task queue is down")

    monkeypatch.setattr(Task, "enqueue", enqueue)
