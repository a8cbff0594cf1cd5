"""Fixed-window rate limits kept in the shared cache, so every process sees them.

Limits are counted per person (a user's id), never per client address, so they
need no knowledge of the proxies in front of the servers. When the cache cannot
be reached the action is allowed and the outage logged: refusing every write
while Redis is down would turn a cache outage into a platform outage.
"""

import logging
import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from hub.cache import CacheUnavailable

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    """Too many writes of one kind in the current window."""

    message = _("You are doing that too often. Please wait a moment and try again.")

    def __init__(self, retry_after: int) -> None:
        super().__init__(str(self.message))
        self.retry_after = retry_after


def _count(cache_key: str, window_s: int) -> int:
    # add() is atomic: only the first caller in a window creates the counter.
    cache.add(cache_key, 0, timeout=window_s + 1)
    try:
        return cache.incr(cache_key)
    except CacheUnavailable:
        raise
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_s + 1)
        return 1


def hit(*, scope: str, key: object, limit: int, window_s: int) -> None:
    """Count one action of ``scope`` by ``key``; raise RateLimited past ``limit``.

    Allows the action, uncounted, when the cache is unavailable."""
    now = int(time.time())
    window_start = now - now % window_s
    try:
        count = _count(f"rl:{scope}:{key}:{window_start}", window_s)
    except CacheUnavailable:
        logger.warning("rate limit %s not counted: the cache is unavailable", scope)
        return
    if count > limit:
        raise RateLimited(retry_after=window_start + window_s - now)
