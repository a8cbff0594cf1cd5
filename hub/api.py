"""The JSON API under /api/ (django-ninja); schema at /api/openapi.json.

Each app adds its router here. Endpoints are thin adapters over services and
selectors, exactly like the HTML views. Session authentication with CSRF checks.

Every error answer has one shape, ``{"detail": "a message"}``, except ninja's
own validation errors (422), whose ``detail`` lists the problems. ``NabolagAPI``
documents them in the schema once for every operation, from what the operation
is (see ``_error_statuses``), so a generated client handles them.

A service's refusal, an ``hub.errors.ApplicationError``, is answered here once
for every endpoint (``application_error``): its message and its status, with
Retry-After for a rate limit; endpoints do not catch them. A refusal naming
fields (``errors``) with status 422 is answered in the validation errors' shape,
located in the operation's JSON body, which write operations name ``payload``.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from accounts.api_auth import ApiTokenAuth
from hub.errors import ApplicationError, RateLimited
from marketplace.api import router as marketplace_router
from messaging.api import router as messaging_router
from tasks.api import router as tasks_router

WRITES = {"post", "put", "patch", "delete"}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMAS = {
    "Error": {
        "title": "Error",
        "type": "object",
        "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"],
    },
    "ValidationError": {
        "title": "ValidationError",
        "type": "object",
        "properties": {
            "detail": {
                "title": "Detail",
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "loc": {
                            "type": "array",
                            "items": {
                                "anyOf": [{"type": "string"}, {"type": "integer"}]
                            },
                        },
                        "msg": {"type": "string"},
                    },
                    "required": ["type", "loc", "msg"],
                },
            }
        },
        "required": ["detail"],
    },
}
ERROR_ANSWERS = {
    400: ("Bad request: the body cannot be parsed, or the request is refused", None),
    401: ("Not logged in", None),
    403: ("Not permitted, or the CSRF check failed", None),
    404: ("Not found, or not visible to you", None),
    409: ("Conflicts with the current state (already answered, closed...)", None),
    422: (
        "Invalid input: the listed fields, or a message",
        {"anyOf": [{"$ref": "#/components/schemas/ValidationError"}, ERROR_REF]},
    ),
    429: ("Too many requests of this kind: retry after Retry-After seconds", None),
}
# Errors particular to one operation, beyond what its kind implies.
EXTRA_ERRORS = {
    # an unknown ?community= slug is not found
    "marketplace_api_listing_search": {404},
}


def _error_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it is."""
    statuses = set(EXTRA_ERRORS.get(operation.get("operationId", ""), ()))
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        statuses |= {401, 403}
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if parameters or "requestBody" in operation:
        statuses.add(422)
    if "requestBody" in operation:
        statuses.add(400)
    if method in WRITES:
        statuses |= {400, 403, 409, 422, 429}
    return statuses


def _error_response(status: int) -> dict[str, Any]:
    description, schema = ERROR_ANSWERS[status]
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema or ERROR_REF}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "description": "Seconds until the limit's window ends",
                "schema": {"type": "integer"},
            }
        }
    return response


def document_errors(schema: OpenAPISchema) -> OpenAPISchema:
    """Add the error answers each operation can give to an OpenAPI schema.

    An operation's own description of a status (its ``response=``) is kept."""
    schema.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(_error_statuses(method, operation)):
                responses.setdefault(status, _error_response(status))
    return schema


class NabolagAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        return document_errors(super().get_openapi_schema(**kwargs))


api = NabolagAPI(
    title="Nabolag API",
    version="1",
    urls_namespace="api",
    # The token first: the session's check runs CSRF's before anything else and
    # would refuse a token's POST, which carries no CSRF cookie (accounts.api_auth).
    auth=[ApiTokenAuth(), django_auth],
    docs_url="/docs",
)

api.add_router("/marketplace/", marketplace_router)

api.add_router("/messaging/", messaging_router)

api.add_router("/tasks/", tasks_router)


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any other path under /api/ (an id that is not a number, a missing part):
    the API's own 404, not a page's, nor a redirect to the path with a slash."""
    return JsonResponse({"detail": "Not Found"}, status=404)


# A refusal naming fields is located in the body, which write operations name so.
BODY_LOC = ("body", "payload")


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError):
    """Every refusal of every endpoint: ``{"detail": message}`` and its status."""
    detail: Any = str(exc.message)
    if exc.status == 422 and exc.errors:
        detail = [
            {"type": "value_error", "loc": [*BODY_LOC, field], "msg": str(message)}
            for field, messages in exc.errors.items()
            for message in messages
        ]
    response = api.create_response(request, {"detail": detail}, status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response
