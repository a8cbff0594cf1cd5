from django.utils.translation import gettext_lazy as _

from hub.errors import ApplicationError, Conflict


class AgendaError(ApplicationError):
    """A calendar action refused."""


class BookingConflict(Conflict):
    """The facility is taken then. ``extra["clashes"]`` holds the bookings in the
    way and ``extra["free"]`` the free slots of that day."""

    default_message = _("The facility is already booked then.")
