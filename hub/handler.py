"""Django's ASGI handler with each request's synchronous work in one thread hop.

Django's own ``ASGIHandler`` starts a thread for every request and hops between
it and the event loop five times per request: for the ``request_started``
signal, into the (synchronous) middleware, back to the loop for the view
dispatcher, into the thread again for the (synchronous) view, and for
``request_finished``. Each new thread also opens a new database connection
(SQLite's includes reading the schema). Under Daphne that was about a third of
the server's CPU time for a message posted over the API (measured with
bench/realtime.py).

``PooledASGIHandler`` reads the request body on the event loop, then runs
everything synchronous in one call on a thread of a fixed pool, as a WSGI server
would: the signal, the middleware, the view and, once the response is
complete, its close. A thread keeps its database connection between requests
as long as ``CONN_MAX_AGE`` allows (PostgreSQL's connection pool hands them out
instead). The response then goes out on the event loop.

What stays as in Django: the middleware, views, signals and responses are
Django's own; a synchronous streaming response is read whole before it is sent
(Django's handler does the same), an asynchronous one streams and is closed after
it. Async views still work (Django calls them from the thread, on the loop).
At most ``threads`` requests run their Python at once; the others wait their
turn on the loop, which keeps serving sockets meanwhile.
"""

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix


class PooledASGIHandler(ASGIHandler):
    def __init__(self, *, threads: int) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")
        # Not thread-sensitive: a request's code runs in the one thread it is
        # given, and asgiref sends its own thread-sensitive calls back there.
        self._in_pool = lambda fn: sync_to_async(
            fn, thread_sensitive=False, executor=self.pool
        )

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            raise ValueError(
                f"Django can only handle ASGI/HTTP connections, not {scope['type']}."
            )
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response, closed = await self._in_pool(self._respond)(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:
                if not closed:
                    await self._in_pool(response.close)()
        finally:
            body_file.close()

    def _respond(self, scope, body_file) -> tuple[HttpResponseBase, bool]:
        """The request's synchronous part, on a thread of the pool: the
        response, and whether it is closed already (all but an async stream)."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        response._handler_class = self.__class__
        if not response.streaming:
            response.close()  # request_finished: the connections are let go
            return response, True
        if response.is_async:
            return response, False
        # A synchronous stream (a static file): read whole here, in the
        # request's thread, as Django reads it whole in a thread of its own,
        # then sent from the loop.
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        chunks = list(response.streaming_content)
        response.close()
        response.streaming_content = _replay(chunks)
        return response, True


async def _replay(chunks: list[bytes]):
    for chunk in chunks:
        yield chunk
