"""hub.cache against a real Redis: one shared client per pool, and a counter in
one round trip that starts at 1 and expires."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from hub.cache import CacheUnavailable
from tests.helpers import requires_redis

DEAD_CACHE = {
    "default": {
        "BACKEND": "hub.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@requires_redis()
def test_the_cache_calls_share_one_redis_client():
    cache = caches["default"]

    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)


@requires_redis()
def test_a_counter_starts_at_one_counts_up_and_expires():
    cache = caches["default"]

    counts = [cache.count("counter-test", timeout=60) for _hit in range(3)]

    assert counts == [1, 2, 3]
    assert cache.get("counter-test") == 3
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("counter-test")) <= 60


@requires_redis()
def test_a_counter_keeps_its_first_expiry():
    cache = caches["default"]
    cache.count("counter-expiry", timeout=60)

    cache.count("counter-expiry", timeout=3600)

    client = cache._cache.get_client(write=True)
    assert client.ttl(cache.make_and_validate_key("counter-expiry")) <= 60


def test_a_counter_is_unavailable_while_redis_is_down():
    with override_settings(CACHES=DEAD_CACHE), pytest.raises(CacheUnavailable):
        caches["default"].count("counter-down", timeout=60)
