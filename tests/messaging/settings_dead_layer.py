"""Test settings whose channel layer points at a port where nothing listens:
a server process during a Redis outage."""

import os

from hub.settings.test import *  # noqa: F403

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            "hosts": [{"address": "redis://127.0.0.1:9/0", "socket_timeout": 2}],
            "prefix": os.environ["CHANNEL_LAYER_PREFIX"],
        },
    }
}
