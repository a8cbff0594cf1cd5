"""The facility pages: the list, a facility with its opening hours and the next
two weeks, its form, the booking request, and the bookings to decide."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from communities.selectors import is_municipal_staff
from hub.errors import ApplicationError, RateLimited
from hub.refusals import add_refusal, show_refusal

from .. import facility_selectors as selectors
from .. import permissions, recurrence
from ..errors import BookingConflict
from ..facility_forms import BookingForm, FacilityForm, hours_formset, typed_with_slot
from ..facility_links import facility_links
from ..models import Booking, Facility
from ..services import bookings as booking_services
from ..services import facilities as facility_services

# The facility page shows this week and the next.
SCHEDULE_DAYS = 14


def _facility_or_404(slug: str) -> Facility:
    facility = selectors.facility_by_slug(slug)
    if facility is None:
        raise Http404
    return facility


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _facility_url(facility: Facility, day: date | None = None) -> str:
    url = reverse("agenda:facility", args=[facility.slug])
    return f"{url}?date={day.isoformat()}" if day else url


def facility_list(request: HttpRequest) -> HttpResponse:
    """Every facility: its kind, owner, village and how bookings are approved."""
    can_add = is_municipal_staff(request.user) or any(
        c.kind in facility_services.OWNER_KINDS
        for c in selectors.organised_communities(request.user)
    )
    context = {"facilities": list(selectors.facilities()), "can_add": can_add}
    return render(request, "agenda/facilities.html", context)


def _opening_days(facility: Facility) -> list[tuple[str, list]] | None:
    """Each weekday's name with its open periods; None: open around the clock."""
    hours = list(facility.opening_hours.all())
    if not hours:
        return None
    return [
        (WEEKDAYS[number], [h for h in hours if h.weekday == number])
        for number in range(7)
    ]


def facility_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The facility, its opening hours and rules, and what takes it this week
    and the next (``?date=`` moves the two weeks)."""
    facility = _facility_or_404(slug)
    can_manage = permissions.can_manage_facility(request.user, facility)
    starts = selectors.week_start(_day(request.GET.get("date")))
    schedule = selectors.facility_schedule(
        request.user, facility, starts, SCHEDULE_DAYS, full=can_manage
    )
    this_week = selectors.week_start(timezone.localdate())
    context = {
        "facility": facility,
        "can_manage": can_manage,
        "opening_days": _opening_days(facility),
        "weeks": [schedule[:7], schedule[7:]],
        "today": timezone.localdate(),
        "earlier": _facility_url(facility, starts - timedelta(days=SCHEDULE_DAYS)),
        "later": _facility_url(facility, starts + timedelta(days=SCHEDULE_DAYS)),
        "now_url": _facility_url(facility) if starts != this_week else "",
        # The apps above the calendar's links (the task board's report form).
        "links": facility_links(facility, request.user),
    }
    return render(request, "agenda/facility_detail.html", context)


# --- the facility's form


def _form_page(request, form, formset, facility=None, status=200) -> HttpResponse:
    context = {"form": form, "formset": formset, "facility": facility}
    return render(request, "agenda/facility_form.html", context, status=status)


def _refused_status(exc: ApplicationError) -> int:
    """The form page's answer to a refusal: 429 for too many writes (the form
    shown again as typed), 400 for any other."""
    return exc.status if isinstance(exc, RateLimited) else 400


def _owners(request: HttpRequest, facility: Facility | None = None) -> list:
    owners = [
        c
        for c in selectors.organised_communities(request.user)
        if c.kind in facility_services.OWNER_KINDS
    ]
    if facility is not None and facility.owner and facility.owner not in owners:
        owners.append(facility.owner)
    return owners


def _save_facility(request, form, formset, facility=None) -> HttpResponse:
    """Validate the posted form and its hours; one service call writes both."""
    if not (form.is_valid() and formset.is_valid()):
        return _form_page(request, form, formset, facility, status=400)
    try:
        if facility is None:
            facility = facility_services.facility_create(
                actor=request.user,
                fields=form.facility_fields(),
                hours=formset.hours(),
            )
        else:
            facility_services.facility_update(
                actor=request.user,
                facility=facility,
                fields=form.facility_fields(),
                hours=formset.hours(),
            )
    except ApplicationError as exc:
        add_refusal(form, exc)
        status = _refused_status(exc)
        return _form_page(request, form, formset, facility, status=status)
    messages.success(request, _("%(name)s is saved.") % {"name": facility.name})
    return redirect("agenda:facility", slug=facility.slug)


@login_required
@require_http_methods(["GET", "POST"])
def facility_create(request: HttpRequest) -> HttpResponse:
    """A new facility: the municipality's (staff), or a village's or an
    association's (its organisers)."""
    staff = is_municipal_staff(request.user)
    owners = _owners(request)
    if not staff and not owners:
        raise PermissionDenied
    if request.method != "POST":
        form = FacilityForm(owners=owners, staff=staff)
        return _form_page(request, form, hours_formset())
    form = FacilityForm(request.POST, owners=owners, staff=staff)
    return _save_facility(request, form, hours_formset(request.POST))


