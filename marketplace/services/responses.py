"""Responding and matching: respond, accept, decline, done, re-open, reveal."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from hub import ratelimit
from marketplace import selectors, threads
from marketplace.models import AddressReveal, Listing, ListingLocation, Match, Response
from moderation import audit, screening
from moderation.sanctions import require_may_write

from ._common import (
    InvalidState,
    MarketplaceError,
    NotPermitted,
    NotVisible,
    notify,
    require_user,
)
from .listings import default_expiry

RState = Response.State
MState = Match.State


def default_decline_text() -> str:
    """The kind words sent when the author says no without writing their own."""
    return gettext(
        "Thank you so much for offering. Someone else is already helping this time, "
        "but it means a lot that you answered. I hope we meet another time!"
    )


def response_create(*, responder: User, listing: Listing, message: str) -> Response:
    """Answer an open listing one may see. Never one's own; once per listing.

    Twenty responses an hour per person.
    """
    require_user(responder)
    if not selectors.can_view_listing(user=responder, listing=listing):
        raise NotVisible
    if listing.author_id == responder.pk:
        raise NotPermitted(_("You cannot respond to your own listing."))
    if listing.state != Listing.State.OPEN:
        raise InvalidState(_("This listing is not open for responses."))
    message = message.strip()
    if not message:
        raise MarketplaceError(_("Please write a short message."))
    require_may_write(
        responder,
        space_ids=listing.communities.values_list("pk", flat=True),
        text=message,
        action="response-create",
    )
    ratelimit.hit("response-create", key=responder.pk)
    with transaction.atomic():
        existing = Response.objects.filter(listing=listing, responder=responder).first()
        if existing and existing.state != RState.WITHDRAWN:
            raise MarketplaceError(_("You have already responded to this listing."))
        if existing:
            existing.message, existing.state, existing.reply = (
                message,
                RState.PENDING,
                "",
            )
            existing.save()
            response = existing
        else:
            response = Response.objects.create(
                listing=listing, responder=responder, message=message
            )
        screening.screen(
            kind="response",
            item=response,
            author=responder,
            text=message,
            space_ids=listing.communities.values_list("pk", flat=True),
        )
        notify("response_received", user_id=listing.author_id, object_id=response.pk)
    return response


def response_withdraw(*, actor: User, response: Response) -> Response:
    """The responder takes back a response that was not answered yet."""
    require_user(actor)
    if response.responder_id != actor.pk:
        raise NotPermitted
    if response.state != RState.PENDING:
        raise InvalidState(_("Only a response that is still waiting can be withdrawn."))
    response.state = RState.WITHDRAWN
    response.save(update_fields=["state", "updated_at"])
    return response


def _lock_for_author(actor: User, response: Response) -> tuple[Response, Listing]:
    require_user(actor)
    listing = Listing.objects.select_for_update().get(pk=response.listing_id)
    if listing.author_id != actor.pk:
        raise NotPermitted(_("Only the person who posted the listing can decide."))
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.hidden_at is not None:
        # Hidden from the author by moderation: not hers to answer either.
        raise NotVisible(_("This answer is not available to you."))
    if response.state != RState.PENDING:
        raise InvalidState(_("This response has already been answered."))
    return response, listing


def response_accept(*, actor: User, response: Response, reply: str = "") -> Match:
    """Accept a response: a match that reveals the address to both sides.

    Author only; up to ``helpers_needed`` matches for a volunteer call, one for
    everything else. The listing becomes matched when it has all the helpers it
    asked for. A private conversation for the two sides is opened with it.
    """
    with transaction.atomic():
        response, listing = _lock_for_author(actor, response)
        if listing.state != Listing.State.OPEN:
            raise InvalidState(_("This listing is not open any more."))
        taken = selectors.active_match_count(listing)
        if taken >= listing.helpers_needed:
            raise InvalidState(_("You already have all the helpers you asked for."))
        response.state, response.reply = RState.ACCEPTED, reply.strip()
        response.save(update_fields=["state", "reply", "updated_at"])
        match = Match.objects.create(
            listing=listing, response=response, author=actor, helper=response.responder
        )
        if taken + 1 >= listing.helpers_needed:
            listing.state = Listing.State.MATCHED
            listing.save(update_fields=["state", "updated_at"])
        threads.open_for_match(match)
        notify("response_accepted", user_id=match.helper_id, object_id=match.pk)
    return match


def response_decline(*, actor: User, response: Response, reply: str = "") -> Response:
    """Say no to a response, with the author's words or a kind default text."""
    with transaction.atomic():
        response, _listing = _lock_for_author(actor, response)
        response.state = RState.DECLINED
        response.reply = reply.strip() or default_decline_text()
        response.save(update_fields=["state", "reply", "updated_at"])
        notify(
            "response_declined", user_id=response.responder_id, object_id=response.pk
        )
    return response


def _lock_match(match: Match) -> Match:
    return Match.objects.select_for_update().select_related("listing").get(pk=match.pk)


def match_done(*, actor: User, match: Match, thanks: str = "") -> Match:
    """Either side marks the help as given, optionally with a thank-you note.

    The listing is done once none of its matches is still waiting.
    """
    require_user(actor)
    with transaction.atomic():
        match = _lock_match(match)
        if actor.pk not in (match.author_id, match.helper_id):
            raise NotPermitted
        if match.state != MState.ACTIVE:
            raise InvalidState(_("This match is not active."))
        match.state, match.done_at, match.done_by = MState.DONE, timezone.now(), actor
        match.thanks = thanks.strip()
        match.save()
        listing = match.listing
        still_active = Match.objects.filter(listing=listing, state=MState.ACTIVE)
        if listing.state == Listing.State.MATCHED and not still_active.exists():
            listing.state = Listing.State.DONE
            listing.save(update_fields=["state", "updated_at"])
        other = match.helper_id if actor.pk == match.author_id else match.author_id
        notify("match_done", user_id=other, object_id=match.pk)
    return match


def match_reopen(*, actor: User, match: Match, reason: str = "") -> Match:
    """The author re-opens the listing when the helper could not come."""
    require_user(actor)
    with transaction.atomic():
        match = _lock_match(match)
        if match.author_id != actor.pk:
            raise NotPermitted(
                _("Only the person who posted the listing can re-open it.")
            )
        if match.state != MState.ACTIVE:
            raise InvalidState(_("Only an agreed match can be re-opened."))
        match.state, match.reopen_reason = MState.CANCELLED, reason.strip()
        match.save(update_fields=["state", "reopen_reason", "updated_at"])
        listing = Listing.objects.select_for_update().get(pk=match.listing_id)
        if listing.state == Listing.State.MATCHED:
            listing.state = Listing.State.OPEN
            if listing.expires_at and listing.expires_at <= timezone.now():
                listing.expires_at = default_expiry(listing)
            listing.save(update_fields=["state", "expires_at", "updated_at"])
    return match


def match_reveal_address(*, viewer: User, match: Match) -> ListingLocation | None:
    """The exact location for one side of an agreed or finished match, recorded.

    Returns None (and records nothing) for anyone else or a re-opened match.
    """
    require_user(viewer)
    if viewer.pk not in (match.author_id, match.helper_id):
        raise NotPermitted
    if match.state == MState.CANCELLED:
        return None
    location = selectors.private_location(viewer=viewer, listing=match.listing)
    if location is not None:
        with transaction.atomic():
            reveal = AddressReveal.objects.create(match=match, viewer=viewer)
            audit.record(
                actor=viewer,
                action="address.revealed",
                subject=match.listing,
                details={"match": match.pk, "reveal": reveal.pk},
            )
    return location
