"""The JSON API under /api/ (django-ninja); schema at /api/openapi.json.

Each app adds its router here. Endpoints are thin adapters over services and
selectors, exactly like the HTML views. Session authentication with CSRF checks.
"""

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import django_auth

from hub.ratelimit import RateLimited
from marketplace.api import router as marketplace_router
from messaging.api import router as messaging_router

api = NinjaAPI(
    title="Nabolag API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url="/docs",
)

api.add_router("/marketplace/", marketplace_router)

api.add_router("/messaging/", messaging_router)


@api.exception_handler(RateLimited)
def rate_limited(request: HttpRequest, exc: RateLimited):
    response = api.create_response(request, {"detail": str(exc.message)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response
