"""The marketplace's pages: thin adapters that validate input, call one service
or selector, and render or redirect. The rules (who may do what, how far away
a listing is) live in ``marketplace.selectors``; the writes in
``marketplace.services``."""

from .bookings import book, booking_action
from .browse import listing_list, tag_suggest
from .detail import listing_detail
from .listings import (
    listing_action,
    listing_create,
    listing_edit,
    listing_renew,
    photo_delete,
)
from .personal import alerts, mine, watch_delete, watches
from .responses import match_action, match_detail, respond, response_action

__all__ = [
    "alerts",
    "book",
    "booking_action",
    "listing_action",
    "listing_create",
    "listing_detail",
    "listing_edit",
    "listing_list",
    "listing_renew",
    "match_action",
    "match_detail",
    "mine",
    "photo_delete",
    "respond",
    "response_action",
    "tag_suggest",
    "watch_delete",
    "watches",
]
