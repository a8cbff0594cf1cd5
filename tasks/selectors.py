"""Reads of the task board: the association's board, the contractor's board,
one task's page, an agreement's page, and the steps a board missed.

Every read is scoped by ``permissions.visible_agreements_q`` and reads in a
fixed number of queries, however many tasks there are
(tests/tasks/test_pages.py counts them). A community's board is for its own
active members, for the people an agreement names on its side, and for
municipal staff once both parties share the agreement; anyone else gets
None, which the pages answer with 404.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from agenda import recurrence
from agenda.models import Facility
from communities.models import Community, Membership
from communities.selectors import AnyUser, is_municipal_staff

from . import permissions
from .cards import BoardTask, CardWords, Waiting
from .models import (
    Agreement,
    AgreementActor,
    PreapprovedWindow,
    Side,
    Task,
    TaskSeries,
    TaskSlot,
    TaskStep,
)

S = Task.State
# The client board shows this week and the next three.
CLIENT_WEEKS = 4
CONTRACTOR_DAYS = 7
# At most this many steps are sent back to a board catching up.
STEPS_LIMIT = 500


def waiting_for(task: Task, open_slots: Iterable[TaskSlot]) -> str:
    """Planned: either side proposes; proposed: the side that did not propose
    answers; confirmed, in progress or disputed: the contractor; done: the
    association; ended: nobody."""
    if task.state == S.PLANNED:
        return Waiting.EITHER
    if task.state == S.PROPOSED:
        offered = {slot.side for slot in open_slots}
        if offered == {Side.CLIENT}:
            return Waiting.CONTRACTOR
        if offered == {Side.CONTRACTOR}:
            return Waiting.CLIENT
        return Waiting.EITHER
    if task.state in (S.CONFIRMED, S.IN_PROGRESS, S.DISPUTED):
        return Waiting.CONTRACTOR
    if task.state == S.DONE:
        return Waiting.CLIENT
    return Waiting.NOBODY


def _open_slots() -> Prefetch:
    return Prefetch(
        "slots",
        queryset=TaskSlot.objects.filter(state=TaskSlot.State.OPEN),
        to_attr="open_slots",
    )


@dataclass
class SiteGroup:
    site: Facility
    tasks: list[BoardTask] = field(default_factory=list)

    @property
    def on_map(self) -> bool:
        return self.site.latitude is not None and self.site.longitude is not None

    @property
    def yours(self) -> int:
        """How many of its tasks wait for the board's own side."""
        return sum(item.is_yours for item in self.tasks)


@dataclass
class DayGroup:
    day: date
    tasks: list[BoardTask] = field(default_factory=list)


@dataclass
class Board:
    """A community's board: the agreements it shows, its tasks grouped, and
    the newest step of the board's agreements (where a catch-up starts)."""

    community: Community
    side: str
    starts: date
    ends: date  # the first day no longer shown
    agreements: list[Agreement]
    last_step: int
    sites: list[SiteGroup] = field(default_factory=list)
    days: list[DayGroup] = field(default_factory=list)
    unscheduled: list[BoardTask] = field(default_factory=list)
    earlier: list[BoardTask] = field(default_factory=list)

    def by_site(self) -> list[SiteGroup]:
        """The contractor's days by site (by name): each site's tasks agreed
        for a time first, in their order, then those still without one."""
        groups: dict[int, SiteGroup] = {}
        shown = [*self.earlier, *(t for day in self.days for t in day.tasks)]
        for item in [*shown, *self.unscheduled]:
            site = item.task.site
            groups.setdefault(site.pk, SiteGroup(site=site)).tasks.append(item)
        return sorted(
            groups.values(), key=lambda g: (g.site.name.casefold(), g.site.pk)
        )

    @property
    def task_count(self) -> int:
        return (
            sum(len(g.tasks) for g in self.sites)
            + sum(len(g.tasks) for g in self.days)
            + len(self.unscheduled)
            + len(self.earlier)
        )


def board_side(community: Community) -> str:
    """The side a community's board is for, by the community's kind."""
    if community.kind == Community.Kind.CONTRACTOR:
        return Side.CONTRACTOR
    return Side.CLIENT


def board_agreements(viewer: AnyUser, community: Community) -> list[Agreement]:
    """The agreements on ``community``'s board that ``viewer`` may see; empty
    when the board is not theirs."""
    if not viewer.is_authenticated or not viewer.is_active:
        return []
    side = board_side(community)
    party = "client" if side == Side.CLIENT else "contractor"
    rows = Agreement.objects.filter(
        permissions.visible_agreements_q(viewer), **{party: community}
    ).select_related("client", "contractor")
    member = Membership.objects.filter(
        user=viewer, community=community, state=Membership.State.ACTIVE
    ).exists()
    if not member and not is_municipal_staff(viewer):
        return []
    return list(rows)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=recurrence.zone())


