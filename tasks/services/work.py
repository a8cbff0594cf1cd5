"""Tasks made by hand, given to a crew, talked over in their thread, and the
problems residents report at a site."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agenda.models import Facility
from communities.models import Membership
from hub import ratelimit
from hub.oncommit import on_commit
from messaging.models import Conversation
from messaging.services import thread_for_object

from .. import permissions
from ..errors import TaskError, TaskNotPermitted
from ..models import Agreement, Crew, ProblemReport, Side, Task, TaskStep, WorkKind


@dataclass(frozen=True)
class TaskFields:
    title: str
    kind: str
    site: Facility
    window_from: datetime
    window_until: datetime
    duration: timedelta = timedelta(hours=2)
    instructions: str = ""
    checklist: tuple[str, ...] = ()
    blocks_site: bool = False


def _check(agreement: Agreement, fields: TaskFields) -> TaskFields:
    title = " ".join(fields.title.split())
    if not title:
        raise TaskError(_("Please give the task a title."), field="title")
    if not agreement.covers(fields.kind):
        raise TaskError(
            _("The agreement does not cover this kind of work."), field="kind"
        )
    if not agreement.sites.filter(pk=fields.site.pk).exists():
        raise TaskError(_("That site is not part of this agreement."), field="site")
    if fields.window_until <= fields.window_from:
        raise TaskError(_("The end must come after the start."), field="window_until")
    if fields.window_until < timezone.now():
        raise TaskError(
            _("The time to do the task in has already passed."), field="window_until"
        )
    if not timedelta(minutes=10) <= fields.duration <= timedelta(hours=24):
        raise TaskError(
            _("A job takes between 10 minutes and 24 hours."), field="duration"
        )
    if fields.duration > fields.window_until - fields.window_from:
        raise TaskError(
            _("The job takes longer than the time given to do it in."),
            field="duration",
        )
    return fields


@transaction.atomic
def task_create(*, actor: User, agreement: Agreement, fields: TaskFields) -> Task:
    """Either side adds a one-off task to an agreement in force."""
    if not permissions.can_act(actor, agreement):
        raise TaskNotPermitted(_("You are not a party to this agreement."))
    if not agreement.is_active:
        raise TaskError(_("The agreement behind this task is not in force."))
    fields = _check(agreement, fields)
    ratelimit.hit("task-create", key=actor.pk)
    task = Task.objects.create(
        agreement=agreement,
        site=fields.site,
        title=" ".join(fields.title.split())[:120],
        kind=fields.kind,
        instructions=fields.instructions.strip(),
        checklist=[c for c in (" ".join(x.split()) for x in fields.checklist) if c],
        duration=fields.duration,
        blocks_site=fields.blocks_site,
        window_from=fields.window_from,
        window_until=fields.window_until,
    )
    record_created(task, actor=actor, side=permissions.side_of(actor, agreement))
    return task


def record_created(
    task: Task, *, actor: User | None, side: str, note: str = ""
) -> None:
    from .. import events

    step = TaskStep.objects.create(
        task=task,
        actor=actor,
        side=side,
        action="created",
        from_state="",
        to_state=task.state,
        note=note,
    )
    events.task_changed(task, step)


@transaction.atomic
def task_assign_crew(*, actor: User, task: Task, crew: Crew | None) -> Task:
    """The contractor gives the task to one of its crews (or to none); the
    step is written down and both boards hear of it."""
    from .lifecycle import lock_task, write_step

    task = lock_task(task, None)
    if not permissions.can_act(actor, task.agreement, Side.CONTRACTOR):
        raise TaskNotPermitted(_("Only the contractor can do this."))
    if crew is not None and crew.contractor_id != task.agreement.contractor_id:
        raise TaskError(_("That crew works for another contractor."), field="crew")
    if task.crew_id == (crew.pk if crew else None):
        return task
    ratelimit.hit("task-step", key=actor.pk)
    task.crew = crew
    write_step(
        task,
        actor=actor,
        side=Side.CONTRACTOR,
        action="crew",
        to=task.state,
        note=crew.name if crew else "",
        fields=["crew"],
    )
    return task


def thread_people(task: Task) -> list[User]:
    """Who belongs in a task's thread: the organisers of both communities,
    the people named on the agreement and the task's crew."""
    agreement = task.agreement
    organisers = Membership.objects.filter(
        community_id__in=[agreement.client_id, agreement.contractor_id],
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).values_list("user_id", flat=True)
    ids = {*organisers, *agreement.actors.values_list("user_id", flat=True)}
    if task.crew_id:
        ids |= set(task.crew.members.values_list("pk", flat=True))
    return list(User.objects.filter(pk__in=ids, is_active=True))


