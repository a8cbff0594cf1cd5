"""The live fan-out: one layer subscription per group and process.

A channel layer hands a group message to every channel in the group, and each
socket's channel costs a queue, a task wake-up and a decoding per message. With
many sockets of one conversation on a process, that per-socket cost is most of
the work. Instead, each process (each event loop) subscribes one channel of its
own to a conversation's group, or a live topic's (messaging.topics), while any
of its sockets is in it, and passes each event straight to those sockets'
handler. An event names its conversation (``"conversation"``) or its topic
(``"topic"``), which says whose sockets get it.

The audience is unchanged: a socket joins a conversation or topic here only
after the consumer has checked, through the selectors or the topic providers,
that its user may receive it, and leaves it the moment that check fails (on a
membership change), before any later event is handed out. Events for one person
(``user.<id>``) still go to the socket's own channel.
"""

import asyncio
import logging
import weakref
from typing import Any, Protocol

from .events import conversation_group
from .topics import is_valid as is_valid_topic
from .topics import topic_group

logger = logging.getLogger(__name__)


class Receiver(Protocol):
    async def nabolag_event(self, message: dict) -> None: ...


class Fanout:
    """The sockets of one event loop, by the group they hear (a conversation's
    or a topic's)."""

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.channel: str | None = None
        self.pump: asyncio.Task | None = None
        # Weak: a consumer that ends without leaving drops out by itself.
        self.members: dict[str, weakref.WeakSet[Receiver]] = {}
        self.lock = asyncio.Lock()

    async def join(self, conversation_id: int, socket: Receiver) -> None:
        """Deliver the conversation's events to ``socket`` from now on."""
        await self._join(conversation_group(conversation_id), socket)

    async def leave(self, conversation_id: int, socket: Receiver) -> None:
        """Stop at once; unsubscribe the process when its last socket leaves."""
        await self._leave(conversation_group(conversation_id), socket)

    async def join_topic(self, topic: str, socket: Receiver) -> None:
        """Deliver the topic's events to ``socket`` from now on."""
        await self._join(topic_group(topic), socket)

    async def leave_topic(self, topic: str, socket: Receiver) -> None:
        """``leave`` for a topic."""
        await self._leave(topic_group(topic), socket)

    async def _join(self, group: str, socket: Receiver) -> None:
        async with self.lock:
            if self.channel is None:
                self.channel = await self.layer.new_channel("fanout.")
                self.pump = asyncio.ensure_future(self._pump(self.channel))
            sockets = self.members.get(group)
            if sockets is None:
                await self.layer.group_add(group, self.channel)
                sockets = self.members[group] = weakref.WeakSet()
            sockets.add(socket)

    async def _leave(self, group: str, socket: Receiver) -> None:
        sockets = self.members.get(group)
        if sockets is None:
            return
        sockets.discard(socket)
        if not sockets:
            async with self.lock:
                await self._drop_if_empty(group)

    async def _drop_if_empty(self, group: str) -> None:
        sockets = self.members.get(group)
        if sockets is None or sockets:
            return
        del self.members[group]
        await self.layer.group_discard(group, self.channel)
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
        group = _group_of(message)
        sockets = self.members.get(group) if group is not None else None
        if not sockets:
            return
        for socket in list(sockets):
            try:
                await socket.nabolag_event(message)
            except Exception:  # one broken socket must not starve the others
                logger.exception("Could not deliver a live event to a socket")


def _group_of(message: dict) -> str | None:
    """The group whose sockets get ``message``: its conversation's or topic's."""
    conversation_id = message.get("conversation")
    if isinstance(conversation_id, int):
        return conversation_group(conversation_id)
    topic = message.get("topic")
    if is_valid_topic(topic):
        return topic_group(topic)
    return None


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
