"""Test settings for a server process during a Redis outage: its cache (and so its
sessions' cache) and its channel layer point at a port where nothing listens,
while the database is the real one."""

import os

from hub.settings.test import *  # noqa: F403

DEAD_REDIS_URL = "redis://127.0.0.1:1/0"

CACHES = {
    "default": {
        "BACKEND": "hub.cache.ResilientRedisCache",
        "LOCATION": DEAD_REDIS_URL,
        "KEY_PREFIX": os.environ["CACHE_KEY_PREFIX"],
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": DEAD_REDIS_URL, "socket_timeout": 2}],
            "prefix": os.environ["CHANNEL_LAYER_PREFIX"],
        },
    }
}
