"""Agreements between an association and a contractor: the invitation and its
answer, what is covered, who may act, the pre-approved times, the templates
of recurring work, the contractor's crews, and the end of it all."""

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agenda import recurrence
from agenda.errors import AgendaError
from agenda.models import Category, Event, Facility
from communities.models import Community, Membership
from communities.selectors import municipal_staff_ids
from hub import ratelimit
from messaging.events import subscriptions_changed
from messaging.models import Conversation

from .. import permissions
from ..errors import TaskConflict, TaskError, TaskNotPermitted
from ..models import (
    Agreement,
    AgreementActor,
    Crew,
    PreapprovedWindow,
    Side,
    Task,
    TaskSeries,
    TaskSlot,
    TaskTemplate,
    WorkKind,
)


def _require_organiser(actor: User, agreement: Agreement, side: str) -> None:
    if not permissions.can_manage_agreement(actor, agreement, side):
        raise TaskNotPermitted(
            _("Only the association's organisers can change this.")
            if side == Side.CLIENT
            else _("Only the contractor's organisers can change this.")
        )


def _people(agreement: Agreement) -> list[int]:
    """Everyone whose boards show this agreement: both communities' members
    and the people named on it."""
    members = Membership.objects.filter(
        community_id__in=[agreement.client_id, agreement.contractor_id],
        state=Membership.State.ACTIVE,
    ).values_list("user_id", flat=True)
    named = agreement.actors.values_list("user_id", flat=True)
    return sorted({*members, *named})


def _clean_kinds(kinds: Sequence[str]) -> list[str]:
    chosen = [k for k in WorkKind.values if k in set(kinds)]
    if not chosen:
        raise TaskError(
            _("Please choose at least one kind of work."), field="work_kinds"
        )
    return chosen


def _clean_sites(sites: Sequence[Facility]) -> list[Facility]:
    if not sites:
        raise TaskError(_("Please choose at least one site."), field="sites")
    return list(sites)


@transaction.atomic
def agreement_invite(
    *,
    actor: User,
    client: Community,
    contractor: Community,
    title: str,
    sites: Sequence[Facility],
    work_kinds: Sequence[str],
    terms: str = "",
) -> Agreement:
    """An association's organiser invites a contractor into an agreement."""
    if not permissions.organiser_of(actor, client.pk):
        raise TaskNotPermitted(_("Only the association's organisers can do this."))
    if contractor.kind != Community.Kind.CONTRACTOR:
        raise TaskError(
            _("%(name)s is not a contractor.") % {"name": contractor.name},
            field="contractor",
        )
    if client.kind == Community.Kind.CONTRACTOR:
        raise TaskError(_("A contractor cannot invite another contractor."))
    title = " ".join(title.split())
    if not title:
        raise TaskError(_("Please give the agreement a name."), field="title")
    kinds = _clean_kinds(work_kinds)
    chosen_sites = _clean_sites(sites)
    if Agreement.objects.filter(
        client=client, contractor=contractor, state__in=["invited", "active"]
    ).exists():
        raise TaskError(
            _("%(client)s already has an agreement with %(contractor)s.")
            % {"client": client.name, "contractor": contractor.name},
            field="contractor",
        )
    ratelimit.hit("agreement-change", key=actor.pk)
    agreement = Agreement.objects.create(
        client=client,
        contractor=contractor,
        title=title[:120],
        terms=terms.strip(),
        work_kinds=kinds,
        invited_by=actor,
    )
    agreement.sites.set(chosen_sites)
    subscriptions_changed(_people(agreement))
    return agreement


