"""An event's public page: when and where, the coming dates of a series, the
sign-up with its places and waiting list; for its organisers their tools, the
attendee list and its CSV export.

Each page reads through the selectors in a fixed number of queries, however
many people have signed up (tests/agenda/test_event_pages.py counts them).
"""

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import permissions, recurrence, selectors
from ..forms import SignupForm
from ..models import Event, Occurrence, Signup
from ..services.signups import signup_answer, signup_withdraw

TEMPLATE = "agenda/event_detail.html"
# How many coming dates of a series the page lists.
COMING_DATES = 12
# A cell starting with one of these is a formula to a spreadsheet (CSV
# injection, OWASP): it is written with a leading apostrophe instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- reading


def _event_or_404(request: HttpRequest, pk: int) -> Event:
    event = selectors.visible_event(request.user, pk)
    if event is None:
        raise Http404
    return event


def _occurrence_or_404(event: Event, pk: int, *, may_edit: bool) -> Occurrence:
    """Date ``pk`` of ``event``; a left-out date only for its organisers."""
    occurrence = selectors.event_occurrence(event, pk)
    if occurrence is None or (
        occurrence.state == Occurrence.State.EXCLUDED and not may_edit
    ):
        raise Http404
    return occurrence


def _takes_signups(event: Event, occurrence: Occurrence) -> bool:
    return (
        event.signup_open
        and not event.is_cancelled
        and occurrence.state == Occurrence.State.SCHEDULED
        and occurrence.ends_at > timezone.now()
    )


def _page_context(
    request: HttpRequest,
    event: Event,
    occurrence: Occurrence,
    coming: list[Occurrence],
    *,
    may_edit: bool,
    form: SignupForm | None = None,
) -> dict:
    counts = selectors.signup_counts(occurrence)
    mine = selectors.signup_of(request.user, occurrence)
    open_ = _takes_signups(event, occurrence)
    if form is None and open_ and request.user.is_authenticated:
        initial = {"response": mine.response, "guests": mine.guests} if mine else {}
        form = SignupForm(initial=initial)
    places_left = (
        max(event.capacity - counts.heads, 0) if event.capacity is not None else None
    )
    return {
        "event": event,
        "occurrence": occurrence,
        "coming": coming if event.is_series else [],
        "counts": counts,
        "mine": mine,
        "takes_signups": open_,
        "is_over": occurrence.ends_at <= timezone.now(),
        "form": form if open_ else None,
        "places_left": places_left,
        "may_edit": may_edit,
        "login_url": _login_url(occurrence),
        "organiser_name": _organiser_name(event),
    }


def _login_url(occurrence: Occurrence) -> str:
    return (
        reverse("account_login")
        + "?"
        + urlencode({"next": occurrence.get_absolute_url()})
    )


def _organiser_name(event: Event) -> str:
    if event.community is None:
        return settings.NABOLAG_MUNICIPALITY_NAME
    return event.community.name


