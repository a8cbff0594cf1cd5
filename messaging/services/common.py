"""Errors, limits and helpers shared by the messaging services."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hub import ratelimit

EDIT_WINDOW = timedelta(minutes=15)
SEND_LIMIT = (30, 60)  # messages per minute per person
REACT_LIMIT = (60, 60)
EDIT_LIMIT = (30, 60)


class MessagingError(Exception):
    """A change that is not allowed; the message is shown to the user."""

    default_message = _("This change is not allowed.")

    def __init__(self, message=None) -> None:
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotPermitted(MessagingError):
    default_message = _("You do not have permission to do this.")


class MessageInvalid(MessagingError):
    default_message = _("This message cannot be sent.")


def _limit(scope: str, actor: User, limit: tuple[int, int]) -> None:
    ratelimit.hit(scope=scope, key=actor.pk, limit=limit[0], window_s=limit[1])