@transaction.atomic
def agreement_answer(*, actor: User, agreement: Agreement, accept: bool) -> Agreement:
    """The contractor's organiser accepts or declines the invitation."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_organiser(actor, agreement, Side.CONTRACTOR)
    if agreement.state != Agreement.State.INVITED:
        raise TaskError(_("This invitation has already been answered."))
    agreement.state = Agreement.State.ACTIVE if accept else Agreement.State.DECLINED
    agreement.answered_by = actor
    agreement.answered_at = timezone.now()
    agreement.save(update_fields=["state", "answered_by", "answered_at", "updated_at"])
    subscriptions_changed(_people(agreement))
    return agreement


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    agreement: Agreement,
    title: str,
    sites: Sequence[Facility],
    work_kinds: Sequence[str],
    terms: str = "",
) -> Agreement:
    # Read again and locked, as answer and end do: an agreement ended (or
    # declined) since the caller read it is not changed.
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _require_organiser(actor, agreement, Side.CLIENT)
    if agreement.state not in (Agreement.State.INVITED, Agreement.State.ACTIVE):
        raise TaskError(_("This agreement has ended."))
    title = " ".join(title.split())
    if not title:
        raise TaskError(_("Please give the agreement a name."), field="title")
    kinds = _clean_kinds(work_kinds)
    chosen_sites = _clean_sites(sites)
    ratelimit.hit("agreement-change", key=actor.pk)
    agreement.title, agreement.terms, agreement.work_kinds = title, terms.strip(), kinds
    agreement.save(update_fields=["title", "terms", "work_kinds", "updated_at"])
    agreement.sites.set(chosen_sites)
    return agreement


@transaction.atomic
def agreement_share(*, actor: User, agreement: Agreement, shared: bool) -> Agreement:
    """Each side shares the agreement with the municipality, or stops; the
    municipality sees it only while both do."""
    sides = [
        s
        for s in (Side.CLIENT, Side.CONTRACTOR)
        if permissions.can_manage_agreement(actor, agreement, s)
    ]
    if not sides:
        raise TaskNotPermitted(_("Only the organisers of either party can do this."))
    ratelimit.hit("agreement-change", key=actor.pk)
    was_seen = agreement.shared_with_municipality
    for side in sides:
        setattr(agreement, f"shared_by_{side}", shared)
    agreement.save(update_fields=[*(f"shared_by_{s}" for s in sides), "updated_at"])
    if agreement.shared_with_municipality != was_seen:
        # Municipal staff's sockets start or stop hearing the agreement.
        subscriptions_changed(municipal_staff_ids())
    return agreement


@transaction.atomic
def agreement_end(*, actor: User, agreement: Agreement, reason: str = "") -> Agreement:
    """Either side ends the agreement; its open tasks are cancelled."""
    from .lifecycle import task_cancel_for_end

    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if not (
        permissions.can_manage_agreement(actor, agreement, Side.CLIENT)
        or permissions.can_manage_agreement(actor, agreement, Side.CONTRACTOR)
    ):
        raise TaskNotPermitted(_("Only the organisers of either party can do this."))
    if agreement.state not in (Agreement.State.INVITED, Agreement.State.ACTIVE):
        raise TaskError(_("This agreement has already ended."))
    for task in agreement.tasks.filter(state__in=Task.OPEN_STATES):
        task_cancel_for_end(task, actor=actor, reason=reason)
    agreement.state = Agreement.State.ENDED
    agreement.ended_at = timezone.now()
    agreement.save(update_fields=["state", "ended_at", "updated_at"])
    agreement.series.update(active=False)
    subscriptions_changed(_people(agreement))
    return agreement


@transaction.atomic
def actor_add(
    *, actor: User, agreement: Agreement, user: User, side: str
) -> AgreementActor:
    """Name someone of a side's community who may act on its tasks."""
    _require_organiser(actor, agreement, side)
    community_id = (
        agreement.client_id if side == Side.CLIENT else agreement.contractor_id
    )
    if not Membership.objects.filter(
        user=user, community_id=community_id, state=Membership.State.ACTIVE
    ).exists():
        raise TaskError(
            _("%(name)s is not a member of that side's community.")
            % {"name": user.public_name},
            field="user",
        )
    ratelimit.hit("agreement-change", key=actor.pk)
    row, _created = AgreementActor.objects.update_or_create(
        agreement=agreement, user=user, defaults={"side": side}
    )
    subscriptions_changed([user.pk])
    return row


@transaction.atomic
def actor_remove(*, actor: User, agreement: Agreement, user: User) -> None:
    row = AgreementActor.objects.filter(agreement=agreement, user=user).first()
    if row is None:
        return
    _require_organiser(actor, agreement, row.side)
    ratelimit.hit("agreement-change", key=actor.pk)
    row.delete()
    subscriptions_changed([user.pk])


