"""The one domain error every app's refusals derive from.

A service raises an ``ApplicationError`` (or an app's subclass of it) when it refuses
an action. ``message`` is readable and translated: it is shown to the user as it is.
``status`` is the HTTP answer the API gives for it (400 unless a subclass says
otherwise); ``field`` names the input the message is about, when there is one, and
``errors`` maps several fields to their messages. ``extra`` carries anything else a
caller may need (the free ranges of a booking conflict, for one).

Pages map it once (``hub.views.refusal``), the API once (``hub.api``). Modelled on
HackSoft's Django styleguide's ``ApplicationError``.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """An action refused for a reason the user can read."""

    status: int = 400
    default_message = _("This is not possible.")

    def __init__(
        self,
        message: Any = None,
        *,
        field: str | None = None,
        errors: dict[str, list] | None = None,
        **extra: Any,
    ) -> None:
        self.message = message or self.default_message
        self.field = field
        self.errors = errors or ({field: [self.message]} if field else {})
        self.extra = extra
        super().__init__(str(self.message))


class NotPermitted(ApplicationError):
    status = 403
    default_message = _("You do not have permission to do this.")


class NotFound(ApplicationError):
    status = 404
    default_message = _("This is not available to you.")


class Conflict(ApplicationError):
    status = 409
    default_message = _("This cannot be done at this stage.")


class RateLimited(ApplicationError):
    """Too many writes of one kind in the current window."""

    status = 429
    default_message = _(
        "You are doing that too often. Please wait a moment and try again."
    )

    def __init__(self, retry_after: int, message: Any = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
