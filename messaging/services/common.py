"""Errors and constants shared by the messaging services (the rate limits are
named in ``hub.limits``)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from hub.errors import ApplicationError

EDIT_WINDOW = timedelta(minutes=15)


class MessagingError(ApplicationError):
    """A change that is not allowed; the message is shown to the user."""

    default_message = _("This change is not allowed.")


class NotPermitted(MessagingError):
    status = 403
    default_message = _("You do not have permission to do this.")


class MessageInvalid(MessagingError):
    default_message = _("This message cannot be sent.")