@transaction.atomic
def window_add(
    *,
    actor: User,
    agreement: Agreement,
    weekday: int,
    opens: time,
    closes: time,
    site: Facility | None = None,
) -> PreapprovedWindow:
    """The association pre-approves a weekly time for work at a site (or at
    all its sites): times the contractor offers inside it need no answer."""
    _require_organiser(actor, agreement, Side.CLIENT)
    if not 0 <= weekday <= 6:
        raise TaskError(_("Please choose a weekday."), field="weekday")
    if closes <= opens:
        raise TaskError(_("The end must come after the start."), field="closes")
    if site is not None and not agreement.sites.filter(pk=site.pk).exists():
        raise TaskError(_("That site is not part of this agreement."), field="site")
    ratelimit.hit("agreement-change", key=actor.pk)
    return PreapprovedWindow.objects.create(
        agreement=agreement, site=site, weekday=weekday, opens=opens, closes=closes
    )


@transaction.atomic
def window_remove(*, actor: User, window: PreapprovedWindow) -> None:
    _require_organiser(actor, window.agreement, Side.CLIENT)
    ratelimit.hit("agreement-change", key=actor.pk)
    window.delete()


def _clean_checklist(lines: Sequence[str]) -> list[str]:
    items = [" ".join(line.split())[:200] for line in lines]
    return [i for i in items if i][:30]


@transaction.atomic
def template_save(
    *,
    actor: User,
    agreement: Agreement,
    title: str,
    kind: str,
    checklist: Sequence[str] = (),
    instructions: str = "",
    duration: timedelta = timedelta(hours=2),
    blocks_site: bool = False,
    template: TaskTemplate | None = None,
) -> TaskTemplate:
    """Create (or, given ``template``, change) a kind of recurring job; the
    organisers of either side may."""
    if not (
        permissions.can_manage_agreement(actor, agreement, Side.CLIENT)
        or permissions.can_manage_agreement(actor, agreement, Side.CONTRACTOR)
    ):
        raise TaskNotPermitted(_("Only the organisers of either party can do this."))
    _require_live(agreement)
    title = " ".join(title.split())
    if not title:
        raise TaskError(_("Please give the job a title."), field="title")
    if not agreement.covers(kind):
        raise TaskError(
            _("The agreement does not cover this kind of work."), field="kind"
        )
    if not timedelta(minutes=10) <= duration <= timedelta(hours=24):
        raise TaskError(
            _("A job takes between 10 minutes and 24 hours."), field="duration"
        )
    ratelimit.hit("agreement-change", key=actor.pk)
    template = template or TaskTemplate(agreement=agreement)
    template.title = title[:120]
    template.kind = kind
    template.checklist = _clean_checklist(checklist)
    template.instructions = instructions.strip()
    template.duration = duration
    template.blocks_site = blocks_site
    template.save()
    return template


@transaction.atomic
def series_save(
    *,
    actor: User,
    template: TaskTemplate,
    site: Facility,
    mode: str,
    starts_at=None,
    rrule: str = "",
    event=None,
    event_category: str = "",
    offset: timedelta = timedelta(0),
    window: timedelta = timedelta(days=2),
    crew: Crew | None = None,
) -> TaskSeries:
    """A series of a template's tasks at a site: by a rule ("every Friday from
    April to October") or tied to the site's events ("no later than 18 hours
    before each home match"). Its tasks up to the horizon are made at once."""
    from ..series import series_generate

    agreement = template.agreement
    if not (
        permissions.can_manage_agreement(actor, agreement, Side.CLIENT)
        or permissions.can_manage_agreement(actor, agreement, Side.CONTRACTOR)
    ):
        raise TaskNotPermitted(_("Only the organisers of either party can do this."))
    if not agreement.is_active:
        raise TaskError(_("The agreement behind this task is not in force."))
    starts_at, rrule, event, event_category = _series_checked(
        agreement=agreement,
        template=template,
        site=site,
        mode=mode,
        starts_at=starts_at,
        rrule=rrule,
        event=event,
        event_category=event_category,
        offset=offset,
        window=window,
        crew=crew,
    )
    ratelimit.hit("agreement-change", key=actor.pk)
    series = TaskSeries.objects.create(
        agreement=agreement,
        template=template,
        site=site,
        mode=mode,
        starts_at=starts_at,
        rrule=rrule,
        event=event,
        event_category=event_category,
        offset=offset,
        window=window,
        crew=crew,
        created_by=actor,
    )
    series_generate(series)
    return series


