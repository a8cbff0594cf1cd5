"""hub.handler: a request's synchronous work runs in one thread of a fixed pool,
which keeps its database connection, and the response is Django's own."""

import json
import threading
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.core import signals
from django.db import connection
from django.http import FileResponse, JsonResponse, StreamingHttpResponse
from django.urls import path

from hub.handler import PooledASGIHandler


def _here() -> str:
    return threading.current_thread().name


def where(request):
    connection.ensure_connection()
    return JsonResponse({"thread": _here(), "connection": id(connection.connection)})


def round_trip(request):
    """A view that calls async code that calls back into sync code (as a
    channel layer send from a service does)."""

    async def on_the_loop():
        return await sync_to_async(_here)()

    return JsonResponse({"view": _here(), "back": async_to_sync(on_the_loop)()})


def a_file(request):
    return FileResponse(open(__file__, "rb"))


def a_stream(request):
    async def parts():
        for part in (b"one ", b"two"):
            yield part

    return StreamingHttpResponse(parts())


urlpatterns = [
    path("where", where),
    path("round-trip", round_trip),
    path("file", a_file),
    path("stream", a_stream),
]


@pytest.fixture
def handler(settings):
    settings.ROOT_URLCONF = __name__
    return PooledASGIHandler(threads=1)


@pytest.fixture
def signalled():
    """The threads request_started and request_finished were sent in."""
    seen: list[tuple[str, str]] = []

    def started(**kwargs):
        seen.append(("started", _here()))

    def finished(**kwargs):
        seen.append(("finished", _here()))

    signals.request_started.connect(started)
    signals.request_finished.connect(finished)
    yield seen
    signals.request_started.disconnect(started)
    signals.request_finished.disconnect(finished)


async def _get(handler, url: str) -> dict:
    """GET ``url`` over ASGI: the status and the whole body. (Django ends a
    stream with a body message without a body, which ASGI allows and
    channels' HttpCommunicator refuses.)"""
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "path": url,
             "raw_path": url.encode(), "query_string": b"", "headers": [],
             "server": ("testserver", 80), "client": ("127.0.0.1", 1234)}  # fmt: skip
    app = ApplicationCommunicator(handler, scope)
    await app.send_input({"type": "http.request", "body": b""})
    start = await app.receive_output(5)
    assert start["type"] == "http.response.start"
    assert start["status"] == 200
    body = b""
    while True:
        part = await app.receive_output(5)
        body += part.get("body", b"")
        if not part.get("more_body"):
            await app.wait(5)  # what the handler does once the body is out
            return {"body": body}


@pytest.mark.django_db(transaction=True)
async def test_a_request_runs_in_one_pool_thread_with_its_signals(handler, signalled):
    answer = json.loads((await _get(handler, "/where"))["body"])

    assert answer["thread"].startswith("http")
    assert signalled == [("started", answer["thread"]), ("finished", answer["thread"])]


@pytest.mark.django_db(transaction=True)
async def test_the_thread_keeps_its_database_connection_between_requests(handler):
    first = json.loads((await _get(handler, "/where"))["body"])
    second = json.loads((await _get(handler, "/where"))["body"])

    assert second["thread"] == first["thread"]
    if connection.vendor == "sqlite":  # PostgreSQL's pool hands them out
        assert second["connection"] == first["connection"]


@pytest.mark.django_db(transaction=True)
async def test_sync_code_called_back_from_the_loop_runs_in_the_request_thread(
    handler,
):
    answer = json.loads((await _get(handler, "/round-trip"))["body"])

    assert answer["back"] == answer["view"]


@pytest.mark.django_db(transaction=True)
async def test_a_file_is_sent_whole_and_closed_in_the_request_thread(
    handler, signalled
):
    expected = Path(__file__).read_bytes()  # noqa: ASYNC240 (a small file, once)

    response = await _get(handler, "/file")

    assert response["body"] == expected
    assert [kind for kind, _thread in signalled] == ["started", "finished"]
    assert signalled[0][1] == signalled[1][1]


@pytest.mark.django_db(transaction=True)
async def test_an_async_stream_streams_and_is_closed_once_sent(handler, signalled):
    response = await _get(handler, "/stream")

    assert response["body"] == b"one two"
    assert [kind for kind, _thread in signalled] == ["started", "finished"]
