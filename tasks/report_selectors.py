"""Reads of residents' problem reports: one's own, and who takes care of
each; and the reports at the sites someone looks after.

A report is its reporter's and its site's owner's: the reporter reads it
through ``own_report``, whoever looks after the site (the owning community's
active organisers; municipal staff for the municipality's sites, whose owner
is None) through ``site_report``. Nobody else reads it through these.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from agenda.models import Facility
from communities.models import Community, Membership
from communities.selectors import AnyUser, is_municipal_staff

from . import permissions
from .models import Agreement, ProblemReport
from .services.work import responsible_agreement

# Besides the reports still waiting, the owners' list shows those settled in
# the last this many days.
RECENT_DAYS = 30


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


# --- the reports at the sites someone looks after


def _looked_after_q(viewer: AnyUser) -> Q:
    """The reports at the sites ``viewer`` looks after, as a filter."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Q(pk__in=[])
    organised = Membership.objects.filter(
        user=viewer,
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).values("community_id")
    seen = Q(site__owner_id__in=organised)
    if is_municipal_staff(viewer):
        seen |= Q(site__owner__isnull=True)
    return seen


def looks_after(viewer: AnyUser, site: Facility) -> bool:
    """Whether ``viewer`` answers the reports at ``site``: an active organiser
    of its owner; municipal staff where the municipality owns it."""
    if site.owner_id is None:
        return is_municipal_staff(viewer)
    return (
        viewer.is_authenticated
        and viewer.is_active
        and permissions.organiser_of(viewer, site.owner_id)
    )


def site_keepers(site: Facility) -> list[User]:
    """Who hears of a report waiting at ``site``: the active organisers of its
    owner, or the municipal staff (``communities.manage_all``, directly or by
    a group, and superusers) for a site of the municipality's."""
    if site.owner_id is None:
        people = User.objects.with_perm(
            "communities.manage_all",
            backend="django.contrib.auth.backends.ModelBackend",
        )
    else:
        people = User.objects.filter(
            memberships__community_id=site.owner_id,
            memberships__state=Membership.State.ACTIVE,
            memberships__role=Membership.Role.ORGANISER,
        )
    return list(people.filter(is_active=True).distinct().order_by("pk"))


def _at_my_sites(viewer: AnyUser):
    return ProblemReport.objects.filter(_looked_after_q(viewer)).select_related(
        "site__owner",
        "reporter",
        "task__agreement__client",
        "task__agreement__contractor",
    )


def site_reports(viewer: AnyUser) -> list[ReportView]:
    """The reports at the sites ``viewer`` looks after that still wait for an
    answer (oldest first), then those passed on or answered in the last
    ``RECENT_DAYS`` days (newest first), in one query. Empty for anyone who
    looks after no site."""
    recent = timezone.now() - timedelta(days=RECENT_DAYS)
    rows = list(
        _at_my_sites(viewer).filter(
            Q(state=ProblemReport.State.OPEN) | Q(updated_at__gte=recent)
        )
    )
    waiting = [r for r in rows if r.state == ProblemReport.State.OPEN]
    waiting.sort(key=lambda r: (r.created_at, r.pk))
    settled = [r for r in rows if r.state != ProblemReport.State.OPEN]
    settled.sort(key=lambda r: (r.updated_at, r.pk), reverse=True)
    return [_view(r) for r in waiting + settled]


@dataclass
class SiteReport:
    """A report as the site's owner sees it: who handles it, and the agreement
    in force now that could take it on (while it still waits)."""

    item: ReportView
    pass_on_to: Agreement | None


def site_report(viewer: AnyUser, pk: int) -> SiteReport | None:
    """Report ``pk`` when ``viewer`` looks after its site, else None."""
    report = _at_my_sites(viewer).filter(pk=pk).first()
    if report is None:
        return None
    pass_on_to = None
    if report.state == ProblemReport.State.OPEN:
        pass_on_to = responsible_agreement(report.site, report.kind)
    return SiteReport(item=_view(report), pass_on_to=pass_on_to)
