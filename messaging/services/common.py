"""Errors and constants shared by the messaging services (the rate limits are
named in ``hub.limits``)."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from hub import errors as hub_errors

EDIT_WINDOW = timedelta(minutes=15)


class MessagingError(hub_errors.ApplicationError):
    """A change that is not allowed; the message is shown to the user."""

    default_message = _("This change is not allowed.")


# hub's kind of refusal first: it gives the status and the default message, so
# ``except hub.errors.NotPermitted`` catches this app's too.
class NotPermitted(hub_errors.NotPermitted, MessagingError):
    """Not this person's to do (403)."""


class MessageInvalid(MessagingError):
    default_message = _("This message cannot be sent.")