# --- a contractor's crews (tasks/views/crews.py) ----------------------------
#
# Only the organisers of the crew's own contractor make, change and remove a
# crew and renew its feed address; a crew is made of the contractor's active
# members, under a name its other crews do not have (a form error, not the
# database's refusal); each change counts against the agreement-change limit.


def _require_crew_organiser(actor: User, contractor_id: int) -> None:
    if not permissions.organiser_of(actor, contractor_id):
        raise TaskNotPermitted(_("Only the contractor's organisers can do this."))


def _locked_crew(crew: Crew) -> Crew:
    found = (
        Crew.objects.select_for_update()
        .filter(pk=crew.pk)
        .select_related("contractor")
        .first()
    )
    if found is None:
        raise TaskError(_("This crew no longer exists."))
    return found


def _crew_written(
    *,
    actor: User,
    contractor: Community,
    name: str,
    members: Sequence[User],
    crew: Crew | None,
) -> Crew:
    from django.db import IntegrityError

    _require_crew_organiser(actor, contractor.pk)
    name = " ".join(name.split())[:80]
    if not name:
        raise TaskError(_("Please give the crew a name."), field="name")
    taken = _("%(contractor)s already has a crew called %(name)s.") % {
        "contractor": contractor.name,
        "name": name,
    }
    others = Crew.objects.filter(contractor=contractor, name__iexact=name)
    if crew is not None:
        others = others.exclude(pk=crew.pk)
    if others.exists():
        raise TaskError(taken, field="name")
    staff = set(
        Membership.objects.filter(
            community=contractor, state=Membership.State.ACTIVE
        ).values_list("user_id", flat=True)
    )
    outsiders = [m for m in members if m.pk not in staff]
    if outsiders:
        raise TaskError(
            _("%(name)s does not work for %(contractor)s.")
            % {"name": outsiders[0].public_name, "contractor": contractor.name},
            field="members",
        )
    ratelimit.hit("agreement-change", key=actor.pk)
    crew = crew or Crew(contractor=contractor)
    crew.name = name
    try:
        with transaction.atomic():
            crew.save()
    except IntegrityError:  # the same name saved meanwhile
        raise TaskError(taken, field="name") from None
    crew.members.set(members)
    return crew


@transaction.atomic
def crew_create(
    *, actor: User, contractor: Community, name: str, members: Sequence[User] = ()
) -> Crew:
    """A contractor's organiser makes a crew of the contractor's active
    members, under a name its other crews do not have."""
    if contractor.kind != Community.Kind.CONTRACTOR:
        raise TaskError(_("Only a contractor has crews."))
    return _crew_written(
        actor=actor, contractor=contractor, name=name, members=members, crew=None
    )


@transaction.atomic
def crew_update(
    *, actor: User, crew: Crew, name: str, members: Sequence[User] = ()
) -> Crew:
    """An organiser of the crew's own contractor renames it or changes who is
    in it; the tasks given to it stay given to it."""
    crew = _locked_crew(crew)
    return _crew_written(
        actor=actor, contractor=crew.contractor, name=name, members=members, crew=crew
    )


@transaction.atomic
def crew_feed_renew(*, actor: User, crew: Crew) -> Crew:
    """A new secret address for the crew's feed; the old one stops working at
    once."""
    from ..models import _new_token

    crew = _locked_crew(crew)
    _require_crew_organiser(actor, crew.contractor_id)
    ratelimit.hit("agreement-change", key=actor.pk)
    crew.feed_token = _new_token()
    crew.save(update_fields=["feed_token", "updated_at"])
    return crew


