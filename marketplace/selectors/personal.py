"""The viewer's own listings, responses, matches, bookings, watches and alerts;
tag suggestions and the places a search can start from."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from taggit.models import Tag

from communities.models import Community
from hub import geo

from ..models import Booking, Listing, Match, Response, Watch, WatchHit
from .visibility import AnyUser, as_shown, visible_listings

# --- the viewer's own things ---------------------------------------------------------


# An answer waiting for the author: pending, and not hidden from her by moderation.
_pending_shown = Q(
    responses__state=Response.State.PENDING, responses__hidden_at__isnull=True
)

# Someone else's listing on the viewer's own pages: not one hidden by moderation.
_shown_listing = Q(listing__hidden_at__isnull=True)


def my_listings(user: AnyUser) -> list[Listing]:
    """The user's listings, newest first, with ``pending_count``; one whose end
    has passed shows as expired (``as_shown``)."""
    if not user.is_authenticated:
        return []
    listings = (
        Listing.objects.filter(author=user)
        .annotate(pending_count=Count("responses", filter=_pending_shown))
        .order_by("-created_at")
    )
    now = timezone.now()
    return [as_shown(listing, now) for listing in listings]


def my_responses(user: AnyUser) -> QuerySet[Response]:
    """The user's answers (hidden ones too, which the page marks), except those
    to a listing hidden by moderation."""
    if not user.is_authenticated:
        return Response.objects.none()
    return (
        Response.objects.filter(_shown_listing, responder=user)
        .select_related("listing", "listing__author", "match")
        .order_by("-created_at")
    )


def my_matches(user: AnyUser) -> QuerySet[Match]:
    """The user's matches on either side; as the helper, not on a listing hidden
    by moderation."""
    if not user.is_authenticated:
        return Match.objects.none()
    return (
        Match.objects.filter(Q(author=user) | Q(_shown_listing, helper=user))
        .select_related("listing", "author", "helper")
        .order_by("-created_at")
    )


def responses_for_listing(*, viewer: AnyUser, listing: Listing) -> QuerySet[Response]:
    """All responses not hidden by moderation, for the author only; otherwise
    just the viewer's own, hidden or not."""
    if not viewer.is_authenticated:
        return Response.objects.none()
    qs = Response.objects.filter(listing=listing).select_related("responder", "match")
    if listing.author_id == viewer.pk:
        return qs.filter(hidden_at__isnull=True)
    return qs.filter(responder=viewer)


def match_for_viewer(*, viewer: AnyUser, pk: int) -> Match | None:
    """A match, for its two sides only; not for the helper once the listing is
    hidden by moderation."""
    if not viewer.is_authenticated:
        return None
    return (
        Match.objects.select_related("listing", "author", "helper", "response")
        .filter(Q(author=viewer) | Q(_shown_listing, helper=viewer), pk=pk)
        .first()
    )


def active_match_count(listing: Listing) -> int:
    return Match.objects.filter(
        listing=listing, state__in=[Match.State.ACTIVE, Match.State.DONE]
    ).count()


@dataclass(frozen=True)
class AnswersWaiting:
    """What waits for an author's answer on her listings."""

    responses: int  # answers to her listings, pending
    bookings: int  # requests to borrow her things, not yet confirmed

    @property
    def total(self) -> int:
        return self.responses + self.bookings


def answers_waiting(user: AnyUser) -> AnswersWaiting:
    """The pending responses to ``user``'s listings and the booking requests of
    her things she has not answered, counted in one query (the same responses
    as ``my_listings``' ``pending_count``)."""
    if not user.is_authenticated:
        return AnswersWaiting(0, 0)
    counts = Listing.objects.filter(author=user).aggregate(
        responses=Count("responses", filter=_pending_shown, distinct=True),
        bookings=Count(
            "bookings",
            filter=Q(bookings__state=Booking.State.REQUESTED),
            distinct=True,
        ),
    )
    return AnswersWaiting(counts["responses"] or 0, counts["bookings"] or 0)


