"""The pages that manage an agreement through a form of their own: the
invitation, its changes, its end (after a confirm step), a recurring job (new,
changed, removed after a confirm step), a series of tasks (new, changed,
stopped after a confirm step) and a one-off task.

Each page is offered to the people whose sides may use it (403 for the
others who may see the agreement, 404 for whoever may not); its post calls
one service. A refusal shows the form again with the reason beside the
field it is about and everything typed kept.
"""

from collections.abc import Callable
from functools import partial

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from communities.models import Community
from hub.errors import ApplicationError

from .. import permissions
from ..manage_forms import AgreementForm, EndForm, InviteForm, refuse
from ..models import Agreement, Side, Task, TaskSeries, TaskTemplate
from ..plan_forms import SeriesForm, SeriesStopForm, TaskForm, TemplateForm
from ..services import agreements as services
from ..services import work
from .agreements import agreement_or_404, managed_sides

GET_POST = require_http_methods(["GET", "POST"])


def _form_page(request, template: str, form: forms.Form, status=200, **extra):
    return render(request, template, {"form": form, **extra}, status=status)


def _form_view(
    request: HttpRequest,
    page: str,
    make_form: Callable[..., forms.Form],
    save: Callable[[forms.Form], HttpResponse],
    *,
    initial: dict | None = None,
    **extra,
) -> HttpResponse:
    """What each form page does: GET shows ``make_form`` (with ``initial``);
    POST binds it and, when valid, ``save`` calls the service and answers.
    Invalid input (400) or the service's refusal (beside its field, with the
    refusal's status) shows the form again with everything typed kept."""
    if request.method != "POST":
        return _form_page(request, page, make_form(initial=initial), **extra)
    form = make_form(data=request.POST)
    if not form.is_valid():
        return _form_page(request, page, form, status=400, **extra)
    try:
        return save(form)
    except ApplicationError as exc:
        refuse(form, exc)
        return _form_page(request, page, form, status=exc.status, **extra)


# --- the invitation and its changes


