"""Fixed-window rate limits kept in the shared cache, so every process sees them."""

import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _


class RateLimited(Exception):
    """Too many writes of one kind in the current window."""

    message = _("You are doing that too often. Please wait a moment and try again.")

    def __init__(self, retry_after: int) -> None:
        super().__init__(str(self.message))
        self.retry_after = retry_after


def hit(*, scope: str, key: object, limit: int, window_s: int) -> None:
    """Count one action of ``scope`` by ``key``; raise RateLimited past ``limit``."""
    now = int(time.time())
    window_start = now - now % window_s
    cache_key = f"rl:{scope}:{key}:{window_start}"
    # add() is atomic: only the first caller in a window creates the counter.
    cache.add(cache_key, 0, timeout=window_s + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_s + 1)
        count = 1
    if count > limit:
        raise RateLimited(retry_after=window_start + window_s - now)
