"""The pages that manage an agreement through a form of their own: the
invitation, its changes, its end (after a confirm step), a recurring job, a
series of tasks and a one-off task.

Each page is offered to the people whose sides may use it (403 for the
others who may see the agreement, 404 for whoever may not); its post calls
one service. A refusal shows the form again with the reason beside the
field it is about and everything typed kept.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from communities.models import Community
from hub.errors import ApplicationError

from .. import permissions
from ..manage_forms import AgreementForm, EndForm, InviteForm, refuse
from ..models import Agreement, Side, Task
from ..plan_forms import SeriesForm, TaskForm, TemplateForm
from ..services import agreements as services
from ..services import work
from .agreements import agreement_or_404, managed_sides

GET_POST = require_http_methods(["GET", "POST"])


def _form_page(request, template: str, form: forms.Form, status=200, **extra):
    return render(request, template, {"form": form, **extra}, status=status)


def _refused(request, template, form, exc: ApplicationError, **extra):
    refuse(form, exc)
    return _form_page(request, template, form, status=exc.status, **extra)


# --- the invitation and its changes


@login_required
@GET_POST
def agreement_new(request: HttpRequest, slug: str) -> HttpResponse:
    """An association's organiser invites a contractor."""
    client = get_object_or_404(Community, slug=slug)
    if client.kind == Community.Kind.CONTRACTOR or not permissions._organiser_of(
        request.user, client.pk
    ):
        raise PermissionDenied
    page = "tasks/agreement_form.html"
    if request.method != "POST":
        return _form_page(request, page, InviteForm(), client=client)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _form_page(request, page, form, status=400, client=client)
    data = form.cleaned_data
    try:
        agreement = services.agreement_invite(
            actor=request.user,
            client=client,
            contractor=data["contractor"],
            title=data["title"],
            sites=list(data["sites"]),
            work_kinds=data["work_kinds"],
            terms=data["terms"],
        )
    except ApplicationError as exc:
        return _refused(request, page, form, exc, client=client)
    messages.success(
        request,
        _("%(name)s is invited. The agreement starts once they accept.")
        % {"name": agreement.contractor.name},
    )
    return redirect(agreement)


@login_required
@GET_POST
def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The association's organisers change the name, terms, sites and kinds."""
    agreement = agreement_or_404(request, pk)
    if not permissions.can_manage_agreement(request.user, agreement, Side.CLIENT):
        raise PermissionDenied
    page, extra = "tasks/agreement_form.html", {"agreement": agreement}
    if request.method != "POST":
        form = AgreementForm(initial=AgreementForm.initial_of(agreement))
        return _form_page(request, page, form, **extra)
    form = AgreementForm(request.POST)
    if not form.is_valid():
        return _form_page(request, page, form, status=400, **extra)
    data = form.cleaned_data
    try:
        agreement = services.agreement_update(
            actor=request.user,
            agreement=agreement,
            title=data["title"],
            sites=list(data["sites"]),
            work_kinds=data["work_kinds"],
            terms=data["terms"],
        )
    except ApplicationError as exc:
        return _refused(request, page, form, exc, **extra)
    messages.success(request, _("The agreement is saved."))
    return redirect(agreement)


@login_required
@GET_POST
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first; then either side's organiser ends the agreement, and its
    open tasks are cancelled."""
    agreement = agreement_or_404(request, pk)
    if not managed_sides(request, agreement):
        raise PermissionDenied
    page = "tasks/agreement_end.html"
    extra = {
        "agreement": agreement,
        "open_tasks": agreement.tasks.filter(state__in=Task.OPEN_STATES).count(),
    }
    if request.method != "POST":
        return _form_page(request, page, EndForm(), **extra)
    form = EndForm(request.POST)
    if not form.is_valid():
        return _form_page(request, page, form, status=400, **extra)
    try:
        agreement = services.agreement_end(
            actor=request.user, agreement=agreement, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        return _refused(request, page, form, exc, **extra)
    messages.success(
        request, _("The agreement has ended. Its open tasks are cancelled.")
    )
    return redirect(agreement)


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
    page, extra = "tasks/template_form.html", {"agreement": agreement}
    if request.method != "POST":
        return _form_page(request, page, TemplateForm(agreement=agreement), **extra)
    form = TemplateForm(request.POST, agreement=agreement)
    if not form.is_valid():
        return _form_page(request, page, form, status=400, **extra)
    data = form.cleaned_data
    try:
        template = services.template_save(
            actor=request.user,
            agreement=agreement,
            title=data["title"],
            kind=data["kind"],
            checklist=form.checklist_lines(),
            instructions=data["instructions"],
            duration=form.duration_delta(),
            blocks_site=data["blocks_site"],
        )
    except ApplicationError as exc:
        return _refused(request, page, form, exc, **extra)
    messages.success(request, _("%(title)s is saved.") % {"title": template.title})
    return redirect(agreement)


@login_required
@GET_POST
def series_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A series of a recurring job's tasks at a site: weekly until a date, or
    before or after the association's events there."""
    agreement = _planner_or_403(request, pk)
    page, extra = "tasks/series_form.html", {"agreement": agreement}
    kwargs = {"agreement": agreement, "sites": list(agreement.sites.all())}
    if request.method != "POST":
        return _form_page(request, page, SeriesForm(**kwargs), **extra)
    form = SeriesForm(request.POST, **kwargs)
    if not form.is_valid():
        return _form_page(request, page, form, status=400, **extra)
    data = form.cleaned_data
    try:
        series = services.series_save(
            actor=request.user,
            template=data["template"],
            site=data["site"],
            mode=data["mode"],
            starts_at=form.starts_at(),
            rrule=form.rrule(),
            event=data["event"],
            offset=form.offset_delta(),
            window=form.window_delta(),
        )
    except ApplicationError as exc:
        return _refused(request, page, form, exc, **extra)
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


@login_required
@GET_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Either side adds a one-off task."""
    agreement = agreement_or_404(request, pk)
    if not permissions.can_act(request.user, agreement):
        raise PermissionDenied
    page, extra = "tasks/task_form.html", {"agreement": agreement}
    kwargs = {"agreement": agreement, "sites": list(agreement.sites.all())}
    if request.method != "POST":
        return _form_page(request, page, TaskForm(**kwargs), **extra)
    form = TaskForm(request.POST, **kwargs)
    if not form.is_valid():
        return _form_page(request, page, form, status=400, **extra)
    try:
        task = work.task_create(
            actor=request.user, agreement=agreement, fields=form.task_fields()
        )
    except ApplicationError as exc:
        return _refused(request, page, form, exc, **extra)
    messages.success(request, _("The task is added to the board."))
    return redirect(task)
