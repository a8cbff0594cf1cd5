"""Organisers create and change their events from the portal: the event form
with its clash check, and cancelling, restoring or leaving out dates.

Before anything is written the typed event is checked against the calendar
(``agenda.clashes``): a facility already booked is refused beside the facility
with the free times of that day; a warning (the same village and audience
within two hours, two large events nearby) is shown above the form and the
organiser ticks "anyway" and sends it again. Nothing is saved until then, and
everything typed stays in the form.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from communities.models import Community
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import clashes, permissions, recurrence
from ..errors import BookingConflict
from ..forms import EventForm
from ..models import Booking, Event, Occurrence
from ..services import bookings
from ..services import events as services
from ..services.events import EventFields, Scope

FORM_TEMPLATE = "agenda/event_form.html"
CONFIRM_TEMPLATE = "agenda/manage_confirm.html"
# How many of the dates a refusal or a warning is about the page lists.
SHOWN = 10


class NoteForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("A note for those signed up (optional)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- the event form


def _candidate(fields: EventFields, community: Community | None) -> Event:
    """The event as typed, unsaved, for the clash check."""
    return Event(
        community=community,
        facility=fields.facility,
        village=fields.village,
        title=fields.title,
        audience=fields.audience,
        expected_attendance=fields.expected_attendance,
        starts_at=fields.starts_at,
        duration=fields.ends_at - fields.starts_at,
    )


def _submit(
    form: EventForm,
    *,
    starts_for: Callable[[EventFields], list[datetime]],
    save: Callable[[EventFields], Event],
    exclude: dict,
) -> Event | None:
    """Check the typed event against the calendar and save it when nothing is
    in the way (and every warning is confirmed); None when the form must be
    shown again."""
    if not form.is_valid():
        return None
    fields = form.event_fields()
    try:
        starts = starts_for(fields)
    except ApplicationError as exc:
        form.add_refusal(exc)
        return None
    found = clashes.check(_candidate(fields, form.community), starts, **exclude)
    refused = [c for c in found if c.refused]
    if refused:
        day = recurrence.local(refused[0].starts_at).date()
        free = bookings.free_slots(
            fields.facility, day, at_least=fields.ends_at - fields.starts_at
        )
        form.show_facility_clashes(refused, free)
        return None
    now = timezone.now()
    warnings = [c for c in found if c.starts_at >= now]
    if warnings and not form.confirms(warnings):
        form.show_warnings(warnings)
        return None
    try:
        return save(fields)
    except BookingConflict as exc:
        # Taken between the check and the write, or outside the check's view.
        form.add_error("facility", str(exc.message))
        form.free_slots = list(exc.extra.get("free") or [])
    except ApplicationError as exc:
        form.add_refusal(exc)
    return None


def _tell_pending(request: HttpRequest, event: Event) -> None:
    """Say so when the facility's booking waits for its owner or the
    municipality to approve it."""
    if event.facility_id is None:
        return
    pending = Booking.objects.filter(
        occurrence__event=event, state=Booking.State.PENDING
    ).exists()
    if pending:
        messages.info(
            request,
            _("The booking of %(facility)s awaits approval.")
            % {"facility": event.facility.name},
        )


def _form_page(
    request: HttpRequest,
    form: EventForm,
    *,
    community: Community | None,
    event: Event | None = None,
    occurrence: Occurrence | None = None,
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    context = {
        "form": form,
        "community": community,
        "event": event,
        "occurrence": occurrence,
        "warnings": form.warnings[:SHOWN],
        "more_warnings": max(len(form.warnings) - SHOWN, 0),
        "facility_clashes": form.facility_clashes[:SHOWN],
        "more_facility_clashes": max(len(form.facility_clashes) - SHOWN, 0),
        "back_url": (
            occurrence.get_absolute_url()
            if occurrence is not None
            else event.get_absolute_url()
            if event is not None
            else None
        ),
    }
    return render(request, FORM_TEMPLATE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest, community: str) -> HttpResponse:
    """A new event or series of ``community``, for its organisers."""
    organiser = get_object_or_404(Community, slug=community)
    if not permissions.can_organise(request.user, organiser):
        raise Http404
    form = EventForm(request.POST or None, community=organiser)
    if request.method == "POST":
        event = _submit(
            form,
            starts_for=lambda f: recurrence.expand(f.starts_at, f.rrule),
            save=lambda f: services.event_create(
                actor=request.user, community=organiser, fields=f
            ),
            exclude={},
        )
        if event is not None:
            messages.success(
                request,
                _("The series is in the calendar.")
                if event.is_series
                else _("The event is in the calendar."),
            )
            _tell_pending(request, event)
            return redirect(event)
    return _form_page(request, form, community=organiser)


def _editable_event(request: HttpRequest, pk: int) -> Event:
    event = get_object_or_404(
        Event.objects.select_related("community", "facility", "village"), pk=pk
    )
    if not permissions.can_edit_event(request.user, event):
        raise Http404
    return event


def _occurrence_of(event: Event, pk) -> Occurrence:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    occurrence = Occurrence.objects.filter(event=event, pk=pk).first()
    if occurrence is None:
        raise Http404
    occurrence.event = event
    return occurrence


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The event's form as it stands; at ``?occurrence=`` of a series, with
    the choice of changing only that date, it and the following, or all."""
    event = _editable_event(request, pk)
    occurrence = None
    if request.GET.get("occurrence"):
        occurrence = _occurrence_of(event, request.GET["occurrence"])
    form = EventForm.editing_form(
        request.POST or None, event=event, occurrence=occurrence
    )
    if request.method == "POST":
        scope = form.chosen_scope if form.is_valid() else Scope.ALL
        exclude = (
            {"exclude_occurrences": [occurrence.pk]}
            if scope == Scope.THIS
            else {"exclude_event": event.pk}
        )
        saved = _submit(
            form,
            starts_for=lambda f: services.planned_starts(
                event=event, fields=f, scope=scope, occurrence=occurrence
            ),
            save=lambda f: services.event_update(
                actor=request.user,
                event=event,
                fields=f,
                scope=scope,
                occurrence=occurrence,
            ),
            exclude=exclude,
        )
        if saved is not None:
            if scope == Scope.THIS:
                messages.success(request, _("The date is changed."))
                return redirect(occurrence)
            messages.success(request, _("Your changes are saved."))
            _tell_pending(request, saved)
            return redirect(saved)
    return _form_page(
        request, form, community=event.community, event=event, occurrence=occurrence
    )


