"""The live fan-out: one layer subscription per conversation and process.

A channel layer hands a group message to every channel in the group, and each
socket's channel costs a queue, a task wake-up and a decoding per message. With
many sockets of one conversation on a process, that per-socket cost is most of
the work. Instead, each process (each event loop) subscribes one channel of its
own to a conversation's group while any of its sockets is in it, and passes each
event straight to those sockets' handler.

The audience is unchanged: a socket joins a conversation here only after the
consumer has checked, through the selectors, that its user may read it, and
leaves it the moment that check fails (on a membership change), before any
later event is handed out. Events for one person (``user.<id>``) still go to the
socket's own channel.
"""

import asyncio
import logging
import weakref
from typing import Any, Protocol

from .events import conversation_group

logger = logging.getLogger(__name__)


class Receiver(Protocol):
    async def nabolag_event(self, message: dict) -> None: ...


class Fanout:
    """The sockets of one event loop, by conversation id."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.pump: asyncio.Task | None = None
        # Weak: a consumer that ends without leaving drops out by itself.
        self.members: dict[int, weakref.WeakSet[Receiver]] = {}
        self.lock = asyncio.Lock()

    async def join(self, conversation_id: int, socket: Receiver) -> None:
        """Deliver the conversation's events to ``socket`` from now on."""
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("fanout.")
                self.pump = asyncio.ensure_future(self._pump(self.channel))
            sockets = self.members.get(conversation_id)
            if sockets is None:
                await self.layer.group_add(
                    conversation_group(conversation_id), self.channel
                )
                sockets = self.members[conversation_id] = weakref.WeakSet()
            sockets.add(socket)

    async def leave(self, conversation_id: int, socket: Receiver) -> None:
        """Stop at once; unsubscribe the process when its last socket leaves."""
        sockets = self.members.get(conversation_id)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            async with self.lock:
                await self._drop_if_empty(conversation_id)

    async def _drop_if_empty(self, conversation_id: int) -> None:
        sockets = self.members.get(conversation_id)
        if sockets is None or sockets:
            return
        del self.members[conversation_id]
        await self.layer.group_discard(
            conversation_group(conversation_id), self.channel
        )
        if not self.members and self.pump is not None:
            # Nobody left on this loop: stop receiving (tests open and close
            # many loops; a server simply starts again on the next socket).
            self.pump.cancel()
            self.pump, self.channel = None, None

    async def _pump(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # the layer reconnects; clients catch up over HTTP
                logger.exception("Live fan-out could not receive; retrying")
                await asyncio.sleep(1)
                continue
            await self._hand_out(message)

    async def _hand_out(self, message: dict) -> None:
        sockets = self.members.get(message.get("conversation"))
        if not sockets:
            return
        for socket in list(sockets):
            try:
                await socket.nabolag_event(message)
            except Exception:  # one broken socket must not starve the others
                logger.exception("Could not deliver a live event to a socket")


_by_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Fanout]" = (
    weakref.WeakKeyDictionary()
)


def fanout_for(layer: Any) -> Fanout:
    """The fan-out of the running event loop for ``layer``."""
    loop = asyncio.get_running_loop()
    fanout = _by_loop.get(loop)
    if fanout is None or fanout.layer is not layer:
        fanout = _by_loop[loop] = Fanout(layer)
    return fanout