def task_thread(*, actor: User, task: Task) -> Conversation:
    """The task's conversation in messaging, opened on first use."""
    task = Task.objects.select_related("agreement", "crew").get(pk=task.pk)
    if not permissions.can_act(actor, task.agreement):
        raise TaskNotPermitted(_("You are not a party to this task."))
    return thread_for_object(
        obj=task, participants=thread_people(task), title=task.title
    )


# --- residents' problem reports ---------------------------------------------


def responsible_agreement(site: Facility, kind: str) -> Agreement | None:
    """The agreement in force that covers ``kind`` of work at ``site``."""
    for agreement in Agreement.objects.filter(
        state=Agreement.State.ACTIVE, sites=site
    ).order_by("pk"):
        if agreement.covers(kind):
            return agreement
    return None


@transaction.atomic
def problem_report(
    *, actor: User, site: Facility, kind: str, description: str
) -> ProblemReport:
    """A resident reports something wrong at a site. It becomes an unplanned
    task for whoever the agreement in force makes responsible, to be done
    within a week; without one it waits for the site's owner."""
    if not actor.is_authenticated:
        raise TaskNotPermitted(_("Please log in to report a problem."))
    description = description.strip()
    if not description:
        raise TaskError(_("Please say what is wrong."), field="description")
    if kind not in WorkKind.values:
        raise TaskError(_("Please choose what kind of problem it is."), field="kind")
    ratelimit.hit("problem-report", key=actor.pk)
    report = ProblemReport.objects.create(
        site=site, reporter=actor, kind=kind, description=description
    )
    agreement = responsible_agreement(site, kind)
    if agreement is not None:
        task_from_report(report, agreement, note=_("Reported by a resident."))
    else:
        from .. import notify

        on_commit(
            lambda: notify.report_waiting.enqueue(report.pk),
            what="problem report waiting",
        )
    return report


def task_from_report(
    report: ProblemReport,
    agreement: Agreement,
    *,
    actor: User | None = None,
    side: str = "",
    note: str = "",
) -> Task:
    """The unplanned task ``agreement``'s contractor does for ``report``,
    within a week from now; the report is marked passed on. Called inside the
    caller's transaction (a new report, or its owner passing it on)."""
    now = timezone.now()
    task = Task.objects.create(
        agreement=agreement,
        site=report.site,
        report=report,
        title=_("Reported: %(text)s")
        % {"text": " ".join(report.description.split())[:90]},
        kind=report.kind,
        instructions=report.description,
        duration=timedelta(hours=1),
        window_from=now,
        window_until=now + timedelta(days=7),
    )
    report.state = ProblemReport.State.TASKED
    report.save(update_fields=["state", "updated_at"])
    record_created(task, actor=actor, side=side, note=note)
    return task


def report_outcome(task: Task) -> None:
    """Once the task from a report has ended, its report is resolved (or not)
    and the resident who reported it is told, after commit."""
    from .. import notify

    report = task.report
    if report is None:
        return
    report.state = (
        ProblemReport.State.RESOLVED
        if task.state == Task.State.ACCEPTED
        else ProblemReport.State.DECLINED
    )
    report.save(update_fields=["state", "updated_at"])
    on_commit(
        lambda: notify.report_outcome.enqueue(report.pk), what="problem report outcome"
    )
