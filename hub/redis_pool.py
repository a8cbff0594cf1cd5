"""One Redis connection pool per process for Django's cache.

Under ASGI each request runs in a thread of its own, and Django builds a cache
client, with a connection pool, per thread: every request would open a new Redis
connection. ``SharedRedisPool`` hands out one pool per URL and options instead;
redis-py's pools are thread-safe and reset themselves after a fork.
"""

import redis


class SharedRedisPool(redis.ConnectionPool):
    _shared: dict[tuple[str, str], redis.ConnectionPool] = {}

    @classmethod
    def from_url(cls, url: str, **kwargs):
        key = (url, repr(sorted(kwargs.items())))
        if key not in cls._shared:
            cls._shared.setdefault(key, super().from_url(url, **kwargs))
        return cls._shared[key]
