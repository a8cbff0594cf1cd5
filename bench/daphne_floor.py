"""The Daphne floor: the platform's fixed stack with none of the platform's code.

    daphne bench.daphne_floor:application    (bench/realtime.py starts it)

Channels 4 on Daphne with the channel layer our run uses (the Redis pub/sub layer
when REDIS_URL is set, the in-memory layer otherwise; hub.settings.base chooses it,
so the configuration is the same to the option), and nothing else: no Django views,
no middleware, no database, no sessions, no authentication.

Every socket at /ws/ joins one group the stock way (``groups``) and forwards each
group message's pre-rendered text as it is. The bench's post arrives at the same
URL as ours and a raw ASGI callable takes it: it reads the JSON body, encodes a
frame of ``FLOOR_FRAME_CHARS`` characters (the size of the frame our server sent
for the same post, measured by the bench) once, sends it to the group and answers
201.

The one departure from a stock consumer is the one our LiveConsumer makes too:
Channels 4.2+ hops onto a thread before every handler to close old database
connections; with no database, the floor skips that hop, so it is not charged
for a cost our server does not pay.
"""

import json
import os
import sys
from pathlib import Path

import django
from django.conf import settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hub.settings.base import CHANNEL_LAYERS

settings.configure(CHANNEL_LAYERS=CHANNEL_LAYERS)
django.setup(set_prefix=False)

from channels.consumer import get_handler_name  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

GROUP = "floor"
FRAME_CHARS = int(os.environ.get("FLOOR_FRAME_CHARS", "0"))


def frame(fields: dict) -> str:
    """The post as a ``message.new`` frame, padded to ``FRAME_CHARS`` characters
    (the rendered HTML is most of ours)."""
    message = {"body": fields["body"], "client_id": fields["client_id"]}
    bare = json.dumps({"type": "message.new", "message": {**message, "rendered": ""}})
    rendered = "x" * max(0, FRAME_CHARS - len(bare))
    return json.dumps(
        {"type": "message.new", "message": {**message, "rendered": rendered}}
    )


class FloorConsumer(AsyncWebsocketConsumer):
    groups = [GROUP]

    async def dispatch(self, message: dict) -> None:
        # No database: skip Channels' thread hop before each handler.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        await self.accept()
        # In the group already (websocket_connect joins before connect): say so,
        # as ours does with its subscriptions frame.
        await self.send(text_data='{"type":"subscriptions"}')

    async def floor_event(self, message: dict) -> None:
        await self.send(text_data=message["text"])


async def read_body(receive) -> bytes:
    body = b""
    while True:
        event = await receive()
        body += event.get("body", b"")
        if not event.get("more_body"):
            return body


async def respond(send, status: int, body: bytes = b"") -> None:
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def post_message(scope: dict, receive, send) -> None:
    """The bench's post: send its frame to the group, then answer 201."""
    if scope["method"] != "POST":
        await respond(send, 405)
        return
    fields = json.loads(await read_body(receive))
    await get_channel_layer().group_send(
        GROUP, {"type": "floor.event", "text": frame(fields)}
    )
    await respond(send, 201, b"{}")


application = ProtocolTypeRouter(
    {
        "http": URLRouter(
            [path("api/messaging/conversations/<int:pk>/messages", post_message)]
        ),
        "websocket": URLRouter([path("ws/", FloorConsumer.as_asgi())]),
    }
)