@login_required
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, slug: str) -> HttpResponse:
    facility = _facility_or_404(slug)
    if not permissions.can_manage_facility(request.user, facility):
        raise PermissionDenied
    staff = is_municipal_staff(request.user)
    owners = _owners(request, facility)
    if request.method != "POST":
        form = FacilityForm(
            owners=owners, staff=staff, initial=FacilityForm.initial_of(facility)
        )
        return _form_page(request, form, hours_formset(facility=facility), facility)
    form = FacilityForm(request.POST, owners=owners, staff=staff)
    formset = hours_formset(request.POST, facility=facility)
    return _save_facility(request, form, formset, facility)


# --- booking


def _book_page(request, facility, form, status=200, **extra) -> HttpResponse:
    context = {
        "facility": facility,
        "form": form,
        "opening_days": _opening_days(facility),
        **extra,
    }
    return render(request, "agenda/booking_form.html", context, status=status)


def _conflict_context(
    request, facility: Facility, exc: BookingConflict, duration: timedelta
) -> dict:
    """What is in the way, and the free times of that day, each offered as the
    same length as the one asked for."""
    full = permissions.can_manage_facility(request.user, facility)
    clashes = [
        {
            "starts_at": recurrence.local(b.starts_at),
            "ends_at": recurrence.local(b.ends_at),
            "title": b.title if (b.is_public or full) else "",
        }
        for b in exc.extra.get("clashes", [])
    ]
    free = [
        {
            "starts_at": slot.starts_at,
            "ends_at": slot.ends_at,
            "use_ends_at": slot.starts_at + duration,
            "value": f"{slot.starts_at:%H:%M}-{slot.starts_at + duration:%H:%M}",
        }
        for slot in exc.extra.get("free", [])
        # A time running past midnight does not fit the form's one date.
        if (slot.starts_at + duration).date() == slot.starts_at.date()
    ]
    return {"clashes": clashes, "free": free, "conflict_day": exc.extra.get("day")}


def _refuse(form: BookingForm, exc: ApplicationError) -> None:
    """The refusal beside the field it is about, by this form's names."""
    exc.errors = {
        BookingForm.SERVICE_FIELDS.get(name, name): texts
        for name, texts in exc.errors.items()
    }
    add_refusal(form, exc)


def _booked_message(facility: Facility, rows: list[Booking]) -> str:
    first = rows[0]
    if first.state == Booking.State.PENDING:
        owner_decides = facility.policy == Facility.Policy.OWNER and facility.owner
        who = facility.owner.name if owner_decides else _("the municipality")
        return ngettext(
            "Your request for %(count)s date is sent. Awaiting approval by %(who)s.",
            "Your request for %(count)s dates is sent. Awaiting approval by %(who)s.",
            len(rows),
        ) % {"count": len(rows), "who": who}
    return ngettext(
        "Booked: %(facility)s on %(count)s date.",
        "Booked: %(facility)s on %(count)s dates.",
        len(rows),
    ) % {"facility": facility.name, "count": len(rows)}


