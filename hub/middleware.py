"""Pages answer only the methods a page can handle.

Wagtail's page serve and our function views treat any method they do not test for
as GET, so ``PUT``, ``PATCH`` and ``DELETE`` rendered the page. Pages take GET and
HEAD, and POST for their forms; this middleware answers 405 with an ``Allow``
header for anything else, and OPTIONS itself. The API (django-ninja, which
routes methods per operation) and the Wagtail admin are left alone.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
OWN_METHOD_ROUTING = ("/api/", "/admin/")


class PageMethodsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(OWN_METHOD_ROUTING):
            return self.get_response(request)
        if request.method not in PAGE_METHODS:
            return HttpResponseNotAllowed(PAGE_METHODS)
        if request.method == "OPTIONS":
            response = HttpResponse()
            response["Allow"] = ", ".join(PAGE_METHODS)
            response["Content-Length"] = "0"
            return response
        return self.get_response(request)


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The header value: ``{"camera": [], "fullscreen": ["self"]}`` becomes
    ``camera=(), fullscreen=(self)``."""
    return ", ".join(
        f"{name}=({' '.join(origins)})" for name, origins in features.items()
    )


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy of NABOLAG_PERMISSIONS_POLICY on every answer:
    no page, nor anything framed in one, may use the camera, the microphone, the
    location and the rest unless the setting lists them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.NABOLAG_PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.setdefault("Permissions-Policy", self.header)
        return response
