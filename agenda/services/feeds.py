"""Secret feed addresses: made on request, revoked by their owner.

A feed belongs to one person: their own calendar, or their view of a portal or
a facility (what the feed shows is what that person may see, read afresh on
every fetch: agenda.feeds). Anyone holding the address reads it, so only its
owner may see it or replace it; revoking ends the old address at once.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from communities.models import Community
from communities.selectors import can_view_community
from hub import ratelimit
from hub.errors import NotPermitted

from ..errors import AgendaError
from ..models import Facility, Feed


def _subject(kind: str, actor: User, community, facility) -> dict:
    """The feed's subject fields, refusing what ``actor`` may not have."""
    if not actor.is_authenticated or not actor.is_active:
        raise NotPermitted(_("Log in to get a calendar feed."))
    if kind == Feed.Kind.PERSON:
        if community is not None or facility is not None:
            raise AgendaError(_("A personal feed is only about you."))
        return {"user": actor}
    if kind == Feed.Kind.COMMUNITY:
        if not isinstance(community, Community) or facility is not None:
            raise AgendaError(_("Choose the portal of the feed."))
        if not can_view_community(user=actor, community=community):
            raise NotPermitted(_("Only its members can follow this portal."))
        return {"community": community}
    if kind == Feed.Kind.FACILITY:
        if not isinstance(facility, Facility) or community is not None:
            raise AgendaError(_("Choose the facility of the feed."))
        return {"facility": facility}
    raise AgendaError(_("Choose which calendar the feed is of."))


def feed_get_or_create(
    *,
    actor: User,
    kind: str,
    community: Community | None = None,
    facility: Facility | None = None,
) -> tuple[Feed, bool]:
    """``actor``'s live feed of their own calendar (``kind`` PERSON), of a
    portal they may see (COMMUNITY) or of a facility (FACILITY); made when they
    have none. Returns the feed and whether it is new."""
    subject = _subject(kind, actor, community, facility)
    # A person's feed is owned by its user; any other by who made it.
    owner = {} if kind == Feed.Kind.PERSON else {"created_by": actor}
    lookup = {"kind": kind, **subject, **owner}
    with transaction.atomic():
        # One live feed per owner and subject: concurrent first visits wait on
        # the owner's row (PostgreSQL; SQLite writes one at a time).
        User.objects.select_for_update().filter(pk=actor.pk).first()
        found = Feed.objects.filter(revoked_at__isnull=True, **lookup).first()
        if found is not None:
            return found, False
        feed = Feed.objects.create(kind=kind, created_by=actor, **subject)
    return feed, True


def may_hold(actor: User, feed: Feed) -> bool:
    """Whether ``feed`` is ``actor``'s own: only they see or replace it."""
    if not actor.is_authenticated:
        return False
    if feed.kind == Feed.Kind.PERSON:
        return feed.user_id == actor.pk
    return feed.created_by_id == actor.pk


def feed_revoke(*, actor: User, feed: Feed) -> Feed | None:
    """End ``feed``'s address at once and give its owner a new one of the same
    calendar. Returns the new feed, or None when the owner may no longer have
    one (they left the members-only portal: the old address is ended all the
    same)."""
    if not may_hold(actor, feed):
        raise NotPermitted(_("Only its owner can revoke a calendar feed."))
    ratelimit.hit("feed-revoke", key=actor.pk)
    with transaction.atomic():
        feed = Feed.objects.select_for_update().get(pk=feed.pk)
        if feed.revoked_at is not None:
            raise AgendaError(_("This address has already been revoked."))
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at", "updated_at"])
        try:
            subject = _subject(feed.kind, actor, feed.community, feed.facility)
        except NotPermitted:
            return None
        return Feed.objects.create(kind=feed.kind, created_by=actor, **subject)
