"""WebSocket routes of every app, gathered in one list."""

from messaging.routing import websocket_urlpatterns as messaging_ws

websocket_urlpatterns: list = [*messaging_ws]
