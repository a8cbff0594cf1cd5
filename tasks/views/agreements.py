"""An agreement's page: its parties, sites, kinds of work, people,
pre-approved times, templates and series; and the small changes made on it,
each a plain form post to its own address calling one service: the
contractor's answer, sharing with the municipality, who may act, the
pre-approved times.

The forms shown are those the viewer's sides may use (the services check
again). A refusal shows the page again with the reason beside the form and
what was typed kept; when the page no longer offers that form, as a message.
The larger forms (edit, end, recurring jobs, series, one-off tasks) have
their own pages (tasks/views/manage.py).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hub.errors import ApplicationError

from .. import permissions, selectors
from ..manage_forms import ActorForm, AnswerForm, ShareForm, WindowForm, refuse
from ..models import Agreement, Side, WorkKind
from ..services import agreements as services

TEMPLATE = "tasks/agreement_detail.html"
LIVE = (Agreement.State.INVITED, Agreement.State.ACTIVE)


def agreement_or_404(request: HttpRequest, pk: int) -> Agreement:
    agreement = selectors.agreement_detail(request.user, pk)
    if agreement is None:
        raise Http404
    return agreement


def managed_sides(request: HttpRequest, agreement: Agreement) -> set[str]:
    """The sides whose organiser the viewer is: those they may change the
    agreement for."""
    return {
        side
        for side in Side.values
        if permissions.can_manage_agreement(request.user, agreement, side)
    }


def _forms(agreement: Agreement, manages: set[str], actors: list, sites: list):
    offered: dict[str, forms.Form] = {}
    if manages and agreement.state != Agreement.State.DECLINED:
        offered["share"] = ShareForm()
    if agreement.state not in LIVE:
        return offered
    if Side.CONTRACTOR in manages and agreement.state == Agreement.State.INVITED:
        offered["answer"] = AnswerForm()
    for side in sorted(manages):
        offered[f"actor_{side}"] = ActorForm(
            agreement=agreement, side=side, actors=actors
        )
    if Side.CLIENT in manages:
        offered["window"] = WindowForm(sites=sites)
    return offered


def _page(
    request: HttpRequest,
    agreement: Agreement,
    *,
    bound: forms.Form | None = None,
    refusal: ApplicationError | None = None,
    status: int = 200,
) -> HttpResponse:
    manages = managed_sides(request, agreement)
    actors = list(agreement.actors.all())
    sites = list(agreement.sites.all())
    offered = _forms(agreement, manages, actors, sites)
    if bound is not None and bound.prefix in offered:
        offered[bound.prefix] = bound
        if refusal is not None:
            refuse(bound, refusal)
    elif refusal is not None:
        messages.error(request, str(refusal.message))
    elif bound is not None:
        messages.error(request, _("This change is not open to you now."))
    acts = manages | {a.side for a in actors if a.user_id == request.user.pk}
    templates = list(agreement.templates.all())
    for template in templates:
        template.duration_minutes = int(template.duration.total_seconds() // 60)
    kinds = dict(WorkKind.choices)
    live, active = agreement.state in LIVE, agreement.is_active
    context = {
        "agreement": agreement,
        "kinds": [kinds.get(k, k) for k in agreement.work_kinds],
        "client_people": [a for a in actors if a.side == Side.CLIENT],
        "contractor_people": [a for a in actors if a.side == Side.CONTRACTOR],
        "templates": templates,
        "windows": [(WEEKDAYS[w.weekday], w) for w in agreement.windows.all()],
        "forms": offered,
        "manages": manages,
        "may_edit": live and Side.CLIENT in manages,
        "may_end": live and bool(manages),
        "may_plan": live and bool(manages),
        "may_plan_series": active and bool(manages) and bool(templates),
        "may_add_task": active and bool(acts),
        "shared_by_me": bool(manages)
        and all(getattr(agreement, f"shared_by_{side}") for side in manages),
    }
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_safe
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """404 for whoever may not see the agreement."""
    return _page(request, agreement_or_404(request, pk))


def _refused(request, agreement, exc: ApplicationError, form=None) -> HttpResponse:
    return _page(request, agreement, bound=form, refusal=exc, status=exc.status)


@login_required
@require_POST
def agreement_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The contractor's organiser accepts or declines the invitation."""
    agreement = agreement_or_404(request, pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, agreement, bound=form, status=400)
    try:
        agreement = services.agreement_answer(
            actor=request.user, agreement=agreement, accept=form.accepted()
        )
    except ApplicationError as exc:
        return _refused(request, agreement, exc, form)
    if agreement.is_active:
        messages.success(
            request, _("The agreement is in force: both sides can now plan its tasks.")
        )
    else:
        messages.success(request, _("The invitation is declined."))
    return redirect(agreement)


