"""Django's Redis cache, made to survive a Redis outage.

Django's ``RedisCache`` raises on a connection error, so with Redis down every
request that touched the cache failed: the cached sessions, the rate limiter,
the geocoder's cache. ``ResilientRedisCache`` logs the failure and degrades
instead, so every cache user keeps working on the database alone:

- reads miss (``get`` answers the default, ``get_many`` nothing, ``has_key`` no);
- writes and deletes are dropped;
- ``add`` answers True, as if the key was free: a caller using it as a lock
  runs unguarded during the outage rather than waiting for a lock nobody holds;
- ``incr`` raises :class:`CacheUnavailable`, a ``ValueError`` as for a missing
  key, which callers that count (``hub.ratelimit``) can tell apart.

The sessions use ``cached_db``: the database holds them, so an outage logs
nobody out. ``ping()`` raises the real error, for ``/healthz``.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Errors of an unreachable or failing server; OSError covers a refused or reset
# socket that redis-py lets through.
OUTAGE_ERRORS = (RedisError, OSError)
LOG_EVERY_S = 10.0


class CacheUnavailable(ValueError):
    """The cache server cannot be reached; the value is unknown."""


class ResilientRedisCache(RedisCache):
    _last_logged = 0.0

    def _outage(self, operation: str, exc: Exception) -> None:
        # One line per process every few seconds, not one per cache call.
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_S:
            ResilientRedisCache._last_logged = now
            logger.warning(
                "cache unavailable, %s degraded: %s: %s",
                operation,
                type(exc).__name__,
                exc,
            )

    def ping(self) -> None:
        """Raise the server's error unless it answers."""
        self._cache.get_client(write=True).ping()

    def get(self, *args, **kwargs):
        try:
            return super().get(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("get", exc)
            return kwargs.get("default", args[1] if len(args) > 1 else None)

    def get_many(self, *args, **kwargs):
        try:
            return super().get_many(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("get_many", exc)
            return {}

    def has_key(self, *args, **kwargs):
        try:
            return super().has_key(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("has_key", exc)
            return False

    def add(self, *args, **kwargs):
        try:
            return super().add(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("add", exc)
            return True

    def incr(self, *args, **kwargs):
        try:
            return super().incr(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("incr", exc)
            raise CacheUnavailable(str(exc)) from exc

    def set(self, *args, **kwargs):
        try:
            super().set(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("set", exc)

    def set_many(self, *args, **kwargs):
        try:
            return super().set_many(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("set_many", exc)
            return list(args[0] if args else kwargs.get("data", {}))

    def touch(self, *args, **kwargs):
        try:
            return super().touch(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("touch", exc)
            return False

    def delete(self, *args, **kwargs):
        try:
            return super().delete(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("delete", exc)
            return False

    def delete_many(self, *args, **kwargs):
        try:
            super().delete_many(*args, **kwargs)
        except OUTAGE_ERRORS as exc:
            self._outage("delete_many", exc)

    def clear(self):
        try:
            return super().clear()
        except OUTAGE_ERRORS as exc:
            self._outage("clear", exc)
            return False
