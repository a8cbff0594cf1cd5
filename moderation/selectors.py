"""Reads of moderation, scoped by who may see them.

Municipal moderators see every case. An organiser sees the cases of the spaces
they organise, and decides them until a case passes to the municipality
(escalated, or open longer than ``ESCALATE_AFTER_HOURS``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import is_municipal_staff

from . import registry, sanctions, trust
from .models import Appeal, Case, Decision, Reason, Report, Sanction, WordList

AnyUser = User | AnonymousUser


def overdue_before(now: datetime | None = None) -> datetime:
    hours = settings.NABOLAG_MODERATION["ESCALATE_AFTER_HOURS"]
    return (now or timezone.now()) - timedelta(hours=hours)


def organised_space_ids(user: AnyUser) -> QuerySet:
    return Membership.objects.filter(
        user=user if user.is_authenticated else None,
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).values("community_id")


def is_with_municipality(case: Case, now: datetime | None = None) -> bool:
    """Escalated, or open so long that the municipality takes it over."""
    return bool(case.escalation) or (
        case.is_open and case.opened_at < overdue_before(now)
    )


def can_see_case(*, user: AnyUser, case: Case) -> bool:
    if is_municipal_staff(user):
        return True
    if not user.is_authenticated or case.space_id is None:
        return False
    return organised_space_ids(user).filter(community_id=case.space_id).exists()


def can_decide(*, user: AnyUser, case: Case) -> bool:
    """Municipal moderators decide every case; an organiser the cases of their
    space that are still theirs (not passed to the municipality)."""
    if is_municipal_staff(user):
        return True
    return not is_with_municipality(case) and can_see_case(user=user, case=case)


def can_work_queue(user: AnyUser) -> bool:
    """Moderators, and organisers of at least one space."""
    return is_municipal_staff(user) or organised_space_ids(user).exists()


def queue(user: AnyUser, *, state: str = Case.State.OPEN) -> QuerySet[Case]:
    """The cases ``user`` works, oldest first, with their space, author and the
    number of reports and of people reporting. Empty for anyone else."""
    qs = Case.objects.filter(state=state)
    if not is_municipal_staff(user):
        if not user.is_authenticated:
            return qs.none()
        qs = qs.filter(space_id__in=organised_space_ids(user))
    # Explicitly: a grouped query (the count) drops the model's ordering.
    return (
        qs.select_related("space", "author")
        .annotate(report_count=Count("reports"))
        .order_by("opened_at", "id")
    )


def queue_count(user: AnyUser) -> int:
    """Open cases waiting for ``user``: for municipal moderators every open case,
    for an organiser those of their spaces still theirs to decide."""
    qs = Case.objects.filter(state=Case.State.OPEN)
    if is_municipal_staff(user):
        return qs.count()
    if not user.is_authenticated:
        return 0
    return qs.filter(
        space_id__in=organised_space_ids(user),
        escalation="",
        opened_at__gte=overdue_before(),
    ).count()


def case_for_viewer(*, user: AnyUser, pk: int) -> Case | None:
    """One case with its reports and decisions, for those who may see it."""
    case = (
        Case.objects.select_related("space", "author")
        .prefetch_related(
            Prefetch("reports", queryset=Report.objects.select_related("reporter")),
            Prefetch(
                "decisions", queryset=Decision.objects.select_related("moderator")
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if case is None or not can_see_case(user=user, case=case):
        return None
    return case


def report_record(user: User) -> tuple[int, int]:
    """How ``user``'s decided reports fared: (upheld, turned down). Upheld: the
    item was hidden by the decision; turned down: no action was taken."""
    decided = Decision.objects.filter(case_id=OuterRef("case_id"))
    counts = Report.objects.filter(reporter=user).aggregate(
        upheld=Count("pk", filter=Q(Exists(decided.filter(action="hide")))),
        turned_down=Count(
            "pk",
            filter=Q(Exists(decided.filter(action="no_action")))
            & ~Q(Exists(decided.filter(action="hide"))),
        ),
    )
    return counts["upheld"], counts["turned_down"]


def author_record(user: User | None) -> dict:
    """What moderation has decided about ``user``'s content before, and the
    strikes (sanctions) that count against them now."""
    if user is None:
        return {"hidden": 0, "cases": 0, "strikes": 0, "trust": ""}
    counts = Case.objects.filter(author=user).aggregate(
        cases=Count("pk", distinct=True),
        hidden=Count("pk", filter=Q(decisions__action=Decision.Action.HIDE)),
    )
    counts["strikes"] = sanctions.strikes(user).count()
    level = trust.level(user, strikes=bool(counts["strikes"]))
    counts["trust"] = trust.Level(level).label
    return counts


def decisions_for_author(user: AnyUser) -> QuerySet[Decision]:
    """The statements of reasons sent to ``user`` about their content."""
    if not user.is_authenticated:
        return Decision.objects.none()
    return Decision.objects.filter(case__author=user).select_related("case")


def decision_for_viewer(*, user: AnyUser, pk: int) -> Decision | None:
    """A statement of reasons, for its author and those who see the case."""
    decision = Decision.objects.select_related("case", "moderator").filter(pk=pk)
    decision = decision.first()
    if decision is None:
        return None
    if user.is_authenticated and decision.case.author_id == user.pk:
        return decision
    return decision if can_see_case(user=user, case=decision.case) else None


@dataclass(frozen=True)
class CaseView:
    """What the queue shows of one case beside its notices: the item's kind, its
    link, the text as reported, what came just before it, the author's record."""

    case: Case
    label: str
    url: str
    context: list[tuple[str, str]]
    author_record: dict[str, int]
    hideable: bool
    with_municipality: bool


