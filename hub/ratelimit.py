"""Fixed-window rate limits kept in the shared cache, so every process sees them.

The limits themselves are named in one table, ``hub.limits.LIMITS``. Limits are
counted per person (a user's id), never per client address, so they
need no knowledge of the proxies in front of the servers. When the cache cannot
be reached the action is allowed and the outage logged: refusing every write
while Redis is down would turn a cache outage into a platform outage.
"""

import logging
import time

from django.core.cache import cache

from hub.cache import CacheUnavailable
from hub.errors import RateLimited
from hub.limits import LIMITS, Limit

__all__ = ["RateLimited", "count_hit", "hit"]

logger = logging.getLogger(__name__)


def _count(cache_key: str, window_s: int) -> int:
    if hasattr(cache, "count"):  # hub.cache.ResilientRedisCache: one round trip
        return cache.count(cache_key, timeout=window_s + 1)
    # add() is atomic: only the first caller in a window creates the counter.
    cache.add(cache_key, 0, timeout=window_s + 1)
    try:
        return cache.incr(cache_key)
    except CacheUnavailable:
        raise
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_s + 1)
        return 1


def hit(name: str, key: object) -> None:
    """Count one action of the limit ``name`` (a key of ``LIMITS``) by ``key``;
    raise RateLimited past the limit. Allows the action, uncounted, when the
    cache is unavailable."""
    count_hit(name, key, LIMITS[name])


def count_hit(scope: str, key: object, limit: Limit) -> None:
    """``hit`` with a limit of its own, for a limit not in the table (tests)."""
    now = int(time.time())
    window_start = now - now % limit.window_s
    try:
        count = _count(f"rl:{scope}:{key}:{window_start}", limit.window_s)
    except CacheUnavailable:
        logger.warning("rate limit %s not counted: the cache is unavailable", scope)
        return
    if count > limit.count:
        raise RateLimited(retry_after=window_start + limit.window_s - now)
