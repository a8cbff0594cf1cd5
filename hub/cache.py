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
nobody out. A write or delete that failed leaves Redis with an old value (a
session that was logged out, say) that would come back with Redis: the keys are
remembered and deleted at the first call that reaches Redis again, so readers
fall back to the database. ``ping()`` raises the real error, for ``/healthz``.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Errors of an unreachable or failing server; OSError covers a refused or reset
# socket that redis-py lets through.
OUTAGE_ERRORS = (RedisError, OSError)
LOG_EVERY_S = 10.0
MAX_STALE_KEYS = 10_000


class CacheUnavailable(ValueError):
    """The cache server cannot be reached; the value is unknown."""


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's client, with one redis-py client per connection pool: Django
    builds a new one (and its table of reply parsers) for every cache call,
    which cost more CPU than the call itself. redis-py's clients are safe to
    share between threads."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        new_client = self._client
        clients: dict[int, object] = {}

        def shared(connection_pool):
            client = clients.get(id(connection_pool))
            if client is None:
                client = clients.setdefault(
                    id(connection_pool), new_client(connection_pool=connection_pool)
                )
            return client

        self._client = shared


class ResilientRedisCache(RedisCache):
    _last_logged = 0.0
    # Django makes one cache object per thread: the keys to invalidate are
    # shared by the process's cache objects of one server and prefix.
    _stale_keys: dict[tuple, set[tuple[str, int | None]]] = {}

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        self._stale = self._stale_keys.setdefault(
            (tuple(self._servers), self.key_prefix), set()
        )

    def _remember_stale(self, keys, version: int | None) -> None:
        """Keys whose value in Redis may be out of date after a failed write."""
        for key in keys:
            if len(self._stale) >= MAX_STALE_KEYS:
                logger.warning("cache outage: too many keys to invalidate later")
                return
            self._stale.add((key, version))

    def _forget_stale(self) -> None:
        """Delete the remembered keys, once Redis answers again."""
        while self._stale:
            try:
                key, version = self._stale.pop()
            except KeyError:  # another thread took the last one
                return
            try:
                RedisCache.delete(self, key, version=version)
            except OUTAGE_ERRORS:
                self._stale.add((key, version))
                raise

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

    def _call(self, name, operation, fallback, stale_keys=(), version=None):
        """``operation()`` against Redis, or ``fallback`` when Redis is down
        (raised, when it is an exception)."""
        try:
            if self._stale:
                self._forget_stale()
            return operation()
        except OUTAGE_ERRORS as exc:
            self._outage(name, exc)
            self._remember_stale(stale_keys, version)
            if isinstance(fallback, Exception):
                raise fallback from exc
            return fallback

    def get(self, key, default=None, version=None):
        def read():
            return RedisCache.get(self, key, default, version)

        return self._call("get", read, default)

    def get_many(self, keys, version=None):
        return self._call(
            "get_many", lambda: RedisCache.get_many(self, keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._call(
            "has_key", lambda: RedisCache.has_key(self, key, version), False
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        def write():
            return RedisCache.add(self, key, value, timeout, version)

        return self._call("add", write, True, [key], version)

    def incr(self, key, delta=1, version=None):
        def write():
            return RedisCache.incr(self, key, delta, version)

        return self._call("incr", write, CacheUnavailable(key), [key], version)

    def count(self, key, timeout: int, version=None) -> int:
        """Add one to the counter ``key`` and answer its new value; a counter
        that did not exist starts at 1 and expires ``timeout`` seconds later.
        One round trip (``add`` and ``incr`` take three). Raises
        :class:`CacheUnavailable` when Redis cannot be reached, as ``incr``."""

        def write():
            full_key = self.make_and_validate_key(key, version=version)
            client = self._cache.get_client(full_key, write=True)
            pipe = client.pipeline()  # MULTI ... EXEC: nothing runs between
            pipe.set(full_key, 0, ex=timeout, nx=True)
            pipe.incr(full_key)
            return pipe.execute()[1]

        return self._call("incr", write, CacheUnavailable(key), [key], version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        def write():
            RedisCache.set(self, key, value, timeout, version)

        self._call("set", write, None, [key], version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        def write():
            return RedisCache.set_many(self, data, timeout, version)

        return self._call("set_many", write, list(data), list(data), version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        def write():
            return RedisCache.touch(self, key, timeout, version)

        return self._call("touch", write, False, [key], version)

    def delete(self, key, version=None):
        def write():
            return RedisCache.delete(self, key, version)

        return self._call("delete", write, False, [key], version)

    def delete_many(self, keys, version=None):
        keys = list(keys)

        def write():
            RedisCache.delete_many(self, keys, version)

        self._call("delete_many", write, None, keys, version)

    def clear(self):
        def write():
            self._stale.clear()
            return RedisCache.clear(self)

        return self._call("clear", write, False)
