"""``/healthz``: is the database reachable, does the channel layer carry a message."""

import asyncio
import logging
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 3.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


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


async def _run(name: str, check) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), timeout=CHECK_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 (any failure means "down")
        logger.warning("health check %s failed: %s", name, exc)
        return name, f"error: {type(exc).__name__}"
    return name, "ok"


async def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 with each part "ok", or 503 naming the part that is down."""
    results = dict(
        await asyncio.gather(
            _run("database", sync_to_async(_check_database)),
            _run("channel_layer", _check_channel_layer),
        )
    )
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **results},
        status=200 if healthy else 503,
    )
