"""Errors and small helpers shared by the marketplace services."""

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hub import errors as hub_errors
from hub.oncommit import on_commit
from marketplace import tasks

# The kinds of refusal are hub's (``hub.errors``), so ``except hub.errors.NotPermitted``
# catches every app's; each names the hub class first, which gives it its status
# and default message, and ``MarketplaceError`` second, which marks it as this app's.


class MarketplaceError(hub_errors.ApplicationError):
    """A refused action; ``message`` is shown to the user as it is."""


class NotPermitted(hub_errors.NotPermitted, MarketplaceError):
    """Not this person's to do (403)."""


class NotVisible(hub_errors.NotFound, MarketplaceError):
    """A listing the person may not see, answered as not found (404)."""

    default_message = _("This listing is not available to you.")


class InvalidState(hub_errors.Conflict, MarketplaceError):
    """Not possible in the listing's or answer's current state (409)."""


class ListingInvalid(MarketplaceError):
    """Fields of a listing that are wrong: ``errors`` maps each to its messages."""

    status = 422
    default_message = _("Please check the fields marked.")

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(
            " ".join(str(m) for ms in errors.values() for m in ms) or None,
            errors=errors,
        )


class LocationUnknown(MarketplaceError):
    status = 422
    default_message = _(
        "We could not find this address. Check the spelling, add the town, "
        "or pick the point on the map instead."
    )

    def __init__(self, message=None) -> None:
        super().__init__(message, field="address")


class PlaceUnknown(LocationUnknown):
    """A place typed into a search that no geocoder knows; the message names it."""

    def __init__(self, place: str) -> None:
        super().__init__(
            _(
                "We could not find the place “%(place)s”. Check the spelling, "
                "or try a town name."
            )
            % {"place": place}
        )


class BookingConflict(hub_errors.Conflict, MarketplaceError):
    """The dates overlap another booking (409); ``free`` lists the free ranges."""

    default_message = _("Those dates are already booked.")

    def __init__(self, message=None, *, free=()) -> None:
        super().__init__(message)
        self.free = list(free)


def require_user(user: User) -> None:
    if not user.is_authenticated or not user.is_active:
        raise NotPermitted(_("Please log in first."))


def notify(kind: str, *, user_id: int, object_id: int) -> None:
    """Schedule one notification e-mail after commit."""
    on_commit(
        lambda: tasks.send_notice.enqueue(
            kind=kind, user_id=user_id, object_id=object_id
        ),
        what=f"{kind} e-mail to user {user_id}",
    )
