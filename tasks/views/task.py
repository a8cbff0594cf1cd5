"""A task's page and its steps.

The page shows the task, the times offered (with a button to take one for the
other side), the forms of the steps the viewer may take now and who did what
when. Each step is a plain form post to its own address, carrying the
``version`` the page was read at: refused, the page comes again with the
reason and what was typed; when someone else moved the task meanwhile
(``TaskConflict``) it shows how the task stands now. Either side opens the
task's conversation from it, and the contractor gives the task to a crew.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hub.errors import ApplicationError
from hub.refusals import show_refusal

from .. import selectors
from ..errors import TaskConflict
from ..forms import FORMS, StepForm
from ..manage_forms import CrewForm, refuse
from ..models import Side, Task
from ..services import lifecycle, work

TEMPLATE = "tasks/task_detail.html"


def _detail_or_404(request: HttpRequest, pk: int) -> selectors.TaskDetail:
    detail = selectors.task_detail(request.user, pk)
    if detail is None:
        raise Http404
    return detail


def _form(name: str, detail: selectors.TaskDetail, *args) -> StepForm:
    # A posted choice is checked against every time on offer: whether the
    # viewer may take it is the service's to say.
    slots = detail.open_slots if args else detail.slots_to_confirm
    extra = {"slots": slots} if name == "confirm" else {}
    return FORMS[name](*args, task=detail.task, **extra)


def _crew_form(detail: selectors.TaskDetail, bound: CrewForm | None) -> CrewForm | None:
    """The contractor's choice of crew, while the task is open."""
    task = detail.task
    if Side.CONTRACTOR not in detail.sides or not task.is_open:
        return None
    if bound is not None:
        return bound
    return CrewForm(
        contractor_id=task.agreement.contractor_id, initial={"crew": task.crew_id}
    )


def _page(
    request: HttpRequest,
    detail: selectors.TaskDetail,
    *,
    bound: StepForm | None = None,
    typed: list[str] | None = None,
    crew_form: CrewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = {name: _form(name, detail) for name in detail.may}
    if bound is not None and bound.prefix in forms:
        forms[bound.prefix] = bound
    task = detail.task
    context = {
        "detail": detail,
        "task": task,
        "agreement": task.agreement,
        "forms": forms,
        "checklist": [
            (i in task.checked, line) for i, line in enumerate(task.checklist)
        ],
        "typed": typed or [],
        "duration_minutes": int(task.duration.total_seconds() // 60),
        "crew_form": _crew_form(detail, crew_form),
    }
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_safe
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """404 for whoever may not see the task."""
    return _page(request, _detail_or_404(request, pk))


def _take(name: str, request: HttpRequest, task: Task, form: StepForm) -> Task:
    """The one service call of step ``name``."""
    data, actor = form.cleaned_data, request.user
    version = data["version"]
    if name == "propose":
        return lifecycle.task_propose(
            actor=actor,
            task=task,
            starts=form.starts(),
            note=data["note"],
            version=version,
        )
    if name == "confirm":
        return lifecycle.task_confirm(
            actor=actor, task=task, slot=form.chosen(), version=version
        )
    if name == "complete":
        return lifecycle.task_complete(
            actor=actor, task=task, report=form.completion(), version=version
        )
    if name in ("dispute", "cancel"):
        service = getattr(lifecycle, f"task_{name}")
        return service(actor=actor, task=task, reason=data["reason"], version=version)
    service = {"start": lifecycle.task_start, "accept": lifecycle.task_accept}[name]
    return service(actor=actor, task=task, version=version)


def _done(name: str, task: Task) -> str:
    if name == "propose" and task.state == Task.State.CONFIRMED:
        return _(
            "The time is in a window the association pre-approved: it is "
            "confirmed at once."
        )
    return {
        "propose": _("Your times are offered. The other side is told."),
        "confirm": _("The time is confirmed."),
        "start": _("The task is marked as under way."),
        "complete": _("The work is reported done. The association is told."),
        "accept": _("The work is accepted. Thank you."),
        "dispute": _("Your objection is sent to the contractor."),
        "cancel": _("The task is cancelled."),
    }[name]


def _typed(form: StepForm) -> list[str]:
    """The text typed into a form the page no longer shows."""
    names = ("note", "reason", "photo_description")
    return [
        text
        for text in (form.data.get(form.add_prefix(n), "").strip() for n in names)
        if text
    ]


@login_required
@require_POST
def task_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take ``step`` (propose, confirm, start, complete, accept, dispute,
    cancel) on task ``pk``."""
    detail = _detail_or_404(request, pk)
    form = _form(step, detail, request.POST, request.FILES)
    if not form.is_valid():
        if step in detail.may:
            return _page(request, detail, bound=form, status=400)
        if not detail.sides:
            messages.error(request, _("You are not a party to this task."))
            return _page(request, detail, status=403)
        # The step was open on the page the form came from: the task moved on.
        conflict = TaskConflict()
        show_refusal(request, conflict)
        return _page(request, detail, typed=_typed(form), status=conflict.status)
    try:
        task = _take(step, request, detail.task, form)
    except TaskConflict as exc:
        show_refusal(request, exc)
        detail = _detail_or_404(request, pk)
        form.task = detail.task
        form.refresh_version()
        typed = [] if step in detail.may else _typed(form)
        return _page(request, detail, bound=form, typed=typed, status=exc.status)
    except ApplicationError as exc:
        shown = step in detail.may
        show_refusal(request, exc, form=form if shown else None)
        typed = [] if shown else _typed(form)
        return _page(request, detail, bound=form, typed=typed, status=exc.status)
    messages.success(request, _done(step, task))
    return redirect(task)


# --- the task's thread and its crew


@login_required
@require_POST
def task_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the task's conversation (made on first use) for either side."""
    detail = _detail_or_404(request, pk)
    try:
        thread = work.task_thread(actor=request.user, task=detail.task)
    except ApplicationError as exc:
        show_refusal(request, exc)
        return _page(request, detail, status=exc.status)
    return redirect(thread.get_absolute_url())


@login_required
@require_POST
def task_crew(request: HttpRequest, pk: int) -> HttpResponse:
    """The contractor gives the task to one of its crews, or to none."""
    detail = _detail_or_404(request, pk)
    form = CrewForm(request.POST, contractor_id=detail.task.agreement.contractor_id)
    if not form.is_valid():
        if Side.CONTRACTOR not in detail.sides:
            messages.error(request, _("Only the contractor can do this."))
            return _page(request, detail, status=403)
        return _page(request, detail, crew_form=form, status=400)
    try:
        task = work.task_assign_crew(
            actor=request.user, task=detail.task, crew=form.cleaned_data["crew"]
        )
    except ApplicationError as exc:
        if Side.CONTRACTOR in detail.sides:
            refuse(form, exc)
        else:
            show_refusal(request, exc)
        return _page(request, detail, crew_form=form, status=exc.status)
    if task.crew is None:
        messages.success(request, _("The task is no longer given to a crew."))
    else:
        messages.success(
            request,
            _("The task is given to %(crew)s.") % {"crew": task.crew.name},
        )
    return redirect(task)