@login_required
@require_http_methods(["GET", "POST"])
def facility_book(request: HttpRequest, slug: str) -> HttpResponse:
    """An organiser's booking request, once or weekly for a season. A clash
    keeps what was typed and offers the day's free times; choosing one fills
    it in (``use_slot``) without booking yet."""
    facility = _facility_or_404(slug)
    staff = is_municipal_staff(request.user)
    communities = selectors.organised_communities(request.user)
    if not staff and not communities:
        return _book_page(request, facility, None, status=403)
    kwargs = {"communities": communities, "staff": staff}
    if request.method != "POST":
        day = _day(request.GET.get("date"))
        form = BookingForm(initial={"day": max(day, timezone.localdate())}, **kwargs)
        return _book_page(request, facility, form)
    if "use_slot" in request.POST:
        typed = typed_with_slot(request.POST, request.POST["use_slot"])
        if typed is not None:
            form = BookingForm(initial=typed, **kwargs)
            return _book_page(request, facility, form, slot_used=typed)
    form = BookingForm(request.POST, **kwargs)
    if not form.is_valid():
        return _book_page(request, facility, form, status=400)
    starts_at, ends_at = form.starts_at(), form.ends_at()
    try:
        rows = booking_services.booking_request(
            actor=request.user,
            facility=facility,
            community=form.chosen_community(),
            title=form.cleaned_data["title"],
            starts_at=starts_at,
            ends_at=ends_at,
            rrule=form.rrule(),
            is_public=form.cleaned_data["is_public"],
        )
    except BookingConflict as exc:
        _refuse(form, exc)
        extra = _conflict_context(request, facility, exc, ends_at - starts_at)
        return _book_page(request, facility, form, status=409, **extra)
    except ApplicationError as exc:
        _refuse(form, exc)
        return _book_page(request, facility, form, status=_refused_status(exc))
    messages.success(request, _booked_message(facility, rows))
    first = recurrence.local(rows[0].starts_at).date()
    return redirect(_facility_url(facility, first))


# --- the bookings to decide, and one's own


@login_required
def bookings_pending(request: HttpRequest) -> HttpResponse:
    """The requests the viewer may decide, a season as one row; and the
    bookings of the communities they organise, to cancel."""
    context = {
        "to_decide": selectors.by_request(selectors.decidable_bookings(request.user)),
        "mine": selectors.by_request(selectors.community_bookings(request.user)),
    }
    return render(request, "agenda/bookings_pending.html", context)


def _booking_or_404(pk: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("facility__owner", "community"), pk=pk
    )


@login_required
@require_POST
def booking_approve(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking_or_404(pk)
    try:
        rows = booking_services.booking_approve(actor=request.user, booking=booking)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Approved: %(title)s, %(count)s date.",
                "Approved: %(title)s, %(count)s dates.",
                len(rows),
            )
            % {"title": booking.title, "count": len(rows)},
        )
    return redirect("agenda:bookings_pending")


@login_required
@require_POST
def booking_decline(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _booking_or_404(pk)
    try:
        rows = booking_services.booking_decline(actor=request.user, booking=booking)
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Declined: %(title)s, %(count)s date.",
                "Declined: %(title)s, %(count)s dates.",
                len(rows),
            )
            % {"title": booking.title, "count": len(rows)},
        )
    return redirect("agenda:bookings_pending")


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one booking, or (``season=1``) what is left of its season."""
    booking = _booking_or_404(pk)
    try:
        rows = booking_services.booking_cancel(
            actor=request.user,
            booking=booking,
            season=request.POST.get("season") == "1",
        )
    except ApplicationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(
            request,
            ngettext(
                "Cancelled: %(title)s, %(count)s date.",
                "Cancelled: %(title)s, %(count)s dates.",
                len(rows),
            )
            % {"title": booking.title, "count": len(rows)},
        )
    return redirect("agenda:bookings_pending")
