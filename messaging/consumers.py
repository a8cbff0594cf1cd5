"""The live socket at /ws/: push only.

Browsers write over HTTP; the socket delivers events for the conversations its
user may read and the live topics (messaging.topics: a task board, say) the
registered providers give them, both re-checked whenever memberships change, and
carries two kinds of ephemeral frames from the browser, typing and presence,
which are never stored. Conversation and topic events reach the socket through
the process's fan-out (messaging.fanout); events for its user through its own
channel.

A socket belongs to the session it was opened with: a log-out closes that
session's sockets only, a password change closes all of the account's (each
connects again and signs in afresh, or is refused), and every re-subscription
asks the session store whether the session still signs the user in.
"""

import json
import logging
import time
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.models import User
from accounts.sessions import session_signs_in, session_tag

from . import closecodes, events
from .fanout import fanout_for
from .selectors import conversation_ids_for, quiet_conversation_ids
from .topics import topics_for

logger = logging.getLogger(__name__)

MAX_FRAME_CHARS = 1024
FRAME_BUDGET = (20, 10.0)  # frames per seconds, per socket
TYPING_EVERY_S = 2.0
PRESENCE_EVERY_S = 10.0
CLOSE_RECONNECT = closecodes.RECONNECT
CLOSE_ANONYMOUS = closecodes.ANONYMOUS
CLOSE_DEACTIVATED = closecodes.DEACTIVATED
# What closed the sockets of an account (events.DISCONNECT), as a close code.
CLOSE_FOR = {"session_ended": CLOSE_ANONYMOUS, "password": CLOSE_RECONNECT}
clock = time.monotonic  # a name of our own, so tests can hold the time still