@transaction.atomic
def crew_remove(*, actor: User, crew: Crew) -> None:
    """An organiser of the crew's contractor removes it. The tasks and series
    given to it stay as they are, given to no crew (their ``crew`` is SET_NULL),
    and its feed address stops working."""
    crew = _locked_crew(crew)
    _require_crew_organiser(actor, crew.contractor_id)
    ratelimit.hit("agreement-change", key=actor.pk)
    crew.delete()


# --- changing and removing recurring jobs and series (tasks/views/manage.py) --
#
# The organisers of either side plan the work, as they create it: they change
# a recurring job or a series, remove a job no series uses, and stop a series.
# What no one has begun follows a change; what is agreed or under way stays:
#
# - a job changed: its tasks not yet started (planned, times proposed,
#   confirmed) whose window has not passed take its new title, kind,
#   instructions and checklist; the planned ones also its duration and whether
#   it closes the site (a time offered or agreed, and the site's booking, were
#   for the old ones). Tasks under way, done or ended keep what they had.
# - a series changed: its tasks still only planned (no time ever offered for
#   them, no conversation opened on them) whose window lies ahead are made
#   again from the new settings; the others stay as they are, and a date (or an
#   event) that keeps a task gets no second one.
# - a series stopped: it makes no more tasks; its planned and proposed tasks
#   still to come are cancelled ("series stopped"); its confirmed ones too when
#   asked, which frees the site they held.

S = Task.State


def _planner_side(actor: User, agreement: Agreement) -> str:
    """The side ``actor`` plans for (the client's first when both); refused
    for anyone who organises neither side."""
    for side in (Side.CLIENT, Side.CONTRACTOR):
        if permissions.can_manage_agreement(actor, agreement, side):
            return side
    raise TaskNotPermitted(_("Only the organisers of either party can do this."))


def _series_checked(
    *,
    agreement: Agreement,
    template: TaskTemplate,
    site: Facility,
    mode: str,
    starts_at: datetime | None,
    rrule: str,
    event: Event | None,
    event_category: str,
    offset: timedelta,
    window: timedelta,
    crew: Crew | None,
) -> tuple[datetime | None, str, Event | None, str]:
    """The checks of a series' settings (series_save, series_update); returns
    the first start, rule, event and event category to keep: only those of
    its mode, and no category when one event is chosen (it counts alone)."""
    if template.agreement_id != agreement.pk:
        raise TaskError(
            _("Please choose one of this agreement's recurring jobs."),
            field="template",
        )
    if not agreement.sites.filter(pk=site.pk).exists():
        raise TaskError(_("That site is not part of this agreement."), field="site")
    if mode not in TaskSeries.Mode.values:
        raise TaskError(_("Please choose how the tasks are planned."), field="mode")
    if window < template.duration:
        raise TaskError(
            _("The job takes longer than the time given to do it in."),
            field="window",
        )
    if window > timedelta(days=31) or not timedelta(0) <= offset <= timedelta(days=14):
        raise TaskError(
            _("Please give a window of at most 31 days and an offset of at most 14."),
            field="window",
        )
    if crew is not None and crew.contractor_id != agreement.contractor_id:
        raise TaskError(_("That crew works for another contractor."), field="crew")
    if mode == TaskSeries.Mode.RULE:
        if starts_at is None:
            raise TaskError(_("Please give the first date."), field="starts_at")
        try:
            rrule = recurrence.normalise(rrule)
            recurrence.expand(starts_at, rrule)
        except AgendaError as error:
            raise TaskError(error.message, field="rrule") from None
        if not rrule:
            raise TaskError(_("Please say how often the task repeats."), field="rrule")
        return starts_at, rrule, None, ""
    if event is not None and (
        event.community_id != agreement.client_id or event.facility_id != site.pk
    ):
        raise TaskError(
            _("Choose one of the association's own events at this site."),
            field="event",
        )
    if event_category and event_category not in Category.values:
        raise TaskError(
            _("Please choose one of the calendar's categories."),
            field="event_category",
        )
    return None, "", event, "" if event is not None else event_category


def _require_live(agreement: Agreement) -> None:
    if agreement.state not in (Agreement.State.INVITED, Agreement.State.ACTIVE):
        raise TaskError(_("This agreement has ended."))