# --- lending -------------------------------------------------------------------------


def holding_bookings(listing: Listing) -> QuerySet[Booking]:
    """Bookings that occupy the item's calendar."""
    return Booking.objects.filter(listing=listing, state__in=Booking.HOLDING)


def bookings_for_listing(*, viewer: AnyUser, listing: Listing) -> QuerySet[Booking]:
    """All bookings for the lender; the borrower's own for anyone else."""
    if not viewer.is_authenticated:
        return Booking.objects.none()
    qs = Booking.objects.filter(listing=listing).select_related("borrower")
    if listing.author_id == viewer.pk:
        return qs.order_by("starts_on")
    return qs.filter(borrower=viewer).order_by("starts_on")


def free_ranges(
    listing: Listing, *, start: date | None = None, days: int = 60
) -> list[tuple[date, date]]:
    """Free whole-day ranges (both ends included) from ``start`` for ``days`` days."""
    start = start or timezone.localdate()
    end = start + timedelta(days=days - 1)
    busy = holding_bookings(listing).filter(ends_on__gte=start, starts_on__lte=end)
    free, cursor = [], start
    for b_start, b_end in busy.order_by("starts_on").values_list(
        "starts_on", "ends_on"
    ):
        if b_start > cursor:
            free.append((cursor, min(end, b_start - timedelta(days=1))))
        cursor = max(cursor, b_end + timedelta(days=1))
    if cursor <= end:
        free.append((cursor, end))
    return free


def my_bookings(user: AnyUser) -> QuerySet[Booking]:
    """Bookings of the user's things and by the user, except of someone else's
    thing hidden by moderation."""
    if not user.is_authenticated:
        return Booking.objects.none()
    return (
        Booking.objects.filter(
            Q(_shown_listing, borrower=user) | Q(listing__author=user)
        )
        .select_related("listing", "borrower", "listing__author")
        .order_by("starts_on")
    )


# --- watches, alerts, tags -----------------------------------------------------------


def watches_for(user: AnyUser) -> QuerySet[Watch]:
    if not user.is_authenticated:
        return Watch.objects.none()
    return Watch.objects.filter(user=user).order_by("-created_at")


def alerts_for(user: AnyUser) -> QuerySet[WatchHit]:
    """The user's alerts, newest first, hiding listings they may no longer see."""
    if not user.is_authenticated:
        return WatchHit.objects.none()
    return (
        WatchHit.objects.filter(
            watch__user=user, listing__in=visible_listings(user).values("pk")
        )
        .select_related("listing", "watch")
        .order_by("-created_at")
    )


def unseen_alert_count(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return WatchHit.objects.filter(
        watch__user=user, seen_at__isnull=True, listing__hidden_at__isnull=True
    ).count()


def tag_suggestions(prefix: str, *, limit: int = 10) -> list[str]:
    """Existing tag names starting with ``prefix``, the most used first."""
    qs = Tag.objects.all()
    prefix = (prefix or "").strip()
    if prefix:
        qs = qs.filter(name__istartswith=prefix)
    return list(
        qs.annotate(uses=Count("taggit_taggeditem_items"))
        .order_by("-uses", "name")
        .values_list("name", flat=True)[:limit]
    )


def user_centre(user: AnyUser) -> geo.GeoPoint | None:
    """Where "near me" starts without a typed address: the home village's centre."""
    if not user.is_authenticated or user.home_community_id is None:
        return None
    community = user.home_community
    if not community.has_point:
        return None
    return geo.GeoPoint(community.latitude, community.longitude, community.name)


def community_places() -> list[geo.GeoPoint]:
    """The communities' own centres, which the offline geocoder knows by name."""
    return [
        geo.GeoPoint(lat, lon, name)
        for name, lat, lon in Community.objects.filter(
            latitude__isnull=False
        ).values_list("name", "latitude", "longitude")
    ]
