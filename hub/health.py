"""``/healthz``: is the database reachable, does the cache answer, does the channel
layer carry a message.

Answers 200 with every part "ok", or 503 naming each part that is down and the
server behind it (``"cache": "error: redis unreachable (ConnectionError)"``). It
never answers 500: a failing check is a result, not an error. ``HealthMiddleware``
answers it above the session and authentication middleware, so no session, user
or language lookup stands between the probe and its answer: with the database
down, a logged-in browser's request to /healthz once failed loading its user.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync, iscoroutinefunction, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import sync_and_async_middleware

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 3.0
HEALTH_PATH = "/healthz"


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    if hasattr(cache, "ping"):  # hub.cache.ResilientRedisCache hides errors
        cache.ping()
        return
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, 1, timeout=5)
    if cache.get(key) != 1:
        raise RuntimeError("cache did not keep a value")
    cache.delete(key)


async def _check_channel_layer() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer configured")
    channel = await layer.new_channel("healthz.")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned a different message")


def _server(backend: str) -> str:
    """The kind of server behind a backend's dotted path: "redis", "sqlite"..."""
    backend = backend.lower()
    for name in ("redis", "postgres", "sqlite", "memcache"):
        if name in backend:
            return name
    return "server"


async def _run(name: str, check, server: str) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), timeout=CHECK_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 (any failure means "down")
        logger.warning("health check %s failed: %s", name, exc)
        return name, f"error: {server} unreachable ({type(exc).__name__})"
    return name, "ok"


async def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 with each part "ok", or 503 naming the part that is down."""
    layer_backend = settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", "")
    results = dict(
        await asyncio.gather(
            _run(
                "database",
                sync_to_async(_check_database),
                _server(connection.settings_dict["ENGINE"]),
            ),
            _run(
                "cache",
                sync_to_async(_check_cache),
                _server(settings.CACHES["default"]["BACKEND"]),
            ),
            _run("channel_layer", _check_channel_layer, _server(layer_backend)),
        )
    )
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results},
        status=200 if healthy else 503,
    )


@sync_and_async_middleware
def HealthMiddleware(get_response: Callable) -> Callable:
    """Answer ``/healthz`` here, before the middleware below it loads a session
    or a user; every other request passes on."""
    if iscoroutinefunction(get_response):

        async def middleware(request: HttpRequest) -> HttpResponse:
            if request.path_info == HEALTH_PATH:
                return await healthz(request)
            return await get_response(request)

    else:

        def middleware(request: HttpRequest) -> HttpResponse:
            if request.path_info == HEALTH_PATH:
                return async_to_sync(healthz)(request)
            return get_response(request)

    return middleware
