"""Agreements between an association and a contractor: the invitation and its
answer, what is covered, who may act, the pre-approved times, the templates
of recurring work, the contractor's crews, and the end of it all."""

from collections.abc import Sequence
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agenda.models import Facility
from communities.models import Community, Membership
from hub import ratelimit
from messaging.events import subscriptions_changed

from .. import permissions
from ..errors import TaskError, TaskNotPermitted
from ..models import (
    Agreement,
    AgreementActor,
    Crew,
    PreapprovedWindow,
    Side,
    Task,
    TaskSeries,
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
    if not permissions._organiser_of(actor, client.pk):
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
    for side in sides:
        setattr(agreement, f"shared_by_{side}", shared)
    agreement.save(update_fields=[*(f"shared_by_{s}" for s in sides), "updated_at"])
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
    return PreapprovedWindow.objects.create(
        agreement=agreement, site=site, weekday=weekday, opens=opens, closes=closes
    )


@transaction.atomic
def window_remove(*, actor: User, window: PreapprovedWindow) -> None:
    _require_organiser(actor, window.agreement, Side.CLIENT)
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
def crew_save(
    *,
    actor: User,
    contractor: Community,
    name: str,
    members: Sequence[User] = (),
    crew: Crew | None = None,
) -> Crew:
    if not permissions._organiser_of(actor, contractor.pk):
        raise TaskNotPermitted(_("Only the contractor's organisers can do this."))
    name = " ".join(name.split())[:80]
    if not name:
        raise TaskError(_("Please give the crew a name."), field="name")
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
    crew = crew or Crew(contractor=contractor)
    crew.name = name
    crew.save()
    crew.members.set(members)
    return crew


@transaction.atomic
def crew_feed_renew(*, actor: User, crew: Crew) -> Crew:
    """A new secret address for the crew's feed; the old one stops working."""
    from ..models import _new_token

    if not permissions._organiser_of(actor, crew.contractor_id):
        raise TaskNotPermitted(_("Only the contractor's organisers can do this."))
    crew.feed_token = _new_token()
    crew.save(update_fields=["feed_token", "updated_at"])
    return crew


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
    from agenda import recurrence
    from agenda.errors import AgendaError

    from ..series import series_generate

    agreement = template.agreement
    if not (
        permissions.can_manage_agreement(actor, agreement, Side.CLIENT)
        or permissions.can_manage_agreement(actor, agreement, Side.CONTRACTOR)
    ):
        raise TaskNotPermitted(_("Only the organisers of either party can do this."))
    if not agreement.is_active:
        raise TaskError(_("The agreement behind this task is not in force."))
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
    else:
        starts_at, rrule = None, ""
        if event is not None and (
            event.community_id != agreement.client_id or event.facility_id != site.pk
        ):
            raise TaskError(
                _("Choose one of the association's own events at this site."),
                field="event",
            )
    ratelimit.hit("agreement-change", key=actor.pk)
    series = TaskSeries.objects.create(
        agreement=agreement,
        template=template,
        site=site,
        mode=mode,
        starts_at=starts_at,
        rrule=rrule,
        event=event if mode != TaskSeries.Mode.RULE else None,
        event_category=event_category,
        offset=offset,
        window=window,
        crew=crew,
        created_by=actor,
    )
    series_generate(series)
    return series
