"""Reads for a resident's own hub home: what is new in her villages and
associations, listings near her, messages waiting and what waits for her answer.

Cms is the top layer, so it reads the other apps through their selectors; each
section here is one or a few queries whatever the person's numbers are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import join_requests_waiting, user_memberships
from hub import geo
from marketplace import selectors as marketplace_selectors
from messaging import selectors as messaging_selectors
from messaging.models import ChannelShare, Conversation

from . import selectors

if TYPE_CHECKING:
    from .models import EventPage, NewsPage, PortalPage

NEWS_LIMIT = 4
EVENTS_LIMIT = 4
LISTINGS_LIMIT = 4
CONVERSATIONS_LIMIT = 3
# How far "near you" reaches from the home village's centre: as far as the
# marketplace's own list reaches without a radius chosen, which it links on to.
NEAR_KM = 10.0


@dataclass
class Waiting:
    """What waits for the resident's answer, each part with where to answer it."""

    answers: marketplace_selectors.AnswersWaiting
    invitations: list[Membership] = field(default_factory=list)
    join_requests: list[Community] = field(default_factory=list)
    shares: list[ChannelShare] = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            self.answers.total
            + len(self.invitations)
            + sum(c.requests_count for c in self.join_requests)
            + len(self.shares)
        )


@dataclass
class PersonalHome:
    """The sections of a logged-in resident's hub home."""

    my_portals: list[PortalPage]
    news: list[NewsPage]
    events: list[EventPage]
    centre: geo.GeoPoint | None
    listings: list[marketplace_selectors.Hit]
    unread_count: int
    conversations: list[Conversation]
    waiting: Waiting
    near_km: float = NEAR_KM


def personal_home(*, user: User, portals: list[PortalPage]) -> PersonalHome:
    """The resident's home from ``portals`` (every live portal, as the hub home
    lists them, so hers need no query of their own).

    News and events come from the portals of her active memberships only; the
    listings are open ones she may see, nearest her home village first (newest
    first without one); the messages are conversations she may read with
    something unread; and what waits is answers to her listings, booking
    requests, invitations to her, and, where she organises, requests to join and
    channels shared with her community."""
    memberships = list(user_memberships(user))
    active = {m.community_id for m in memberships if m.is_active}
    mine = [p for p in portals if p.community_id in active]
    centre = marketplace_selectors.user_centre(user)
    unread_count, conversations = messaging_selectors.unread_conversations(
        user, limit=CONVERSATIONS_LIMIT
    )
    return PersonalHome(
        my_portals=mine,
        news=selectors.news_in_portals(mine, limit=NEWS_LIMIT),
        events=selectors.events_in_portals(mine, limit=EVENTS_LIMIT),
        centre=centre,
        listings=_listings_near(user, centre),
        unread_count=unread_count,
        conversations=conversations,
        waiting=Waiting(
            answers=marketplace_selectors.answers_waiting(user),
            invitations=[m for m in memberships if m.state == Membership.State.INVITED],
            join_requests=join_requests_waiting(user),
            shares=messaging_selectors.share_invitations_waiting(user),
        ),
    )


def _listings_near(
    user: User, centre: geo.GeoPoint | None
) -> list[marketplace_selectors.Hit]:
    result = marketplace_selectors.listing_search(
        viewer=user,
        latitude=centre.latitude if centre else None,
        longitude=centre.longitude if centre else None,
        radius_km=NEAR_KM,
        per_page=LISTINGS_LIMIT,
    )
    return result.hits
