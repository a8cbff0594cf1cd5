"""Background work of the marketplace: notices, expiry, watch alerts and digests.

Run ``manage.py marketplace_maintenance`` from cron (every few minutes) to expire
listings and send watch digests; the notices are enqueued by the services.
"""

import logging
import unicodedata
from collections import defaultdict
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from accounts.models import User

# The services enqueue these tasks and the tasks run services: each side imports
# the other's module (never names from it) and reads its names only when it runs,
# so either may be imported first.
from marketplace import services

from .models import Booking, Listing, Match, Response, WatchHit

logger = logging.getLogger(__name__)


def _url(name: str, **kwargs) -> str:
    return settings.WAGTAILADMIN_BASE_URL + reverse(name, kwargs=kwargs)


def _response_received(pk: int) -> tuple[str, str, str]:
    r = Response.objects.select_related("listing", "responder").get(pk=pk)
    return (
        _("%(name)s answered “%(title)s”")
        % {"name": r.responder.public_name, "title": r.listing.title},
        r.message,
        _url("marketplace:detail", pk=r.listing_id),
    )


def _response_accepted(pk: int) -> tuple[str, str, str]:
    m = Match.objects.select_related("listing", "author", "response").get(pk=pk)
    return (
        _("%(name)s accepted your answer to “%(title)s”")
        % {"name": m.author.public_name, "title": m.listing.title},
        m.response.reply
        or _("Open the match page to see the address and agree the details."),
        _url("marketplace:match", pk=m.pk),
    )


def _response_declined(pk: int) -> tuple[str, str, str]:
    r = Response.objects.select_related("listing").get(pk=pk)
    return (
        _("An answer about “%(title)s”") % {"title": r.listing.title},
        r.reply,
        _url("marketplace:detail", pk=r.listing_id),
    )


def _listing_expired(pk: int) -> tuple[str, str, str]:
    listing = Listing.objects.get(pk=pk)
    return (
        _("Your listing “%(title)s” has expired") % {"title": listing.title},
        _("It is no longer shown. If you still need it, renew it with one click:"),
        _url("marketplace:renew", pk=pk),
    )


def _match_done(pk: int) -> tuple[str, str, str]:
    m = Match.objects.select_related("listing", "done_by").get(pk=pk)
    return (
        _("“%(title)s” is marked as done") % {"title": m.listing.title},
        m.thanks or _("%(name)s marked it as done.") % {"name": m.done_by.public_name},
        _url("marketplace:match", pk=pk),
    )


def _quoted(text: str) -> str:
    """Someone's words in a plain-text e-mail: every line behind "> ", so they
    cannot pass for ours, without control or format characters (a bidirectional
    override would turn the lines around; a bare carriage return would hide one).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    visible = (
        "".join(ch for ch in line if unicodedata.category(ch) not in ("Cc", "Cf"))
        for line in lines
    )
    return "\n".join(f"> {line}".rstrip() for line in visible)


def _booking_requested(pk: int) -> tuple[str, str, str]:
    b = Booking.objects.select_related("listing", "borrower").get(pk=pk)
    body = _("From %(start)s to %(end)s.") % {"start": b.starts_on, "end": b.ends_on}
    if b.message.strip():
        wrote = _("%(name)s wrote:") % {"name": b.borrower.public_name}
        body = f"{body}\n\n{wrote}\n{_quoted(b.message.strip())}"
    return (
        _("%(name)s would like to borrow “%(title)s”")
        % {"name": b.borrower.public_name, "title": b.listing.title},
        body,
        _url("marketplace:detail", pk=b.listing_id),
    )


def _booking_decided(pk: int) -> tuple[str, str, str]:
    b = Booking.objects.select_related("listing").get(pk=pk)
    return (
        _("Your booking of “%(title)s”: %(state)s")
        % {"title": b.listing.title, "state": b.get_state_display()},
        _("From %(start)s to %(end)s.") % {"start": b.starts_on, "end": b.ends_on},
        _url("marketplace:detail", pk=b.listing_id),
    )


NOTICES: dict[str, Callable[[int], tuple[str, str, str]]] = {
    "response_received": _response_received,
    "response_accepted": _response_accepted,
    "response_declined": _response_declined,
    "listing_expired": _listing_expired,
    "match_done": _match_done,
    "booking_requested": _booking_requested,
    "booking_decided": _booking_decided,
}


def _send(user: User, subject: str, body: str, url: str) -> None:
    text = render_to_string(
        "marketplace/email/notice.txt", {"user": user, "body": body, "url": url}
    )
    send_mail(f"[Nabolag] {subject}", text, None, [user.email])


@task()
def send_notice(*, kind: str, user_id: int, object_id: int) -> None:
    """One e-mail about one event, in the recipient's language."""
    user = User.objects.get(pk=user_id)
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject, body, url = NOTICES[kind](object_id)
        _send(user, subject, body, url)
    logger.info("marketplace notice %s sent to user %s", kind, user_id)


@task()
def expire_listings() -> int:
    """Expire listings past their date; each author gets an e-mail to renew."""
    return services.listing_expire_due()


@task()
def match_watches(*, listing_id: int) -> int:
    """Alert the watches a newly published listing fits."""
    listing = Listing.objects.filter(pk=listing_id).first()
    return len(services.watch_match_listing(listing=listing)) if listing else 0


@task()
def send_watch_digests() -> int:
    """One e-mail per person with the alerts they have not seen or been sent yet,
    none of a listing hidden by moderation (hiding drops them, this keeps out
    one a match made meanwhile)."""
    hits = (
        WatchHit.objects.filter(
            emailed_at__isnull=True,
            seen_at__isnull=True,
            listing__hidden_at__isnull=True,
        )
        .select_related("listing", "watch__user")
        .order_by("created_at")
    )
    by_user: dict[User, list[WatchHit]] = defaultdict(list)
    for hit in hits:
        by_user[hit.watch.user].append(hit)
    for user, user_hits in by_user.items():
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            body = render_to_string(
                "marketplace/email/digest.txt",
                {
                    "user": user,
                    "hits": user_hits,
                    "base": settings.WAGTAILADMIN_BASE_URL,
                    "alerts_url": _url("marketplace:alerts"),
                },
            )
            subject = _("[Nabolag] New listings near you")
        send_mail(subject, body, None, [user.email])
        WatchHit.objects.filter(pk__in=[h.pk for h in user_hits]).update(
            emailed_at=timezone.now()
        )
    return len(by_user)