@login_required
@GET_POST
def agreement_new(request: HttpRequest, slug: str) -> HttpResponse:
    """An association's organiser invites a contractor."""
    client = get_object_or_404(Community, slug=slug)
    if client.kind == Community.Kind.CONTRACTOR or not permissions.organiser_of(
        request.user, client.pk
    ):
        raise PermissionDenied

    def save(form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        agreement = services.agreement_invite(
            actor=request.user,
            client=client,
            contractor=data["contractor"],
            title=data["title"],
            sites=list(data["sites"]),
            work_kinds=data["work_kinds"],
            terms=data["terms"],
        )
        messages.success(
            request,
            _("%(name)s is invited. The agreement starts once they accept.")
            % {"name": agreement.contractor.name},
        )
        return redirect(agreement)

    return _form_view(
        request, "tasks/agreement_form.html", InviteForm, save, client=client
    )


@login_required
@GET_POST
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The association's organisers change the name, terms, sites and kinds."""
    agreement = agreement_or_404(request, pk)
    if not permissions.can_manage_agreement(request.user, agreement, Side.CLIENT):
        raise PermissionDenied

    def save(form: forms.Form) -> HttpResponse:
        data = form.cleaned_data
        saved = services.agreement_update(
            actor=request.user,
            agreement=agreement,
            title=data["title"],
            sites=list(data["sites"]),
            work_kinds=data["work_kinds"],
            terms=data["terms"],
        )
        messages.success(request, _("The agreement is saved."))
        return redirect(saved)

    return _form_view(
        request,
        "tasks/agreement_form.html",
        AgreementForm,
        save,
        initial=AgreementForm.initial_of(agreement),
        agreement=agreement,
    )


@login_required
@GET_POST
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first; then either side's organiser ends the agreement, and its
    open tasks are cancelled."""
    agreement = agreement_or_404(request, pk)
    if not managed_sides(request, agreement):
        raise PermissionDenied

    def save(form: forms.Form) -> HttpResponse:
        ended = services.agreement_end(
            actor=request.user, agreement=agreement, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request, _("The agreement has ended. Its open tasks are cancelled.")
        )
        return redirect(ended)

    return _form_view(
        request,
        "tasks/agreement_end.html",
        EndForm,
        save,
        agreement=agreement,
        open_tasks=agreement.tasks.filter(state__in=Task.OPEN_STATES).count(),
    )


# --- recurring jobs, series, one-off tasks


def _planner_or_403(request: HttpRequest, pk: int) -> Agreement:
    """Recurring jobs and series are for the organisers of either side."""
    agreement = agreement_or_404(request, pk)
    if not managed_sides(request, agreement):
        raise PermissionDenied
    return agreement


@login_required
@GET_POST
def template_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A recurring job with its checklist."""
    agreement = _planner_or_403(request, pk)

    def save(form: TemplateForm) -> HttpResponse:
        template = services.template_save(
            actor=request.user, agreement=agreement, **form.template_fields()
        )
        messages.success(request, _("%(title)s is saved.") % {"title": template.title})
        return redirect(agreement)

    return _form_view(
        request,
        "tasks/template_form.html",
        partial(TemplateForm, agreement=agreement),
        save,
        agreement=agreement,
    )


@login_required
@GET_POST
def series_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A series of a recurring job's tasks at a site: weekly until a date, or
    before or after the association's events there."""
    agreement = _planner_or_403(request, pk)

    def save(form: SeriesForm) -> HttpResponse:
        series = services.series_save(actor=request.user, **form.series_fields())
        count = series.tasks.count()
        messages.success(
            request,
            ngettext(
                "The series is saved; %(count)s task is planned so far.",
                "The series is saved; %(count)s tasks are planned so far.",
                count,
            )
            % {"count": count},
        )
        return redirect(agreement)

    return _form_view(
        request,
        "tasks/series_form.html",
        partial(SeriesForm, agreement=agreement, sites=list(agreement.sites.all())),
        save,
        agreement=agreement,
    )


@login_required
@GET_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Either side adds a one-off task."""
    agreement = agreement_or_404(request, pk)
    if not permissions.can_act(request.user, agreement):
        raise PermissionDenied

    def save(form: TaskForm) -> HttpResponse:
        task = work.task_create(
            actor=request.user, agreement=agreement, fields=form.task_fields()
        )
        messages.success(request, _("The task is added to the board."))
        return redirect(task)

    return _form_view(
        request,
        "tasks/task_form.html",
        partial(TaskForm, agreement=agreement, sites=list(agreement.sites.all())),
        save,
        agreement=agreement,
    )


# --- changing, removing and stopping jobs and series
#
# Offered to the organisers of either side while the agreement is not ended
# (a series: while it runs and the agreement is in force); opened when that
# is no longer so, the page goes back to the agreement with the reason. The
# job or series comes from the agreement's page read (404 when not one of its
# own).


def _job_or_404(agreement: Agreement, pk: int) -> TaskTemplate:
    found = next((t for t in agreement.templates.all() if t.pk == pk), None)
    if found is None:
        raise Http404
    return found


def _series_or_404(agreement: Agreement, pk: int) -> TaskSeries:
    found = next((s for s in agreement.series.all() if s.pk == pk), None)
    if found is None:
        raise Http404
    return found


def _closed(agreement: Agreement, series: TaskSeries | None = None) -> str:
    """Why the page is no longer open, or "" when it is."""
    if agreement.state not in (Agreement.State.INVITED, Agreement.State.ACTIVE):
        return _("This agreement has ended.")
    if series is not None and not agreement.is_active:
        return _("The agreement behind this task is not in force.")
    if series is not None and not series.active:
        return _("This series has been stopped, so it can no longer be changed.")
    return ""


def _back(request: HttpRequest, agreement: Agreement, reason: str) -> HttpResponse:
    messages.error(request, reason)
    return redirect(agreement)


@login_required
@GET_POST
def template_edit(request: HttpRequest, pk: int, template: int) -> HttpResponse:
    """A recurring job changed; its tasks not yet started follow."""
    agreement = _planner_or_403(request, pk)
    job = _job_or_404(agreement, template)
    if request.method != "POST" and (reason := _closed(agreement)):
        return _back(request, agreement, reason)

    def save(form: TemplateForm) -> HttpResponse:
        saved = services.template_update(
            actor=request.user, template=job, **form.template_fields()
        )
        messages.success(
            request,
            _("%(title)s is saved; its tasks not yet started follow the change.")
            % {"title": saved.title},
        )
        return redirect(agreement)

    return _form_view(
        request,
        "tasks/template_form.html",
        partial(TemplateForm, agreement=agreement),
        save,
        initial=TemplateForm.initial_of(job),
        agreement=agreement,
        job=job,
    )


@login_required
@GET_POST
def template_remove(request: HttpRequest, pk: int, template: int) -> HttpResponse:
    """Asks first; a job a series uses (even a stopped one) stays."""
    agreement = _planner_or_403(request, pk)
    job = _job_or_404(agreement, template)
    if reason := _closed(agreement):
        return _back(request, agreement, reason)
    in_use = [s for s in agreement.series.all() if s.template_id == job.pk]
    context = {"agreement": agreement, "job": job, "in_use": in_use}
    if request.method != "POST":
        return render(request, "tasks/template_remove.html", context)
    try:
        services.template_remove(actor=request.user, template=job)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return render(request, "tasks/template_remove.html", context, status=exc.status)
    messages.success(request, _("%(title)s is removed.") % {"title": job.title})
    return redirect(agreement)


@login_required
@GET_POST
def series_edit(request: HttpRequest, pk: int, series: int) -> HttpResponse:
    """A series changed: its tasks still only planned are made again from the
    new settings, the others stay as they are."""
    agreement = _planner_or_403(request, pk)
    row = _series_or_404(agreement, series)
    if request.method != "POST" and (reason := _closed(agreement, row)):
        return _back(request, agreement, reason)

    def save(form: SeriesForm) -> HttpResponse:
        services.series_update(actor=request.user, series=row, **form.series_fields())
        messages.success(
            request,
            _(
                "The series is saved. Its tasks still only planned are planned "
                "again; those with times offered or agreed stay as they were."
            ),
        )
        return redirect(agreement)

    return _form_view(
        request,
        "tasks/series_form.html",
        partial(SeriesForm, agreement=agreement, sites=list(agreement.sites.all())),
        save,
        initial=SeriesForm.initial_of(row),
        agreement=agreement,
        series=row,
    )


@login_required
@GET_POST
def series_stop(request: HttpRequest, pk: int, series: int) -> HttpResponse:
    """Asks first; then the series stops and its tasks still to come without
    an agreed time are cancelled (those with one too, when ticked)."""
    agreement = _planner_or_403(request, pk)
    row = _series_or_404(agreement, series)
    if reason := _closed(agreement, row):
        return _back(request, agreement, reason)
    now, S = timezone.now(), Task.State
    counts = row.tasks.aggregate(
        unagreed=Count(
            "pk", filter=Q(state__in=[S.PLANNED, S.PROPOSED], window_until__gt=now)
        ),
        agreed=Count("pk", filter=Q(state=S.CONFIRMED, starts_at__gt=now)),
    )

    def save(form: forms.Form) -> HttpResponse:
        count = services.series_stop(
            actor=request.user,
            series=row,
            cancel_confirmed=form.cleaned_data["cancel_confirmed"],
        )
        messages.success(
            request,
            ngettext(
                "The series is stopped; %(count)s task is cancelled.",
                "The series is stopped; %(count)s tasks are cancelled.",
                count,
            )
            % {"count": count},
        )
        return redirect(agreement)

    return _form_view(
        request,
        "tasks/series_stop.html",
        SeriesStopForm,
        save,
        agreement=agreement,
        series=row,
        **counts,
    )