def _locked_template(template: TaskTemplate) -> TaskTemplate:
    found = (
        TaskTemplate.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .filter(pk=template.pk)
        .first()
    )
    if found is None:
        raise TaskConflict(_("This recurring job was removed meanwhile."))
    return found


def _locked_series(series: TaskSeries) -> TaskSeries:
    found = (
        TaskSeries.objects.select_for_update(of=("self",))
        .select_related("agreement")
        .filter(pk=series.pk)
        .first()
    )
    if found is None:
        raise TaskConflict(_("This series no longer exists."))
    return found


def _check_job_fits(template: TaskTemplate, duration: timedelta, now: datetime):
    """A job may not come to take longer than a series of it, or one of its
    planned tasks, gives to do it in."""
    windows = [
        *template.series.filter(active=True).values_list("window", flat=True),
        *(
            until - since
            for since, until in Task.objects.filter(
                template=template, state=S.PLANNED, window_until__gt=now
            ).values_list("window_from", "window_until")
        ),
    ]
    if any(window < duration for window in windows):
        raise TaskError(
            _(
                "The job would take longer than the time its series give to do "
                "it in: please give it less time, or the series more."
            ),
            field="duration",
        )


def _job_to_tasks(
    template: TaskTemplate, *, actor: User, side: str, now: datetime
) -> int:
    """The job's tasks not yet started take its changes (see above), each with
    a step both boards hear of after commit. Returns how many changed."""
    from .lifecycle import NOT_UNDER_WAY, lock_task, write_step

    changed = 0
    due = Task.objects.filter(
        template=template, state__in=NOT_UNDER_WAY, window_until__gt=now
    )
    for pk in list(due.values_list("pk", flat=True)):
        task = lock_task(Task(pk=pk), None)
        if task.state not in NOT_UNDER_WAY:
            continue
        wanted = {
            "title": template.title,
            "kind": template.kind,
            "instructions": template.instructions,
            "checklist": list(template.checklist),
        }
        if task.state == S.PLANNED:
            wanted |= {
                "duration": template.duration,
                "blocks_site": template.blocks_site,
            }
        fields = [n for n, value in wanted.items() if getattr(task, n) != value]
        if not fields:
            continue
        for name in fields:
            setattr(task, name, wanted[name])
        write_step(
            task,
            actor=actor,
            side=side,
            action="job_changed",
            to=task.state,
            note=_("The recurring job was changed."),
            fields=fields,
        )
        changed += 1
    return changed


@transaction.atomic
def template_update(
    *,
    actor: User,
    template: TaskTemplate,
    title: str,
    kind: str,
    checklist: Sequence[str] = (),
    instructions: str = "",
    duration: timedelta = timedelta(hours=2),
    blocks_site: bool = False,
    now: datetime | None = None,
) -> TaskTemplate:
    """Change a recurring job of an agreement not ended (the organisers of
    either side may); its tasks not yet started follow (see above)."""
    now = now or timezone.now()
    template = _locked_template(template)
    agreement = template.agreement
    side = _planner_side(actor, agreement)
    _require_live(agreement)
    _check_job_fits(template, duration, now)
    template = template_save(
        actor=actor,
        agreement=agreement,
        title=title,
        kind=kind,
        checklist=checklist,
        instructions=instructions,
        duration=duration,
        blocks_site=blocks_site,
        template=template,
    )
    _job_to_tasks(template, actor=actor, side=side, now=now)
    return template


@transaction.atomic
def template_remove(*, actor: User, template: TaskTemplate) -> None:
    """Remove a recurring job no series uses (a stopped series still does:
    its tasks and history name it). Its tasks made earlier stay, naming no
    job."""
    template = _locked_template(template)
    _planner_side(actor, template.agreement)
    _require_live(template.agreement)
    if template.series.exists():
        raise TaskError(
            _(
                "%(title)s cannot be removed while a series of tasks uses it, "
                "even a stopped one."
            )
            % {"title": template.title}
        )
    ratelimit.hit("agreement-change", key=actor.pk)
    template.delete()


def _remade(series: TaskSeries, now: datetime):
    """The series' tasks still only planned whose window lies ahead: no time
    was ever offered for them and no conversation opened on them."""
    threads = Conversation.objects.filter(
        content_type=ContentType.objects.get_for_model(Task)
    ).values("object_id")
    return series.tasks.filter(
        ~Exists(TaskSlot.objects.filter(task=OuterRef("pk"))),
        state=S.PLANNED,
        window_from__gt=now,
    ).exclude(pk__in=threads)


