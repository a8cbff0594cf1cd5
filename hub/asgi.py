"""ASGI entry point: HTTP through Django, WebSockets through Channels, on one port."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")

# Django must be set up before anything that imports models is loaded.
django.setup(set_prefix=False)

from django.conf import settings  # noqa: E402

from hub.handler import PooledASGIHandler  # noqa: E402

# Django's handler, with each request's synchronous work in one hop to a thread
# of a fixed pool instead of a new thread and five hops (hub.handler).
django_asgi_app = PooledASGIHandler(threads=settings.NABOLAG_REQUEST_THREADS)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from hub.routing import websocket_urlpatterns  # noqa: E402
from hub.sockets import SocketAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SocketAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Everything loaded so far lives as long as the process: keep it out of the
# garbage collector's full passes, which otherwise stall the event loop for
# 70 to 125 ms at a time under load (measured with bench/realtime.py).
gc.freeze()