def _last_step(agreement_ids: list[int]) -> int:
    if not agreement_ids:
        return 0
    newest = TaskStep.objects.filter(task__agreement_id__in=agreement_ids).aggregate(
        newest=Max("pk")
    )["newest"]
    return newest or 0


def _board_tasks(agreements: list[Agreement], condition: Q) -> list[Task]:
    """The tasks of ``agreements`` matching ``condition``; each task's
    agreement is the one already read, so no query joins it again."""
    by_id = {a.pk: a for a in agreements}
    rows = list(
        Task.objects.filter(condition, agreement_id__in=list(by_id))
        .select_related("site", "crew")
        .prefetch_related(_open_slots())
    )
    for task in rows:
        task.agreement = by_id[task.agreement_id]
    return rows


# Work agreed for a day already past that is not finished: not started, under
# way, or disputed and to be done again. Shown on a board whose days begin
# today or before, so it does not drop off the day after its date.
UNFINISHED = (S.CONFIRMED, S.IN_PROGRESS, S.DISPUTED)


def _unfinished_before(first: datetime) -> Q:
    return Q(state__in=UNFINISHED, starts_at__lt=first)


def _cards(side: str) -> Callable[[Task], BoardTask]:
    """A board's cards, each with whose move it is and what its card says."""
    words = CardWords(side)

    def card(task: Task) -> BoardTask:
        slots = task.open_slots
        return words.card(task, waiting_for(task, slots), slots)

    return card


def client_board(
    viewer: AnyUser, community: Community, *, week_start: date
) -> Board | None:
    """The association's board: the tasks of its agreements whose time to be
    done in touches the four weeks from ``week_start``, grouped by site, each
    with whose move it is. None when the board is not ``viewer``'s."""
    agreements = board_agreements(viewer, community)
    if not agreements:
        return None
    ends = week_start + timedelta(weeks=CLIENT_WEEKS)
    shown = Q(window_from__lt=_moment(ends), window_until__gte=_moment(week_start))
    if week_start <= timezone.localdate():
        # Done and waiting for the club's answer belongs here too.
        shown |= Q(
            state__in=[*UNFINISHED, S.DONE], window_until__lt=_moment(week_start)
        )
    rows = _board_tasks(agreements, shown)
    rows.sort(key=lambda t: (t.site.name.casefold(), t.site_id, t.window_until, t.pk))
    board = Board(
        community=community,
        side=Side.CLIENT,
        starts=week_start,
        ends=ends,
        agreements=agreements,
        last_step=_last_step([a.pk for a in agreements]),
    )
    card = _cards(Side.CLIENT)
    for task in rows:
        if not board.sites or board.sites[-1].site.pk != task.site_id:
            board.sites.append(SiteGroup(site=task.site))
        board.sites[-1].tasks.append(card(task))
    return board


def contractor_board(
    viewer: AnyUser, community: Community, *, day: date
) -> Board | None:
    """The contractor's board: every task across the clubs it serves agreed
    for one of the seven days from ``day``, by day; the tasks still without a
    time whose window touches those days; and, from today, the work agreed
    for an earlier day and not finished (``earlier``). Each task carries its
    site (name and position, for a map) and its club. None when the board is
    not ``viewer``'s."""
    agreements = board_agreements(viewer, community)
    if not agreements:
        return None
    ends = day + timedelta(days=CONTRACTOR_DAYS)
    first, after = _moment(day), _moment(ends)
    shown = Q(starts_at__gte=first, starts_at__lt=after) | Q(
        starts_at__isnull=True,
        state__in=[S.PLANNED, S.PROPOSED],
        window_from__lt=after,
        window_until__gte=first,
    )
    if day <= timezone.localdate():
        shown |= _unfinished_before(first)
    rows = _board_tasks(agreements, shown)
    board = Board(
        community=community,
        side=Side.CONTRACTOR,
        starts=day,
        ends=ends,
        agreements=agreements,
        last_step=_last_step([a.pk for a in agreements]),
        days=[DayGroup(day + timedelta(days=n)) for n in range(CONTRACTOR_DAYS)],
    )
    scheduled = sorted(
        (t for t in rows if t.starts_at), key=lambda t: (t.starts_at, t.pk)
    )
    card = _cards(Side.CONTRACTOR)
    for task in scheduled:
        index = (recurrence.local(task.starts_at).date() - day).days
        if index < 0:
            board.earlier.append(card(task))
        else:
            board.days[index].tasks.append(card(task))
    waiting = sorted(
        (t for t in rows if not t.starts_at), key=lambda t: (t.window_until, t.pk)
    )
    board.unscheduled = [card(t) for t in waiting]
    return board


# --- one task