# --- dates: cancel, restore, leave out; the whole event: cancel


def _confirm_page(
    request: HttpRequest,
    *,
    event: Event,
    occurrence: Occurrence | None,
    action: str,
    form: NoteForm | None = None,
) -> HttpResponse:
    return render(
        request,
        CONFIRM_TEMPLATE,
        {
            "event": event,
            "occurrence": occurrence,
            "action": action,
            "form": form,
            "back_url": (occurrence or event).get_absolute_url(),
        },
    )


def _act(
    request: HttpRequest,
    action: Callable[[], object],
    done: str,
    back: str,
) -> HttpResponse:
    try:
        action()
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_cancel(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """Cancel one date (GET asks first): it stays in the calendar, marked
    cancelled, and those signed up are told, with the organiser's note."""
    event = _editable_event(request, pk)
    date = _occurrence_of(event, occurrence)
    form = NoteForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return _confirm_page(
            request, event=event, occurrence=date, action="cancel", form=form
        )
    return _act(
        request,
        lambda: services.occurrence_cancel(
            actor=request.user, occurrence=date, note=form.cleaned_data["note"]
        ),
        _("The date is cancelled. Those signed up are told."),
        date.get_absolute_url(),
    )


@login_required
@require_POST
def occurrence_restore(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """Bring back a cancelled or left-out date."""
    event = _editable_event(request, pk)
    date = _occurrence_of(event, occurrence)
    return _act(
        request,
        lambda: services.occurrence_restore(actor=request.user, occurrence=date),
        _("The date is back in the calendar."),
        date.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def occurrence_exclude(request: HttpRequest, pk: int, occurrence: int) -> HttpResponse:
    """Leave a date out of the series (GET asks first)."""
    event = _editable_event(request, pk)
    date = _occurrence_of(event, occurrence)
    if request.method == "GET":
        return _confirm_page(request, event=event, occurrence=date, action="exclude")
    try:
        services.occurrence_exclude(actor=request.user, occurrence=date)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return redirect(date)
    messages.success(request, _("The date is left out of the series."))
    return redirect(event)


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the event, or every coming date of a series (GET asks first)."""
    event = _editable_event(request, pk)
    form = NoteForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return _confirm_page(
            request, event=event, occurrence=None, action="event_cancel", form=form
        )
    return _act(
        request,
        lambda: services.event_cancel(
            actor=request.user, event=event, note=form.cleaned_data["note"]
        ),
        _("The coming dates are cancelled. Those signed up are told.")
        if event.is_series
        else _("The event is cancelled. Those signed up are told."),
        event.get_absolute_url(),
    )


__all__: Sequence[str] = (
    "event_cancel",
    "event_create",
    "event_edit",
    "occurrence_cancel",
    "occurrence_exclude",
    "occurrence_restore",
)
