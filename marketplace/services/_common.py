"""Errors and small helpers shared by the marketplace services."""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from marketplace import tasks

logger = logging.getLogger("marketplace.services")


class MarketplaceError(Exception):
    """A refused action; ``message`` is shown to the user as it is."""

    default_message = _("This is not possible.")

    def __init__(self, message=None) -> None:
        self.message = message or self.default_message
        super().__init__(str(self.message))


class NotPermitted(MarketplaceError):
    default_message = _("You do not have permission to do this.")


class NotVisible(MarketplaceError):
    default_message = _("This listing is not available to you.")


class InvalidState(MarketplaceError):
    default_message = _("This cannot be done at this stage.")


class ListingInvalid(MarketplaceError):
    """Fields of a listing that are wrong: ``errors`` maps each to its messages."""

    default_message = _("Please check the fields marked.")

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__(" ".join(m for ms in errors.values() for m in ms) or None)


class LocationUnknown(MarketplaceError):
    default_message = _(
        "We could not find this address. Check the spelling, add the town, "
        "or pick the point on the map instead."
    )


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


class BookingConflict(MarketplaceError):
    """The dates overlap another booking; ``free`` lists the free ranges."""

    default_message = _("Those dates are already booked.")

    def __init__(self, message=None, *, free=()) -> None:
        super().__init__(message)
        self.free = list(free)


def require_user(user: User) -> None:
    if not user.is_authenticated or not user.is_active:
        raise NotPermitted(_("Please log in first."))


def after_commit(name: str, fn: Callable[[], object]) -> None:
    """Run a side effect after the transaction commits; a failure is only logged."""

    def _run() -> None:
        try:
            fn()
        except Exception:  # a side effect must never undo the write
            logger.exception("side effect %s failed", name)

    transaction.on_commit(_run)


def notify(kind: str, *, user_id: int, object_id: int) -> None:
    """Schedule one notification e-mail after commit."""
    after_commit(
        f"email:{kind}",
        lambda: tasks.send_notice.enqueue(
            kind=kind, user_id=user_id, object_id=object_id
        ),
    )