@dataclass
class TaskDetail:
    """A task's page: the task, its steps (who and when), the times offered,
    its photos, the sides the viewer acts for and the steps open to them."""

    task: Task
    steps: list[TaskStep]
    open_slots: list[TaskSlot]
    photos: list
    sides: set[str]
    waiting_for: str
    may: frozenset[str]

    @property
    def slots_to_confirm(self) -> list[TaskSlot]:
        """The offered times the viewer may take: the other side's."""
        if "confirm" not in self.may:
            return []
        return [
            s
            for s in self.open_slots
            if s.side not in self.sides or len(self.sides) > 1
        ]


def steps_open_to(
    task: Task, sides: set[str], open_slots: Iterable[TaskSlot]
) -> frozenset[str]:
    """The lifecycle steps a person acting for ``sides`` may take on ``task``
    now (the services check again)."""
    if not sides:
        return frozenset()
    may = set()
    active = task.agreement.is_active
    client, contractor = Side.CLIENT in sides, Side.CONTRACTOR in sides
    if active and task.state in (S.PLANNED, S.PROPOSED, S.CONFIRMED):
        may.add("propose")
    if task.state in (S.PLANNED, S.PROPOSED, S.CONFIRMED):
        may.add("cancel")
    offered = {slot.side for slot in open_slots}
    if (
        active
        and task.state == S.PROPOSED
        and (
            (Side.CONTRACTOR in offered and client)
            or (Side.CLIENT in offered and contractor)
        )
    ):
        may.add("confirm")
    if contractor and task.state in (S.CONFIRMED, S.DISPUTED):
        may.add("start")
    if contractor and task.state in (S.CONFIRMED, S.IN_PROGRESS, S.DISPUTED):
        may.add("complete")
    if client and task.state in (S.DONE, S.DISPUTED):
        may.add("accept")
    if client and task.state == S.DONE:
        may.add("dispute")
    return frozenset(may)


def tasks_visible(viewer: AnyUser) -> QuerySet[Task]:
    """The tasks ``viewer`` may see, with their agreement's parties, site and
    crew: the one scope of the task page, its photos and the API."""
    return Task.objects.filter(
        permissions.visible_agreements_q(viewer, "agreement__")
    ).select_related("agreement__client", "agreement__contractor", "site", "crew")


def task_detail(viewer: AnyUser, pk: int) -> TaskDetail | None:
    """Task ``pk`` for its page, or None when ``viewer`` may not see it."""
    task = (
        tasks_visible(viewer)
        .filter(pk=pk)
        .prefetch_related(
            Prefetch("steps", queryset=TaskStep.objects.select_related("actor")),
            "photos",
            _open_slots(),
        )
        .first()
    )
    if task is None:
        return None
    sides = permissions.sides_of(viewer, task.agreement)
    return TaskDetail(
        task=task,
        steps=list(task.steps.all()),
        open_slots=task.open_slots,
        photos=list(task.photos.all()),
        sides=sides,
        waiting_for=waiting_for(task, task.open_slots),
        may=steps_open_to(task, sides, task.open_slots),
    )


# --- catching up, an agreement, one's boards


def steps_after(
    viewer: AnyUser, community: Community, after_id: int
) -> list[TaskStep] | None:
    """The steps on ``community``'s board newer than ``after_id``, oldest
    first (at most ``STEPS_LIMIT``), each with its task; None when the board
    is not ``viewer``'s."""
    agreements = board_agreements(viewer, community)
    if not agreements:
        return None
    return list(
        TaskStep.objects.filter(
            task__agreement_id__in=[a.pk for a in agreements], pk__gt=after_id
        )
        .select_related("task")
        .order_by("pk")[:STEPS_LIMIT]
    )


def agreement_detail(viewer: AnyUser, pk: int) -> Agreement | None:
    """Agreement ``pk`` with its sites, people, pre-approved times, templates
    and series, or None when ``viewer`` may not see it."""
    return (
        Agreement.objects.filter(permissions.visible_agreements_q(viewer), pk=pk)
        .select_related("client", "contractor")
        .prefetch_related(
            "sites",
            Prefetch("actors", queryset=AgreementActor.objects.select_related("user")),
            Prefetch(
                "windows",
                queryset=PreapprovedWindow.objects.select_related("site"),
            ),
            "templates",
            Prefetch(
                "series",
                queryset=TaskSeries.objects.select_related("template", "site", "crew"),
            ),
        )
        .first()
    )


def boards_of(viewer: AnyUser) -> list[Community]:
    """The communities whose board ``viewer`` may open: those they are an
    active member of that are party to an agreement (everyone an agreement
    names for a side is a member of it)."""
    if not viewer.is_authenticated or not viewer.is_active:
        return []
    mine = Membership.objects.filter(user=viewer, state=Membership.State.ACTIVE).values(
        "community_id"
    )
    return list(
        Community.objects.filter(
            Q(pk__in=mine)
            & (
                Q(agreements_as_client__isnull=False)
                | Q(agreements_as_contractor__isnull=False)
            )
        )
        .distinct()
        .order_by("name", "pk")
    )
