"""Reads of the calendar feeds: a live feed by its address, what each feed
holds as its owner may see it now, and the feeds page's choices.

Each feed's reads are a fixed number of queries however many events it holds:
only the dates that differ from their series' rule are loaded (``feed_dates``
on each event), never the whole series."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import AnyUser, is_municipal_staff

from . import permissions
from .models import Booking, Event, Facility, Feed, Occurrence, Signup
from .selectors import visible_events_q

# How far back a feed reaches: an event shows while any of its dates ended
# less than this long ago (a series shows whole).
PAST = timedelta(days=183)
# The occurrences a series' VEVENT cannot say by its rule: moved, cancelled,
# left out. The one date of a single event is needed whatever its state.
_IRREGULAR = (
    Q(moved=True)
    | ~Q(state=Occurrence.State.SCHEDULED)
    | ~Q(starts_at=F("original_start"))
    | Q(event__rrule="")
)


def feed_by_token(token: str) -> Feed | None:
    """The live feed of ``token`` with its subject and owner, or None when the
    address is unknown, revoked, or its owner's account is gone or closed."""
    feed = (
        Feed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("community", "facility", "user", "created_by")
        .first()
    )
    if feed is None:
        return None
    owner = feed_owner(feed)
    if owner is None or not owner.is_active:
        return None
    return feed


def feed_owner(feed: Feed) -> User | None:
    """Whose feed it is: the person of a personal feed, else who made it."""
    return feed.user if feed.kind == Feed.Kind.PERSON else feed.created_by


def _since() -> datetime:
    return timezone.now() - PAST


def _with_dates(events: QuerySet[Event]) -> QuerySet[Event]:
    """``events`` that have a date since PAST, with what their VEVENTs need."""
    recent = Occurrence.objects.filter(event=OuterRef("pk"), ends_at__gte=_since())
    return (
        events.filter(Exists(recent))
        .select_related("community", "facility")
        .prefetch_related(
            Prefetch(
                "occurrences",
                queryset=Occurrence.objects.filter(_IRREGULAR).order_by(
                    "original_start", "pk"
                ),
                to_attr="feed_dates",
            )
        )
        .order_by("starts_at", "pk")
    )


def community_events(*, community: Community, viewer: AnyUser) -> QuerySet[Event]:
    """The events of ``community`` that ``viewer`` may see (members-only ones
    for its members and organisers)."""
    return _with_dates(
        Event.objects.filter(community=community).filter(visible_events_q(viewer))
    )


def facility_events(*, facility: Facility, viewer: AnyUser) -> QuerySet[Event]:
    return _with_dates(
        Event.objects.filter(facility=facility).filter(visible_events_q(viewer))
    )


def facility_bookings(*, facility: Facility, viewer: AnyUser) -> QuerySet[Booking]:
    """Approved bookings of ``facility`` not shown as an event: the public
    ones for everyone; for its managers also the private ones and those of
    events they cannot see (so the hall never looks free when it is not)."""
    shown = Q(occurrence__isnull=True, is_public=True)
    if permissions.can_manage_facility(viewer, facility):
        shown = Q(occurrence__isnull=True)
        visible = visible_events_q(viewer, "occurrence__event__")
        if visible:  # empty for staff, who see every event
            shown |= Q(occurrence__isnull=False) & ~visible
    return (
        Booking.objects.filter(
            facility=facility, state=Booking.State.APPROVED, ends_at__gte=_since()
        )
        .filter(shown)
        .select_related("facility", "community")
        .order_by("starts_at", "pk")
    )


def community_bookings(*, community: Community, viewer: AnyUser) -> QuerySet[Booking]:
    """Approved bookings made for ``community`` without an event: public ones,
    and all of them for its organisers."""
    bookings = Booking.objects.filter(
        community=community,
        state=Booking.State.APPROVED,
        occurrence__isnull=True,
        ends_at__gte=_since(),
    )
    if not permissions.can_organise(viewer, community):
        bookings = bookings.filter(is_public=True)
    return bookings.select_related("facility", "community").order_by("starts_at", "pk")


