"""The municipal moderators' queue, in the Wagtail admin where they already work.

The same selectors, form and case partial as the organisers' pages
(``moderation.views``), in the admin's frame."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from communities.selectors import is_municipal_staff
from hub.errors import ApplicationError
from hub.refusals import show_refusal

from . import selectors, services
from .forms import AppealDecisionForm
from .models import Case
from .views import decide, decision_form, quick_decide


def _staff_only(request: HttpRequest) -> None:
    if not is_municipal_staff(request.user):
        raise PermissionDenied


def queue(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    state = request.GET.get("state", Case.State.OPEN)
    if state not in Case.State.values:
        state = Case.State.OPEN
    context = {
        "cases": selectors.queue(request.user, state=state)[:200],
        "state": state,
        "states": Case.State.choices,
        "header_title": _("Reports"),
    }
    return TemplateResponse(request, "moderation/admin/queue.html", context)


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    case = selectors.case_for_viewer(user=request.user, pk=pk)
    if case is None:
        raise Http404
    view = selectors.case_view(case)
    appeal = selectors.open_appeal(case)
    if appeal is not None:
        return _appeal(request, view, appeal)
    if request.method == "POST" and "quick" in request.POST:
        if quick_decide(request, view) is not None:
            messages.success(request, _("Decided. The author was sent the reasons."))
            return redirect("moderation_admin_queue")
        return redirect("moderation_admin_case", pk=case.pk)
    form = decision_form(request, view)
    posted = request.method == "POST" and form.is_valid()
    if posted and decide(request, case, form) is not None:
        messages.success(request, _("Decided. The author was sent the reasons."))
        return redirect("moderation_admin_queue")
    context = {
        "view": view,
        "form": form,
        "quick": services.quick_decisions(view),
        "header_title": _("Case"),
    }
    return TemplateResponse(request, "moderation/admin/case.html", context)


def _appeal(request: HttpRequest, view: selectors.CaseView, appeal) -> HttpResponse:
    """An appealed case: answered by a moderator other than the one who decided."""
    may_decide = services.can_decide_appeal(user=request.user, appeal=appeal)
    form = AppealDecisionForm(request.POST or None) if may_decide else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.appeal_decide(
                moderator=request.user, appeal=appeal, data=form.to_input()
            )
        except ApplicationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(
                request, _("The appeal was decided. Both sides were sent the reasons.")
            )
            return redirect("moderation_admin_queue")
    context = {
        "view": view,
        "appeal": appeal,
        "form": form,
        "header_title": _("Appeal"),
    }
    return TemplateResponse(request, "moderation/admin/case.html", context)