@login_required
@require_POST
def agreement_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share the agreement with the municipality, or stop, for the sides the
    viewer organises."""
    agreement = agreement_or_404(request, pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return _page(request, agreement, bound=form, status=400)
    try:
        agreement = services.agreement_share(
            actor=request.user, agreement=agreement, shared=form.cleaned_data["shared"]
        )
    except ApplicationError as exc:
        return _refused(request, agreement, exc)
    if not form.cleaned_data["shared"]:
        done = _("You no longer share the agreement with the municipality.")
    elif agreement.shared_with_municipality:
        done = _("Both sides share the agreement: the municipality can now see it.")
    else:
        done = _(
            "You share the agreement. The municipality sees it once the other "
            "side shares it too."
        )
    messages.success(request, done)
    return redirect(agreement)


def _side_or_404(side: str) -> str:
    if side not in Side.values:
        raise Http404
    return side


@login_required
@require_POST
def actor_add(request: HttpRequest, pk: int, side: str) -> HttpResponse:
    """Name someone of ``side``'s community who may act on the tasks."""
    agreement = agreement_or_404(request, pk)
    form = ActorForm(
        request.POST,
        agreement=agreement,
        side=_side_or_404(side),
        actors=list(agreement.actors.all()),
    )
    if not form.is_valid():
        return _page(request, agreement, bound=form, status=400)
    person = form.cleaned_data["user"]
    try:
        services.actor_add(
            actor=request.user, agreement=agreement, user=person, side=side
        )
    except ApplicationError as exc:
        return _refused(request, agreement, exc, form)
    messages.success(
        request,
        _("%(name)s may now act on this agreement's tasks.")
        % {"name": person.public_name},
    )
    return redirect(agreement)


@login_required
@require_POST
def actor_remove(request: HttpRequest, pk: int, user: int) -> HttpResponse:
    agreement = agreement_or_404(request, pk)
    row = next((a for a in agreement.actors.all() if a.user_id == user), None)
    if row is None:
        raise Http404
    try:
        services.actor_remove(actor=request.user, agreement=agreement, user=row.user)
    except ApplicationError as exc:
        return _refused(request, agreement, exc)
    messages.success(
        request,
        _("%(name)s may no longer act on this agreement's tasks.")
        % {"name": row.user.public_name},
    )
    return redirect(agreement)


@login_required
@require_POST
def window_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The association pre-approves a weekly time for work."""
    agreement = agreement_or_404(request, pk)
    form = WindowForm(request.POST, sites=list(agreement.sites.all()))
    if not form.is_valid():
        return _page(request, agreement, bound=form, status=400)
    data = form.cleaned_data
    try:
        services.window_add(
            actor=request.user,
            agreement=agreement,
            weekday=data["weekday"],
            opens=data["opens"],
            closes=data["closes"],
            site=data["site"],
        )
    except ApplicationError as exc:
        return _refused(request, agreement, exc, form)
    messages.success(request, _("The time is pre-approved."))
    return redirect(agreement)


@login_required
@require_POST
def window_remove(request: HttpRequest, pk: int, window: int) -> HttpResponse:
    agreement = agreement_or_404(request, pk)
    row = next((w for w in agreement.windows.all() if w.pk == window), None)
    if row is None:
        raise Http404
    try:
        services.window_remove(actor=request.user, window=row)
    except ApplicationError as exc:
        return _refused(request, agreement, exc)
    messages.success(request, _("The time is no longer pre-approved."))
    return redirect(agreement)
