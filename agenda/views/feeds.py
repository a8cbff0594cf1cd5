"""Calendar feeds: the secret .ics addresses, and the page where a person
makes, copies and revokes theirs."""

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from communities.models import Community
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import feed_selectors, feeds
from ..models import Facility, Feed
from ..services import feeds as services


def _addresses(request: HttpRequest, feed: Feed | None) -> dict:
    """The https:// and webcal:// addresses of ``feed``."""
    if feed is None:
        return {}
    https = request.build_absolute_uri(reverse("agenda:feed", args=[feed.token]))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar of a live feed address, for calendar apps (no login: the
    address is the secret). 404 for an unknown or revoked address."""
    found = feed_selectors.feed_by_token(token)
    calendar = feeds.feed_calendar(found) if found is not None else None
    if calendar is None:
        raise Http404
    return ics_response(calendar, feeds.feed_filename(found))


def ics_response(calendar: icalendar.Calendar, filename: str) -> HttpResponse:
    """The answer to a calendar app fetching a secret feed address (here and
    the task board's crew feeds)."""
    response = HttpResponse(
        calendar.to_ical(), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Only the holder's own apps may keep it, and a revoked address must stop
    # working soon everywhere.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
def feed_list(request: HttpRequest) -> HttpResponse:
    """The person's feed addresses: their own, their portals', their
    facilities'. A GET writes nothing: addresses are made by a POST."""
    choices = feed_selectors.feed_choices(request.user)
    rows = {
        "person": choices.person,
        "communities": choices.communities,
        "facilities": choices.facilities,
    }
    for row in [choices.person, *choices.communities, *choices.facilities]:
        row.addresses = _addresses(request, row.feed)
    return render(request, "agenda/feeds.html", rows)


def _subject(kind: str, subject: str) -> dict:
    """The community or facility a create request names; 404 when none."""
    if kind == Feed.Kind.PERSON:
        return {}
    if not subject.isdigit():
        raise Http404
    if kind == Feed.Kind.COMMUNITY:
        return {"community": get_object_or_404(Community, pk=int(subject))}
    if kind == Feed.Kind.FACILITY:
        return {"facility": get_object_or_404(Facility, pk=int(subject))}
    raise Http404


def _ready_message(feed: Feed) -> str:
    """A whole sentence for each kind of feed: a name is never spliced into
    the middle of another sentence."""
    if feed.kind == Feed.Kind.COMMUNITY:
        return _("The feed address of the portal %(name)s is ready.") % {
            "name": feed.community.name
        }
    if feed.kind == Feed.Kind.FACILITY:
        return _("The feed address of the facility %(name)s is ready.") % {
            "name": feed.facility.name
        }
    return _("Your personal feed address is ready.")


@login_required
@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    subject = _subject(kind, request.POST.get("subject", ""))
    try:
        made, created = services.feed_get_or_create(
            actor=request.user, kind=kind, **subject
        )
    except ApplicationError as exc:
        show_refusal(request, exc)
        return redirect("agenda:feeds")
    if created:
        messages.success(request, _ready_message(made))
    return redirect(reverse("agenda:feeds") + f"#feed-{made.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm (a page with a form); POST ends the address and
    makes a new one. Someone else's feed is not found."""
    found = (
        Feed.objects.filter(pk=pk, revoked_at__isnull=True)
        .select_related("community", "facility")
        .first()
    )
    if found is None or not services.may_hold(request.user, found):
        raise Http404
    if request.method == "GET":
        return render(
            request,
            "agenda/feed_revoke.html",
            {"feed": found, "subject": feed_selectors.feed_subject(found)},
        )
    try:
        new = services.feed_revoke(actor=request.user, feed=found)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return redirect("agenda:feeds")
    if new is None:
        messages.success(request, _("The old address no longer works."))
        return redirect("agenda:feeds")
    messages.success(
        request,
        _(
            "The old address no longer works. Add the new one to your calendar "
            "apps instead."
        ),
    )
    return redirect(reverse("agenda:feeds") + f"#feed-{new.pk}")
