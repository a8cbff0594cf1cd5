"""Who may see which listing, and the one reader of a private location.

Visibility of a listing: its author, municipal staff and the other side of one of
its matches always see it. Anyone else sees it once published when it is shared
with "everyone nearby", in a public community, or in a community they are an
active member of. A listing hidden by moderation (``hidden_at``) is seen by its
author and municipal staff only; a hidden photo by the author only. The private
location is read only by ``private_location``.
"""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import is_municipal_staff

from ..models import Listing, ListingLocation, ListingPhoto, Match

AnyUser = User | AnonymousUser
PER_PAGE = 20
PUBLISHED = (Listing.State.OPEN, Listing.State.MATCHED, Listing.State.DONE)


def audience_q(user: AnyUser) -> Q:
    """Listings shared with ``user``'s audience (not counting authorship)."""
    shared = Listing.communities.through.objects.filter(listing_id=OuterRef("pk"))
    reach = Q(community__visibility=Community.Visibility.PUBLIC)
    if user.is_authenticated:
        # A subquery, not a list: one round trip less on every search.
        mine = Membership.objects.filter(user=user, state=Membership.State.ACTIVE)
        reach |= Q(community_id__in=mine.values("community_id"))
    return Q(everyone_nearby=True) | Exists(shared.filter(reach))


def visible_listings(user: AnyUser) -> QuerySet[Listing]:
    """Published listings ``user`` may see, plus their own in any state.

    Staff see hidden listings too; a matched counterpart does not."""
    qs = Listing.objects.all()
    if is_municipal_staff(user):
        return qs.exclude(state=Listing.State.DRAFT)
    published = Q(state__in=PUBLISHED) & audience_q(user)
    shown = Q(hidden_at__isnull=True)
    if user.is_authenticated:
        counterpart = Exists(
            Match.objects.filter(listing_id=OuterRef("pk"), helper=user)
        )
        return qs.filter(Q(author=user) | (shown & (published | counterpart)))
    return qs.filter(shown & published)


def visible_photos(user: AnyUser) -> QuerySet[ListingPhoto]:
    """Photos ``user`` may see of a listing they may see: all of their own
    listing's, hidden ones included; of anyone else's only those not hidden."""
    shown = Q(hidden_at__isnull=True)
    if user.is_authenticated:
        shown |= Q(listing__author=user)
    return ListingPhoto.objects.filter(shown)


def not_ended_q(now: datetime | None = None) -> Q:
    """Listings whose end (``ends_at``), if they have one, has not passed."""
    return Q(ends_at__isnull=True) | Q(ends_at__gt=now or timezone.now())


def as_shown(listing: Listing, now: datetime | None = None) -> Listing:
    """``listing`` as people see it: open with its end passed, it is expired.

    The maintenance job marks such listings expired every few minutes; until it
    has, this keeps them from being shown (and answered, or booked) as open.
    Only the instance changes, never the row.
    """
    ended = listing.ends_at is not None and listing.ends_at <= (now or timezone.now())
    if listing.state == Listing.State.OPEN and ended:
        listing.state = Listing.State.EXPIRED
    return listing


def listing_for_viewer(*, viewer: AnyUser, pk: int) -> Listing | None:
    """One listing with author, tags and photos, or None when hidden from ``viewer``.

    Its ``photos`` are those ``viewer`` may see (``visible_photos``). An open
    listing whose end has passed comes back expired (``as_shown``).
    """
    listing = (
        visible_listings(viewer)
        .select_related("author")
        .prefetch_related(
            "tags",
            Prefetch("photos", queryset=visible_photos(viewer)),
            "communities",
        )
        .filter(pk=pk)
        .first()
    )
    return as_shown(listing) if listing is not None else None


def can_view_listing(*, user: AnyUser, listing: Listing) -> bool:
    return visible_listings(user).filter(pk=listing.pk).exists()


def private_location(*, viewer: AnyUser, listing: Listing) -> ListingLocation | None:
    """The exact point and address: for the author and a matched counterpart only."""
    if not viewer.is_authenticated:
        return None
    allowed = listing.author_id == viewer.pk or (
        Match.objects.filter(
            listing=listing,
            helper=viewer,
            state__in=[Match.State.ACTIVE, Match.State.DONE],
        ).exists()
    )
    if not allowed:
        return None
    return ListingLocation.objects.filter(listing=listing).first()