def case_view(case: Case) -> CaseView:
    reportable = registry.by_kind(case.kind)
    item = reportable.get(case.object_id)
    return CaseView(
        case=case,
        label=reportable.label,
        url=reportable.url(item) if item is not None else "",
        context=reportable.context(item) if item is not None else [],
        author_record=author_record(case.author),
        hideable=reportable.hideable and item is not None,
        with_municipality=is_with_municipality(case),
    )


def reports_by(user: AnyUser) -> QuerySet[Report]:
    """A person's own reports, newest first, with how each case stands."""
    if not user.is_authenticated:
        return Report.objects.none()
    return (
        Report.objects.filter(reporter=user)
        .select_related("case")
        .prefetch_related("case__decisions")
        .order_by("-created_at", "-id")
    )


def cases_about(user: AnyUser) -> QuerySet[Case]:
    """Cases about a person's own content that hid it or were decided, newest
    first: what the author is told (never who reported)."""
    if not user.is_authenticated:
        return Case.objects.none()
    return (
        Case.objects.filter(author=user)
        .filter(
            Q(hidden_at__isnull=False)
            | Q(decisions__isnull=False)
            | (Q(state=Case.State.OPEN) & ~Q(flagged=""))
        )
        .distinct()
        .prefetch_related("decisions")
        .order_by("-opened_at", "-id")
    )


def decision_with_case(pk: int) -> Decision | None:
    """A decision and its case, unscoped: for the appeal form, which checks
    who may appeal (moderation.services.can_appeal)."""
    return Decision.objects.select_related("case", "case__space").filter(pk=pk).first()


def open_appeal(case: Case) -> Appeal | None:
    return (
        Appeal.objects.filter(decision__case=case, outcome="")
        .select_related("decision__moderator", "appellant")
        .first()
    )


@dataclass(frozen=True)
class MonthReport:
    """The public figures of one month's moderation (the transparency page)."""

    start: datetime
    notices_by_reason: list[tuple[str, int]]
    decisions_by_ground: list[tuple[str, str, int]]  # ground, action, count
    decisions: int
    automated: int
    median_hours: float | None
    appeals: int
    appeals_by_outcome: list[tuple[str, int]]
    sanctions_by_kind: list[tuple[str, int]]

    @property
    def notices(self) -> int:
        return sum(count for _label, count in self.notices_by_reason)

    @property
    def automated_percent(self) -> int:
        return round(100 * self.automated / self.decisions) if self.decisions else 0


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def month_report(year: int, month: int) -> MonthReport:
    """Notices by reason, decisions by ground and action, the share found by
    automation, the median hours from a case's first notice to its first
    decision, appeals by outcome and sanctions by kind, for one month (in the
    municipality's time zone). Counts only: nothing that names anyone."""
    start, end = _month_bounds(year, month)
    in_month = {"created_at__gte": start, "created_at__lt": end}
    reasons = dict(Reason.choices)
    notices = (
        Report.objects.filter(**in_month)
        .values_list("reason")
        .annotate(n=Count("pk"))
        .order_by("reason")
    )
    decisions = Decision.objects.filter(**in_month)
    grounds, actions = dict(Decision.Ground.choices), dict(Decision.Action.choices)
    by_ground = (
        decisions.values_list("ground", "action")
        .annotate(n=Count("pk"))
        .order_by("ground", "action")
    )
    totals = decisions.aggregate(
        all=Count("pk"), automated=Count("pk", filter=Q(automated_detection=True))
    )
    # A case's first decision, against the case's opening (its first notice).
    firsts = Case.objects.filter(decided_at__gte=start, decided_at__lt=end).values_list(
        "opened_at", "decided_at"
    )
    waits = [(decided - opened).total_seconds() / 3600 for opened, decided in firsts]
    appeals = Appeal.objects.filter(**in_month)
    outcomes = dict(Appeal.Outcome.choices) | {"": _("Not decided yet")}
    by_outcome = (
        appeals.values_list("outcome").annotate(n=Count("pk")).order_by("outcome")
    )
    kinds = dict(Sanction.Kind.choices)
    by_kind = (
        Sanction.objects.filter(**in_month)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by("kind")
    )
    return MonthReport(
        start=start,
        notices_by_reason=[(reasons.get(r, r), n) for r, n in notices],
        decisions_by_ground=[
            (grounds.get(g, g), actions.get(a, a), n) for g, a, n in by_ground
        ],
        decisions=totals["all"],
        automated=totals["automated"],
        median_hours=_median(waits),
        appeals=sum(n for _o, n in by_outcome),
        appeals_by_outcome=[(outcomes.get(o, o), n) for o, n in by_outcome],
        sanctions_by_kind=[(kinds.get(k, k), n) for k, n in by_kind],
    )


def first_month() -> datetime | None:
    """The month of the first notice on record (the transparency pages start
    there)."""
    first = Report.objects.order_by("created_at").values_list("created_at", flat=True)
    found = first.first()
    return timezone.localtime(found) if found else None


def can_edit_words(*, user: AnyUser, space) -> bool:
    if is_municipal_staff(user):
        return True
    if space is None or not user.is_authenticated:
        return False
    return organised_space_ids(user).filter(community_id=space.pk).exists()


def word_list(space) -> str:
    found = WordList.objects.filter(space=space).values_list("words", flat=True)
    return found.first() or ""


def organised_spaces(user: AnyUser) -> QuerySet:
    """The communities ``user`` organises (their word lists, on the queue)."""
    return Community.objects.filter(pk__in=organised_space_ids(user)).order_by("name")