def _drop_second_tasks(series: TaskSeries, made: Sequence[Task]) -> None:
    """On a schedule, a date that kept its task (times agreed, work done)
    gets no second one at the new time of day."""
    if series.mode != TaskSeries.Mode.RULE or not made:
        return
    new = [t.pk for t in made]
    kept = (
        series.tasks.exclude(pk__in=new)
        .exclude(series_key=None)
        .values_list("series_key", flat=True)
    )
    dates = {recurrence.local(key).date() for key in kept}
    second = [t.pk for t in made if recurrence.local(t.series_key).date() in dates]
    if second:
        Task.objects.filter(pk__in=second).delete()


@transaction.atomic
def series_update(
    *,
    actor: User,
    series: TaskSeries,
    template: TaskTemplate,
    site: Facility,
    mode: str,
    starts_at: datetime | None = None,
    rrule: str = "",
    event: Event | None = None,
    event_category: str = "",
    offset: timedelta = timedelta(0),
    window: timedelta = timedelta(days=2),
    crew: Crew | None = None,
    now: datetime | None = None,
) -> TaskSeries:
    """Change a series still running of an agreement in force (the organisers
    of either side may, crew and all); its tasks still only planned are made
    again from the new settings, the others stay as they are (see above).
    Refused once the series was stopped."""
    from ..series import series_generate

    series = _locked_series(series)
    agreement = series.agreement
    _planner_side(actor, agreement)
    if not agreement.is_active:
        raise TaskError(_("The agreement behind this task is not in force."))
    if not series.active:
        raise TaskConflict(
            _("This series was stopped meanwhile, so it can no longer be changed.")
        )
    starts_at, rrule, event, event_category = _series_checked(
        agreement=agreement,
        template=template,
        site=site,
        mode=mode,
        starts_at=starts_at,
        rrule=rrule,
        event=event,
        event_category=event_category,
        offset=offset,
        window=window,
        crew=crew,
    )
    ratelimit.hit("agreement-change", key=actor.pk)
    now = now or timezone.now()
    _remade(series, now).delete()
    series.template, series.site, series.mode = template, site, mode
    series.starts_at, series.rrule = starts_at, rrule
    series.event, series.event_category = event, event_category
    series.offset, series.window, series.crew = offset, window, crew
    series.save()
    _drop_second_tasks(series, series_generate(series, now))
    return series


@transaction.atomic
def series_stop(
    *,
    actor: User,
    series: TaskSeries,
    cancel_confirmed: bool = False,
    now: datetime | None = None,
) -> int:
    """Stop a series (see above): it makes no more tasks and its tasks still
    to come without an agreed time are cancelled, each with a step both boards
    hear of; with ``cancel_confirmed`` those with one too, freeing their
    booking. Tasks under way or done stay. Returns how many were cancelled."""
    from .lifecycle import end_task, lock_task

    series = _locked_series(series)
    agreement = series.agreement
    side = _planner_side(actor, agreement)
    if not agreement.is_active:
        raise TaskError(_("The agreement behind this task is not in force."))
    if not series.active:
        raise TaskConflict(_("This series has already been stopped."))
    ratelimit.hit("agreement-change", key=actor.pk)
    now = now or timezone.now()
    series.active = False
    series.save(update_fields=["active", "updated_at"])
    states = [S.PLANNED, S.PROPOSED]
    due = Q(state__in=states, window_until__gt=now)
    if cancel_confirmed:
        states.append(S.CONFIRMED)
        due |= Q(state=S.CONFIRMED, starts_at__gt=now)
    cancelled = 0
    for pk in list(series.tasks.filter(due).values_list("pk", flat=True)):
        task = lock_task(Task(pk=pk), None)
        if task.state not in states:
            continue
        end_task(
            task,
            actor=actor,
            side=side,
            action="series_stopped",
            to=S.CANCELLED,
            note=_("The series was stopped."),
        )
        cancelled += 1
    return cancelled
