"""Live topics: what apps above messaging let the socket carry.

``messaging`` sits below the apps with live pages of their own (the task
boards), so it may not import them. Each registers a provider here in its
``AppConfig.ready``: a sync callable ``(user) -> Iterable[str]`` naming the
topics (``board.12``) the user may receive now. The socket asks every provider
whenever it subscribes (at connect and on every ``events.subscriptions_changed``
of its user), joins the topics they give and leaves the ones they no longer
give, exactly as it does for conversations; ``events.topic_send`` sends to a
topic after commit.

A topic name is lowercase letters, then dot-separated parts of lowercase
letters, digits and underscores (``board.client.12``), short enough for a
channel-layer group name. A provider's bad name, or a provider that raises, is
logged and gives nothing: one app's mistake never costs a socket its other
subscriptions.
"""

import logging
import re
from collections.abc import Callable, Iterable

logger = logging.getLogger(__name__)

TopicProvider = Callable[..., Iterable[str]]

GROUP_PREFIX = "topic."
# Channel layers refuse group names of 100 characters or more.
MAX_TOPIC_CHARS = 99 - len(GROUP_PREFIX)
_NAME = re.compile(r"[a-z]+(\.[a-z0-9_]+)+")

_providers: list[TopicProvider] = []


def is_valid(topic: object) -> bool:
    """Whether ``topic`` is a well-formed topic name."""
    return (
        isinstance(topic, str)
        and len(topic) <= MAX_TOPIC_CHARS
        and _NAME.fullmatch(topic) is not None
    )


def topic_group(topic: str) -> str:
    """The channel-layer group of ``topic``; ``ValueError`` for a bad name."""
    if not is_valid(topic):
        raise ValueError(f"Not a live topic name: {topic!r}")
    return GROUP_PREFIX + topic


def register(provider: TopicProvider) -> None:
    """Let ``provider(user)`` name topics the user's sockets receive.
    Registering the same provider twice is a no-op."""
    if provider not in _providers:
        _providers.append(provider)


def unregister(provider: TopicProvider) -> None:
    """Forget ``provider`` (tests); unknown providers are ignored."""
    if provider in _providers:
        _providers.remove(provider)


def topics_for(user) -> set[str]:
    """Every topic a registered provider gives ``user`` now. Runs the providers'
    queries: call it from sync code (the consumer does, off its event loop)."""
    topics: set[str] = set()
    for provider in list(_providers):
        try:
            given = provider(user)
            if isinstance(given, str | bytes):  # one name, not a list of them
                raise TypeError("a topic provider must return names, not a name")
            given = list(given)
        except Exception:
            logger.exception("Live topic provider %r failed; gave nothing", provider)
            continue
        for topic in given:
            if is_valid(topic):
                topics.add(topic)
            else:
                logger.error(
                    "Live topic provider %r gave a bad topic name %r; dropped",
                    provider,
                    topic,
                )
    return topics
