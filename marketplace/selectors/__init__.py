"""Reads of the marketplace, scoped by who may see what, and radius search.

Visibility of a listing: its author, municipal staff and the other side of one of
its matches always see it. Anyone else sees it once published when it is shared
with "everyone nearby", in a public community, or in a community they are an
active member of. The private location is read only by ``private_location``.
"""

from .personal import (
    active_match_count,
    alerts_for,
    bookings_for_listing,
    community_places,
    free_ranges,
    holding_bookings,
    match_for_viewer,
    my_bookings,
    my_listings,
    my_matches,
    my_responses,
    responses_for_listing,
    tag_suggestions,
    unseen_alert_count,
    user_centre,
    watches_for,
)
from .search import (
    CARD_FIELDS,
    COUNT_CAP,
    PLANE_ERROR_PER_KM2,
    PLANE_MIN_TOLERANCE,
    PLANE_TOLERANCE_FAR,
    Circle,
    FirstPhoto,
    Hit,
    SearchResult,
    TagNames,
    listing_search,
)
from .visibility import (
    PER_PAGE,
    PUBLISHED,
    AnyUser,
    as_shown,
    can_view_listing,
    listing_for_viewer,
    not_ended_q,
    private_location,
    visible_listings,
)

__all__ = [
    "CARD_FIELDS",
    "COUNT_CAP",
    "PER_PAGE",
    "PLANE_ERROR_PER_KM2",
    "PLANE_MIN_TOLERANCE",
    "PLANE_TOLERANCE_FAR",
    "PUBLISHED",
    "AnyUser",
    "Circle",
    "FirstPhoto",
    "Hit",
    "SearchResult",
    "TagNames",
    "active_match_count",
    "alerts_for",
    "as_shown",
    "bookings_for_listing",
    "can_view_listing",
    "community_places",
    "free_ranges",
    "holding_bookings",
    "listing_for_viewer",
    "listing_search",
    "match_for_viewer",
    "my_bookings",
    "my_listings",
    "my_matches",
    "my_responses",
    "not_ended_q",
    "private_location",
    "responses_for_listing",
    "tag_suggestions",
    "unseen_alert_count",
    "user_centre",
    "visible_listings",
    "watches_for",
]
