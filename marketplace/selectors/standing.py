"""Where one viewer stands with one listing or match: whose it is, what they may
do with it, and how far away it is. The pages read these rules here instead of
working them out themselves."""

from dataclasses import dataclass

from accounts.models import User
from hub import geo

from ..models import Listing, Match, Response
from .personal import responses_for_listing, user_centre
from .visibility import AnyUser


@dataclass(frozen=True)
class ListingStanding:
    """What ``viewer`` sees of one listing besides the listing itself.

    ``responses`` are all of them for the author and the viewer's own for anyone
    else; ``matches`` are the author's only; ``distance_km`` is rounded, from the
    viewer's home village, and never shown to the author.
    """

    is_author: bool
    responses: list[Response]
    my_response: Response | None
    can_respond: bool
    centre: geo.GeoPoint | None
    distance_km: float | None
    matches: list[Match]


def is_author(*, viewer: AnyUser, listing: Listing) -> bool:
    """Whether ``viewer`` posted ``listing`` (the lender, for a lending)."""
    return viewer.is_authenticated and listing.author_id == viewer.pk


def can_respond(
    *, viewer: AnyUser, listing: Listing, my_response: Response | None
) -> bool:
    """Anyone signed in but the author may answer an open listing, once; an
    answer they withdrew does not count."""
    return (
        viewer.is_authenticated
        and not is_author(viewer=viewer, listing=listing)
        and listing.is_open
        and (my_response is None or my_response.state == Response.State.WITHDRAWN)
    )


def distance_km(centre: geo.GeoPoint | None, listing: Listing) -> float | None:
    """The rounded distance from ``centre`` to the listing's public point (never
    the exact one); None without a centre."""
    if centre is None:
        return None
    return geo.round_distance_km(
        geo.geodesic_km(
            centre.latitude,
            centre.longitude,
            listing.public_latitude,
            listing.public_longitude,
        )
    )


def listing_standing(*, viewer: AnyUser, listing: Listing) -> ListingStanding:
    """Where ``viewer`` stands with ``listing``, which they may see (the caller
    read it through ``listing_for_viewer``)."""
    author = is_author(viewer=viewer, listing=listing)
    responses = list(responses_for_listing(viewer=viewer, listing=listing))
    mine = next((r for r in responses if r.responder_id == viewer.pk), None)
    centre = user_centre(viewer)
    return ListingStanding(
        is_author=author,
        responses=responses,
        my_response=mine,
        can_respond=can_respond(viewer=viewer, listing=listing, my_response=mine),
        centre=centre,
        distance_km=None if author else distance_km(centre, listing),
        matches=list(listing.matches.select_related("helper")) if author else [],
    )


def own_listing(*, viewer: AnyUser, pk: int) -> Listing | None:
    """Listing ``pk`` when ``viewer`` posted it, in any state; else None."""
    if not viewer.is_authenticated:
        return None
    return Listing.objects.filter(pk=pk, author=viewer).first()


@dataclass(frozen=True)
class MatchStanding:
    """Which side of a match the viewer is on, and who is on the other."""

    is_author: bool
    counterpart: User


def match_standing(*, viewer: User, match: Match) -> MatchStanding:
    """``viewer``'s side of ``match``, one of its two sides (``match_for_viewer``)."""
    author = match.author_id == viewer.pk
    return MatchStanding(
        is_author=author, counterpart=match.helper if author else match.author
    )
