"""Residents' problem reports: the form for a site, the page that says who
takes care of it, and the list of one's own reports with their state.

The calendar's facility page cannot link here (agenda is a lower layer and
has no hook for higher apps' links), so the list of one's reports also
lists the sites to report a problem at.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agenda.facility_selectors import facilities, facility_by_slug
from hub.errors import ApplicationError

from .. import report_selectors
from ..manage_forms import ReportForm, refuse
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
