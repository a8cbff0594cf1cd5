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

from . import selectors
from .models import Case
from .views import decide, decision_form


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
    form = decision_form(request, view)
    posted = request.method == "POST" and form.is_valid()
    if posted and decide(request, case, form) is not None:
        messages.success(request, _("Decided. The author was sent the reasons."))
        return redirect("moderation_admin_queue")
    context = {"view": view, "form": form, "header_title": _("Case")}
    return TemplateResponse(request, "moderation/admin/case.html", context)
