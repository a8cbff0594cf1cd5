"""The JSON API's personal access tokens: ``Authorization: Bearer <secret>``.

hub.api tries this before the session: a request that authenticates with a
token is not a browser's (a browser never adds the header by itself, and another
site cannot make it add one), so no CSRF check applies to it. A request that
sends a token which does not open anything is refused with 401 at once; it
never falls through to the session and its CSRF check.
"""

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from .models import User
from .tokens import user_for_secret


class ApiTokenAuth(HttpBearer):
    """A personal access token made on the account's tokens page."""

    openapi_description = (
        "A personal access token from your account's API tokens page, "
        "sent as `Authorization: Bearer nbl_...`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User:
        """The token's user, also as ``request.user`` for the endpoints;
        AuthenticationError (401) for a token that is not live."""
        user = user_for_secret(token)
        if user is None:
            raise AuthenticationError
        request.user = user
        return user