@require_safe
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The event at its next coming date, or its last one when all are past."""
    event = _event_or_404(request, pk)
    coming = selectors.coming_occurrences(event, limit=COMING_DATES)
    occurrence = coming[0] if coming else selectors.last_occurrence(event)
    if occurrence is None:
        raise Http404
    may_edit = permissions.can_edit_event(request.user, event)
    context = _page_context(request, event, occurrence, coming, may_edit=may_edit)
    return render(request, TEMPLATE, context)


@require_safe
def occurrence_detail(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """One date of the event."""
    event = _event_or_404(request, pk)
    may_edit = permissions.can_edit_event(request.user, event)
    date = _occurrence_or_404(event, occurrence, may_edit=may_edit)
    coming = selectors.coming_occurrences(event, limit=COMING_DATES)
    context = _page_context(request, event, date, coming, may_edit=may_edit)
    return render(request, TEMPLATE, context)


# --- sign-up


def _answered(signup: Signup) -> str:
    if signup.response == Signup.Response.GOING and signup.waiting:
        position = selectors.signup_of(signup.user, signup.occurrence).position
        return _(
            "It is full: you are on the waiting list, number %(position)s. We "
            "will e-mail you when a place becomes free."
        ) % {"position": position}
    if signup.response == Signup.Response.GOING and signup.guests:
        return ngettext(
            "You are going, with %(count)s guest. See you there!",
            "You are going, with %(count)s guests. See you there!",
            signup.guests,
        ) % {"count": signup.guests}
    if signup.response == Signup.Response.GOING:
        return _("You are going. See you there!")
    if signup.response == Signup.Response.MAYBE:
        return _("Your answer is saved: maybe.")
    return _("Your answer is saved: not going. Thank you for letting us know.")


@require_POST
def signup(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """Answer going, maybe or not going. Refused, the page again with what was
    typed and why; saved, back to the page with a message."""
    event = _event_or_404(request, pk)
    date = _occurrence_or_404(event, occurrence, may_edit=False)
    if not request.user.is_authenticated:
        return redirect(_login_url(date))
    form = SignupForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            answer = signup_answer(
                user=request.user,
                occurrence=date,
                response=form.cleaned_data["response"],
                guests=form.cleaned_data["guests"],
            )
        except ApplicationError as exc:
            if not _takes_signups(event, date):
                # The page shows no form for a closed date: say why on top.
                show_refusal(request, exc)
                return redirect(date)
            show_refusal(request, exc, form=form)
            status = exc.status
        else:
            messages.success(request, _answered(answer))
            return redirect(date)
    may_edit = permissions.can_edit_event(request.user, event)
    coming = selectors.coming_occurrences(event, limit=COMING_DATES)
    context = _page_context(request, event, date, coming, may_edit=may_edit, form=form)
    return render(request, TEMPLATE, context, status=status)


@require_POST
def withdraw(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """Take back one's answer altogether."""
    event = _event_or_404(request, pk)
    date = _occurrence_or_404(event, occurrence, may_edit=False)
    if not request.user.is_authenticated:
        return redirect(_login_url(date))
    try:
        signup_withdraw(user=request.user, occurrence=date)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, _("Your answer is withdrawn."))
    return redirect(date)


# --- the organisers' attendee list


def _organised_occurrence(
    request: HttpRequest, pk: int, occurrence: int
) -> tuple[Event, Occurrence]:
    """The event and date, for one of its organisers; 404 for whoever may not
    see the event, 403 for whoever may see it but not organise it."""
    event = _event_or_404(request, pk)
    if not permissions.can_edit_event(request.user, event):
        raise PermissionDenied
    return event, _occurrence_or_404(event, occurrence, may_edit=True)


def _count(rows: list[Signup]) -> dict:
    going = [s for s in rows if s.response == Signup.Response.GOING]
    confirmed = [s for s in going if not s.waiting]
    return {
        "going": len(confirmed),
        "guests": sum(s.guests for s in confirmed),
        "heads": sum(s.heads for s in confirmed),
        "waiting": len(going) - len(confirmed),
        "maybe": sum(1 for s in rows if s.response == Signup.Response.MAYBE),
        "not_going": sum(1 for s in rows if s.response == Signup.Response.NOT_GOING),
    }


@login_required
@require_safe
def attendees(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """Who answered what, for the organisers."""
    event, date = _organised_occurrence(request, pk, occurrence)
    rows = selectors.attendees(date)
    context = {"event": event, "occurrence": date, "rows": rows, **_count(rows)}
    return render(request, "agenda/attendees.html", context)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(moment) -> str:
    return recurrence.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@login_required
@require_safe
def attendees_csv(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """The attendee list as CSV: UTF-8 with a byte-order mark, so that Excel
    reads the Danish letters, one row per sign-up."""
    event, date = _organised_occurrence(request, pk, occurrence)
    rows = selectors.attendees(date)
    filename = f"attendees-{event.pk}-{recurrence.local(date.starts_at):%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _cell(_("Name")),
            _cell(_("Answer")),
            _cell(_("Guests")),
            _cell(_("Waiting list number")),
            _cell(_("Signed up at")),
        ]
    )
    for signup in rows:
        writer.writerow(
            [
                _cell(signup.user.public_name),
                _cell(signup.get_response_display()),
                _cell(signup.guests),
                _cell(signup.position),
                _cell(_when(signup.created_at)),
            ]
        )
    return response
