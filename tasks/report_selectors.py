"""Reads of residents' problem reports: one's own, and who takes care of
each. A report is its reporter's: nobody else reads it through these."""

from dataclasses import dataclass

from communities.models import Community
from communities.selectors import AnyUser

from .models import Agreement, ProblemReport


@dataclass
class ReportView:
    """A report as its reporter sees it, with who handles it: the contractor
    of the agreement its task was passed to, else the site's owner (None: the
    municipality)."""

    report: ProblemReport
    agreement: Agreement | None
    owner: Community | None


def _own(viewer: AnyUser):
    if not viewer.is_authenticated:
        return ProblemReport.objects.none()
    return ProblemReport.objects.filter(reporter=viewer).select_related(
        "site__owner", "task__agreement__client", "task__agreement__contractor"
    )


def _view(report: ProblemReport) -> ReportView:
    task = getattr(report, "task", None)
    return ReportView(
        report=report,
        agreement=task.agreement if task is not None else None,
        owner=report.site.owner,
    )


def own_reports(viewer: AnyUser) -> list[ReportView]:
    """``viewer``'s reports, newest first, in one query."""
    return [_view(r) for r in _own(viewer).order_by("-created_at", "-pk")]


def own_report(viewer: AnyUser, pk: int) -> ReportView | None:
    """Report ``pk`` when ``viewer`` made it, else None."""
    report = _own(viewer).filter(pk=pk).first()
    return _view(report) if report is not None else None
