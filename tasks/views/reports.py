"""Residents' problem reports: the form for a site, the page that says who
takes care of it, and the list of one's own reports with their state; and,
for those who look after the sites (the owners' organisers, municipal staff
for the municipality's), the reports at their sites, each with its answer
and, when an agreement in force now covers it, a button to pass it on.

The calendar's facility page links to the form through the registry in
``agenda.facility_links`` (tasks/hooks.py); the list of one's reports also
lists the sites to report a problem at.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from agenda.facility_selectors import facilities, facility_by_slug
from hub.errors import ApplicationError

from .. import report_selectors
from ..manage_forms import ReportForm, refuse
from ..models import ProblemReport
from ..report_forms import ReportAnswerForm
from ..services import reports as report_services
from ..services import work


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest, slug: str) -> HttpResponse:
    """Report a problem at the site ``slug``."""
    site = facility_by_slug(slug)
    if site is None:
        raise Http404
    page = "tasks/report_form.html"
    if request.method != "POST":
        return render(request, page, {"form": ReportForm(), "site": site})
    form = ReportForm(request.POST)
    if not form.is_valid():
        return render(request, page, {"form": form, "site": site}, status=400)
    try:
        report = work.problem_report(
            actor=request.user,
            site=site,
            kind=form.cleaned_data["kind"],
            description=form.cleaned_data["description"],
        )
    except ApplicationError as exc:
        refuse(form, exc)
        context = {"form": form, "site": site}
        return render(request, page, context, status=exc.status)
    messages.success(request, _("Thank you for your report."))
    return redirect(reverse("tasks:report_detail", args=[report.pk]))


@login_required
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One's own report and who takes care of it; 404 for anyone else."""
    shown = report_selectors.own_report(request.user, pk)
    if shown is None:
        raise Http404
    return render(request, "tasks/report_detail.html", {"item": shown})


@login_required
@require_safe
def reports_mine(request: HttpRequest) -> HttpResponse:
    """The viewer's reports, newest first, with their state; and the sites to
    report a new problem at."""
    context = {
        "reports": report_selectors.own_reports(request.user),
        "sites": list(facilities()),
    }
    return render(request, "tasks/report_list.html", context)


# --- the reports at the sites the viewer looks after


@login_required
@require_safe
def site_reports(request: HttpRequest) -> HttpResponse:
    """The reports waiting at the sites the viewer looks after, and those
    settled lately; empty for anyone who looks after none."""
    context = {"reports": report_selectors.site_reports(request.user)}
    return render(request, "tasks/report_sites.html", context)


def _site_report_or_404(request: HttpRequest, pk: int):
    shown = report_selectors.site_report(request.user, pk)
    if shown is None:
        raise Http404
    return shown


def _site_report_page(request, shown, form=None, status=200) -> HttpResponse:
    waiting = shown.item.report.state == ProblemReport.State.OPEN
    context = {
        "shown": shown,
        "item": shown.item,
        "form": form or (ReportAnswerForm() if waiting else None),
    }
    return render(request, "tasks/report_site.html", context, status=status)


@login_required
@require_safe
def site_report(request: HttpRequest, pk: int) -> HttpResponse:
    """A report at a site the viewer looks after, with the answer form while
    it waits; 404 for anyone else."""
    return _site_report_page(request, _site_report_or_404(request, pk))


@login_required
@require_POST
def site_report_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Answer the report: put right, or not taken up, with a word for the
    resident."""
    shown = _site_report_or_404(request, pk)
    form = ReportAnswerForm(request.POST)
    if not form.is_valid():
        return _site_report_page(request, shown, form, status=400)
    try:
        report_services.report_answer(
            actor=request.user,
            report=shown.item.report,
            state=form.cleaned_data["state"],
            answer=form.cleaned_data["answer"],
        )
    except ApplicationError as exc:
        if isinstance(exc, report_services.ReportSettled):
            messages.error(request, str(exc.message))
            return redirect("tasks:site_report", pk=pk)
        refuse(form, exc)
        return _site_report_page(request, shown, form, status=exc.status)
    messages.success(request, _("Your answer is sent to the resident."))
    return redirect("tasks:site_report", pk=pk)


@login_required
@require_POST
def site_report_pass_on(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass the report on as a task to the agreement in force covering it."""
    shown = _site_report_or_404(request, pk)
    try:
        task = report_services.report_pass_on(
            actor=request.user, report=shown.item.report
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("tasks:site_report", pk=pk)
    messages.success(
        request,
        _("The report is passed on to %(contractor)s as a task.")
        % {"contractor": task.agreement.contractor.name},
    )
    return redirect("tasks:site_report", pk=pk)
