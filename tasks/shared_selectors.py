"""What the municipality's moderators read of the task board: the agreements
both parties share with the municipality, each with this season's figures.

Municipal staff see an agreement only where both its parties share it
(``permissions.visible_agreements_q``); one side sharing is not enough.
Nobody else reads through these. A season is the calendar year on the
municipality's clock; a task counts in the season its time to be done in
ends.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, Prefetch, Q

from agenda import recurrence
from agenda.models import Facility
from communities.selectors import AnyUser, is_municipal_staff

from . import permissions
from .models import Agreement, ProblemReport, Task, WorkKind

S = Task.State
# Still to be done: planned, times offered, confirmed or under way (disputed
# work has its own figure).
OPEN = (S.PLANNED, S.PROPOSED, S.CONFIRMED, S.IN_PROGRESS)
FINISHED = (S.DONE, S.ACCEPTED)
# A report nobody has settled yet: waiting for its owner, or passed on.
UNSETTLED = (ProblemReport.State.OPEN, ProblemReport.State.TASKED)


@dataclass
class SharedAgreement:
    """An agreement on the moderators' list, with this season's figures."""

    agreement: Agreement
    kinds: list[str]
    finished: int
    open: int
    disputed: int
    missed: int
    reports: int


def season_bounds(today: date) -> tuple[datetime, datetime]:
    """The start of ``today``'s season and of the next one."""
    zone = recurrence.zone()
    return (
        datetime.combine(date(today.year, 1, 1), time.min, tzinfo=zone),
        datetime.combine(date(today.year + 1, 1, 1), time.min, tzinfo=zone),
    )


def _in(states, starts: datetime, ends: datetime) -> Q:
    return Q(
        tasks__state__in=states,
        tasks__window_until__gte=starts,
        tasks__window_until__lt=ends,
    )


def shared_agreements(viewer: AnyUser, *, today: date) -> list[SharedAgreement]:
    """Every agreement both parties share, for municipal staff (empty for
    anyone else), by client and contractor, with its parties, sites, kinds of
    work and the season of ``today``'s task figures and its sites' unsettled
    reports: three queries, however many agreements and tasks."""
    if not is_municipal_staff(viewer):
        return []
    starts, ends = season_bounds(today)
    rows = list(
        Agreement.objects.filter(
            permissions.visible_agreements_q(viewer),
            shared_by_client=True,
            shared_by_contractor=True,
        )
        .select_related("client", "contractor")
        .prefetch_related(
            Prefetch("sites", queryset=Facility.objects.order_by("name", "pk"))
        )
        .annotate(
            n_finished=Count("tasks", filter=_in(FINISHED, starts, ends)),
            n_open=Count("tasks", filter=_in(OPEN, starts, ends)),
            n_disputed=Count("tasks", filter=_in([S.DISPUTED], starts, ends)),
            n_missed=Count("tasks", filter=_in([S.MISSED], starts, ends)),
        )
    )
    if not rows:
        return []
    reports = dict(
        ProblemReport.objects.filter(
            site__agreements__in=[a.pk for a in rows], state__in=UNSETTLED
        )
        .order_by()
        .values("site__agreements")
        .annotate(n=Count("pk"))
        .values_list("site__agreements", "n")
    )
    kinds = dict(WorkKind.choices)
    return [
        SharedAgreement(
            agreement=a,
            kinds=[str(kinds.get(k, k)) for k in a.work_kinds],
            finished=a.n_finished,
            open=a.n_open,
            disputed=a.n_disputed,
            missed=a.n_missed,
            reports=reports.get(a.pk, 0),
        )
        for a in rows
    ]