@database_sync_to_async
def _subscriptions(
    user_id: int, *, notices_only: bool, session_key: str | None
) -> tuple[set[int], set[int], set[str]] | int:
    """The conversations the user may read now, those of them a sanction keeps
    them quiet in and the live topics they may receive now (nothing for a
    notices-only socket), or the code to close the socket with: the account is
    gone or deactivated, or ``session_key`` (if given) no longer signs the user
    in."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return CLOSE_DEACTIVATED
    if session_key is not None and not _session_holds(session_key, user):
        # Logged out or the password changed, and the event that should have
        # closed the socket was lost: connecting again decides which.
        return CLOSE_RECONNECT
    if notices_only:
        return set(), set(), set()
    readable = conversation_ids_for(user)
    return readable, quiet_conversation_ids(user_id, readable), topics_for(user)


def _session_holds(session_key: str, user) -> bool:
    try:
        return session_signs_in(session_key=session_key, user=user)
    except Exception:
        # The socket was signed in when it connected; a session store that
        # cannot answer (Redis down) must not close every socket at once.
        logger.exception("Could not re-check a live socket's session")
        return True


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """One socket per tab. ``connect`` authenticates and subscribes; layer
    handlers forward events; ``receive`` accepts typing and presence only."""

    async def dispatch(self, message: dict) -> None:
        # Channels 4.2 hops onto a shared thread before every handler to close
        # old database connections. All database work here goes through
        # database_sync_to_async, which already does that, so skip the hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_ANONYMOUS)
            return
        self.user_id = user.pk
        # The socket belongs to the session it was opened with: a log-out ends
        # that session's sockets, and every later re-check asks the session
        # store whether it still signs the user in.
        session = self.scope.get("session")
        self.session_key = session.session_key if session is not None else None
        self.session = session_tag(self.session_key) if self.session_key else None
        self.public = {"id": user.pk, "name": user.public_name}
        self.subscribed: set[int] = set()
        self.topics: set[str] = set()
        self.quiet: set[int] = set()  # silenced there: no typing or presence
        self.frames: list[float] = []
        self.last_sent: dict[tuple[str, int], float] = {}
        self.fanout = fanout_for(self.channel_layer)
        # Pages other than a conversation or a live topic's open
        # "/ws/?only=notices": they show notices for one person and never
        # subscribe to conversations or topics.
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.notices_only = query.get("only") == ["notices"]
        await self.channel_layer.group_add(
            events.user_group(self.user_id), self.channel_name
        )
        # The session was checked a moment ago, on the way in.
        await self._resubscribe(check_session=False)

    async def disconnect(self, code: int) -> None:
        if not hasattr(self, "user_id"):
            return
        await self.channel_layer.group_discard(
            events.user_group(self.user_id), self.channel_name
        )
        for conversation_id in getattr(self, "subscribed", set()):
            await self.fanout.leave(conversation_id, self)
        for topic in getattr(self, "topics", set()):
            await self.fanout.leave_topic(topic, self)

    async def _resubscribe(self, *, check_session: bool = True) -> None:
        allowed = await _subscriptions(
            self.user_id,
            notices_only=self.notices_only,
            session_key=self.session_key if check_session else None,
        )
        if isinstance(allowed, int):
            await self._shut(allowed)
            return
        allowed, self.quiet, topics = allowed
        # Conversation and topic events come through the process's fan-out,
        # which hands them only to the sockets that joined here after this
        # check. Leave first: nothing lost reaches the socket meanwhile.
        for conversation_id in self.subscribed - allowed:
            await self.fanout.leave(conversation_id, self)
        for topic in self.topics - topics:
            await self.fanout.leave_topic(topic, self)
        for conversation_id in allowed - self.subscribed:
            await self.fanout.join(conversation_id, self)
        for topic in topics - self.topics:
            await self.fanout.join_topic(topic, self)
        self.subscribed, self.topics = allowed, topics
        # After every (re)subscription: the page catches up over HTTP on it.
        await self.send_json(
            {
                "type": "subscriptions",
                "user": self.public,
                "conversations": sorted(allowed),
                "topics": sorted(topics),
            }
        )

    # --- layer events ----------------------------------------------------------

    async def nabolag_event(self, message: dict) -> None:
        await self.send(text_data=message["text"])

    async def nabolag_resubscribe(self, message: dict) -> None:
        await self._resubscribe()

    async def nabolag_disconnect(self, message: dict) -> None:
        # A log-out names its session: the account's other devices stay.
        if message.get("session", self.session) != self.session:
            return
        await self._shut(CLOSE_FOR.get(message.get("reason"), CLOSE_DEACTIVATED))

    async def _shut(self, code: int) -> None:
        """Leave every group first, so nothing more reaches this socket while
        the close is on its way, then close with ``code``."""
        for conversation_id in self.subscribed:
            await self.fanout.leave(conversation_id, self)
        for topic in self.topics:
            await self.fanout.leave_topic(topic, self)
        self.subscribed, self.topics = set(), set()
        await self.channel_layer.group_discard(
            events.user_group(self.user_id), self.channel_name
        )
        await self.close(code=code)

    # --- frames from the browser -----------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data=None) -> None:
        if not hasattr(self, "user_id"):
            return
        if text_data is None:
            return await self._error("malformed", "Send JSON text frames.")
        if len(text_data) > MAX_FRAME_CHARS:
            return await self._error("too_large", "Frame too large.")
        if not self._within_budget():
            return await self._error("rate_limited", "Too many frames; slow down.")
        try:
            frame = json.loads(text_data)
        except ValueError:
            return await self._error("malformed", "Not JSON.")
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return await self._error("malformed", "A frame needs a type.")
        handler = {"typing": self._typing, "presence": self._presence}.get(
            frame["type"]
        )
        if handler is None:
            return await self._error("unknown_type", "Unknown frame type.")
        await handler(frame)

    def _within_budget(self) -> bool:
        now = clock()
        limit, window = FRAME_BUDGET
        self.frames = [t for t in self.frames if now - t < window]
        if len(self.frames) >= limit:
            return False
        self.frames.append(now)
        return True

    def _conversation(self, frame: dict) -> int | None:
        """The frame's conversation, if subscribed and not silenced in."""
        value = frame.get("conversation")
        if isinstance(value, int) and value in self.subscribed - self.quiet:
            return value
        return None

    def _throttled(self, kind: str, conversation_id: int, every_s: float) -> bool:
        now = clock()
        key = (kind, conversation_id)
        if now - self.last_sent.get(key, -every_s) < every_s:
            return True
        self.last_sent[key] = now
        return False

    async def _typing(self, frame: dict) -> None:
        conversation_id = self._conversation(frame)
        if conversation_id is None:
            return await self._error("not_subscribed", "Unknown conversation.")
        if self._throttled("typing", conversation_id, TYPING_EVERY_S):
            return
        await self._relay(conversation_id, {"type": "typing"})

    async def _presence(self, frame: dict) -> None:
        conversation_id = self._conversation(frame)
        if conversation_id is None:
            return await self._error("not_subscribed", "Unknown conversation.")
        state = "away" if frame.get("state") == "away" else "here"
        if state == "here" and self._throttled(
            "presence", conversation_id, PRESENCE_EVERY_S
        ):
            return
        await self._relay(conversation_id, {"type": "presence", "state": state})

    async def _relay(self, conversation_id: int, payload: dict) -> None:
        payload |= {"conversation": conversation_id, "user": self.public}
        await self.channel_layer.group_send(
            events.conversation_group(conversation_id),
            events.conversation_event(conversation_id, payload),
        )

    async def _error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})