def person_signups(*, user: User) -> QuerySet[Signup]:
    """``user``'s going and maybe answers to dates they may still see."""
    return (
        Signup.objects.filter(
            user=user,
            response__in=[Signup.Response.GOING, Signup.Response.MAYBE],
            occurrence__ends_at__gte=_since(),
        )
        .exclude(occurrence__state=Occurrence.State.EXCLUDED)
        .filter(visible_events_q(user, "occurrence__event__"))
        .select_related("occurrence__event__community", "occurrence__event__facility")
        .order_by("occurrence__starts_at", "pk")
    )


def person_bookings(*, user: User) -> QuerySet[Booking]:
    """Bookings ``user`` asked for directly (not those held for an event's
    dates: the event is in its organisers' feeds), pending or approved."""
    return (
        Booking.objects.filter(
            requested_by=user,
            occurrence__isnull=True,
            state__in=Booking.LIVE_STATES,
            ends_at__gte=_since(),
        )
        .select_related("facility", "community")
        .order_by("starts_at", "pk")
    )


@dataclass
class FeedChoice:
    """A calendar the feeds page offers: its subject, and the person's live
    feed of it when they have one."""

    kind: str
    name: str
    subject_id: int | None = None
    feed: Feed | None = None
    # Its https:// and webcal:// addresses, which the page adds (they need
    # the request's host).
    addresses: dict = field(default_factory=dict)


@dataclass
class FeedChoices:
    person: FeedChoice
    communities: list[FeedChoice] = field(default_factory=list)
    facilities: list[FeedChoice] = field(default_factory=list)


def feed_choices(user: User) -> FeedChoices:
    """The feeds page of ``user``: their own calendar, each portal they
    organise and each facility they manage (and any other portal or facility
    they already have a feed of), each with its live feed or none. Three
    queries, besides the staff check."""
    feeds = Feed.objects.filter(revoked_at__isnull=True).filter(
        Q(kind=Feed.Kind.PERSON, user=user)
        | Q(kind__in=[Feed.Kind.COMMUNITY, Feed.Kind.FACILITY], created_by=user)
    )
    person: Feed | None = None
    by_community: dict[int, Feed] = {}
    by_facility: dict[int, Feed] = {}
    communities: dict[int, Community] = {}
    facilities: dict[int, Facility] = {}
    for feed in feeds.select_related("community", "facility").order_by("pk"):
        if feed.kind == Feed.Kind.PERSON:
            person = person or feed
        elif feed.kind == Feed.Kind.COMMUNITY:
            by_community.setdefault(feed.community_id, feed)
            communities[feed.community_id] = feed.community
        else:
            by_facility.setdefault(feed.facility_id, feed)
            facilities[feed.facility_id] = feed.facility
    organised = list(
        Membership.objects.filter(
            user=user, state=Membership.State.ACTIVE, role=Membership.Role.ORGANISER
        ).select_related("community")
    )
    for membership in organised:
        communities[membership.community_id] = membership.community
    managed = Facility.objects.all()
    if not is_municipal_staff(user):
        managed = managed.filter(owner__in=[m.community_id for m in organised])
    for facility in managed:
        facilities[facility.pk] = facility
    return FeedChoices(
        person=FeedChoice(Feed.Kind.PERSON, _("Your own calendar"), None, person),
        communities=[
            FeedChoice(Feed.Kind.COMMUNITY, c.name, c.pk, by_community.get(c.pk))
            for c in sorted(communities.values(), key=lambda c: c.name.lower())
        ],
        facilities=[
            FeedChoice(Feed.Kind.FACILITY, f.name, f.pk, by_facility.get(f.pk))
            for f in sorted(facilities.values(), key=lambda f: f.name.lower())
        ],
    )


def feed_subject(feed: Feed) -> str:
    """What ``feed`` is a calendar of, for a person to read."""
    if feed.kind == Feed.Kind.COMMUNITY:
        return feed.community.name
    if feed.kind == Feed.Kind.FACILITY:
        return feed.facility.name
    return _("Your own calendar")
