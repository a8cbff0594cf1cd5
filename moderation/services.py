"""Writes of moderation: reports, escalation and decisions.

A report joins the case of the revision it is about (one person's repeats merge
into their one report) and adds its reporter's weight to the case's score. At the
score threshold, or at once when a moderator of the space reports, the item is
hidden pending review. A decision carries itself out through the item's
registration (``moderation.registry``), writes its statement of reasons once, in
the author's language, and tells the author and the reporters after commit.
Every step is written to the audit log in the same transaction.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Membership
from communities.selectors import is_municipal_staff
from communities.services import membership_remove
from hub import ratelimit
from hub.errors import ApplicationError, Conflict, NotFound, NotPermitted
from hub.oncommit import on_commit

from . import audit, registry, sanctions, screening, selectors, tasks
from .models import (
    Appeal,
    Case,
    Decision,
    Reason,
    Report,
    Sanction,
    Vouch,
    WordList,
)

AnyUser = User | AnonymousUser


class ModerationError(ApplicationError):
    pass


def _setting(name: str) -> float:
    return settings.NABOLAG_MODERATION[name]


@dataclass(frozen=True)
class ReportInput:
    """What the report form asks: a reason, what is wrong, and for "illegal" the
    law it breaks in the reporter's own words."""

    reason: str
    details: str = ""
    legal_ground: str = ""


@dataclass(frozen=True)
class Filed:
    """A report as filed: ``merged`` when it added to the person's earlier one."""

    report: Report
    merged: bool


def reporter_weight(user: User) -> float:
    """What one report by ``user`` adds to a case's score: their trust (a new
    account counts less) times how their past reports fared (upheld ones raise
    it towards 2, turned-down ones lower it towards 0; none leaves it at 1)."""
    new_for = timedelta(days=_setting("NEW_ACCOUNT_DAYS"))
    trust = (
        _setting("NEW_ACCOUNT_WEIGHT")
        if user.date_joined > timezone.now() - new_for
        else 1.0
    )
    upheld, turned_down = selectors.report_record(user)
    return trust * 2 * (upheld + 1) / (upheld + turned_down + 2)


def _organises(user: AnyUser, space_id: int | None) -> bool:
    if space_id is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user,
        community_id=space_id,
        state=Membership.State.ACTIVE,
        role=Membership.Role.ORGANISER,
    ).exists()


def _case_for(reportable: registry.Reportable, item) -> Case:
    """The case of the item's current revision, locked; opened if there is none."""
    revision = reportable.revision(item)
    space = reportable.space(item)
    case, created = Case.objects.select_for_update().get_or_create(
        kind=reportable.kind,
        object_id=str(item.pk),
        revision=revision,
        defaults={
            "space": space,
            "author": reportable.author(item),
            "excerpt": reportable.excerpt(item)[:4000],
        },
    )
    if created and case.author_id and _organises(case.author, case.space_id):
        _escalate(case, Case.Escalation.ABOUT_ORGANISER, actor=None)
    return case


def _escalate(case: Case, escalation: str, *, actor: User | None) -> None:
    if case.escalation:
        return
    case.escalation = escalation
    case.escalated_at = timezone.now()
    case.save(update_fields=["escalation", "escalated_at"])
    audit.record(
        actor=actor,
        action="case.escalated",
        subject=case,
        details={"escalation": escalation},
    )


def _hide(case: Case, reportable: registry.Reportable, item, *, actor, why: str):
    if case.hidden_at is not None or not reportable.hideable:
        return
    reportable.hide(item)
    case.hidden_at = timezone.now()
    case.save(update_fields=["hidden_at"])
    audit.record(actor=actor, action="item.hidden", subject=case, reason=why)


def _restore(case: Case, reportable: registry.Reportable, item, *, actor, why: str):
    if case.hidden_at is None:
        return
    if item is not None and reportable.hideable:
        reportable.restore(item)
    case.hidden_at = None
    case.save(update_fields=["hidden_at"])
    audit.record(actor=actor, action="item.restored", subject=case, reason=why)


def _carry_out(case: Case, reportable, item, action: str, *, actor, why: str) -> None:
    """What a decision does to the item: hide it, or show it again (no action
    and restore both lift a hide pending review); a confirmation does nothing."""
    if action == Decision.Action.HIDE and item is not None:
        _hide(case, reportable, item, actor=actor, why=why)
    elif action in (Decision.Action.RESTORE, Decision.Action.NO_ACTION):
        _restore(case, reportable, item, actor=actor, why=why)


def _send_reasons(decision: Decision) -> None:
    """The statement to the author and the outcome to the reporters, after
    commit (a failed enqueue is logged; the decision stands)."""
    on_commit(
        lambda: tasks.send_decision_emails.enqueue(decision_id=decision.pk),
        what=f"decision {decision.pk} e-mails",
    )


@transaction.atomic
def report_submit(*, reporter: User, kind: str, pk: object, data: ReportInput) -> Filed:
    """``reporter`` reports the item ``kind``/``pk`` they can see."""
    try:
        reportable = registry.by_kind(kind)
    except registry.NotReportable:
        raise NotFound from None
    item = reportable.get(pk)
    if item is None or not reportable.can_see(reporter, item):
        raise NotFound
    author = reportable.author(item)
    if author is not None and author.pk == reporter.pk:
        raise ModerationError(_("You cannot report something you wrote yourself."))
    if data.reason not in Reason.values:
        raise ModerationError(_("Choose a reason."), field="reason")
    legal_ground = data.legal_ground.strip()
    if data.reason == Reason.ILLEGAL and not legal_ground:
        raise ModerationError(
            _("Say which law you believe it breaks, in your own words."),
            field="legal_ground",
        )
    ratelimit.hit("report-submit", key=reporter.pk)
    case = _case_for(reportable, item)
    report = Report.objects.filter(case=case, reporter=reporter).first()
    merged = report is not None
    if merged:
        report.repeats += 1
        if data.details.strip():
            report.details = data.details.strip()
        if legal_ground:
            report.legal_ground = legal_ground
        report.save(update_fields=["repeats", "details", "legal_ground", "updated_at"])
    else:
        report = Report.objects.create(
            case=case,
            reporter=reporter,
            reason=data.reason,
            details=data.details.strip(),
            legal_ground=legal_ground,
            weight=reporter_weight(reporter),
        )
        case.score += report.weight
        case.save(update_fields=["score"])
    audit.record(
        actor=reporter,
        action="report.merged" if merged else "report.received",
        subject=case,
        details={"report": report.pk, "reason": report.reason},
    )
    if not case.is_open:
        return Filed(report, merged)
    if data.reason == Reason.ILLEGAL:
        _escalate(case, Case.Escalation.ILLEGAL, actor=None)
    by_moderator = is_municipal_staff(reporter) or _organises(reporter, case.space_id)
    if by_moderator or case.score >= _setting("HIDE_SCORE"):
        why = "reported by a moderator" if by_moderator else "score threshold"
        _hide(case, reportable, item, actor=None, why=why)
    return Filed(report, merged)


@transaction.atomic
def case_escalate(*, actor: User, case: Case) -> Case:
    """An organiser passes a case of their space to the municipality."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not selectors.can_decide(user=actor, case=case):
        raise NotPermitted
    if not case.is_open:
        raise Conflict(_("This case has been decided."))
    if is_municipal_staff(actor):
        raise ModerationError(_("The case is already with the municipality."))
    _escalate(case, Case.Escalation.ORGANISER, actor=actor)
    return case


@dataclass(frozen=True)
class DecisionInput:
    """A decision's structured fields, from which its statement is written, and
    the sanction on the author that goes with it, if any: a ``sanction`` kind,
    for how many ``days`` (a silence or a suspension), ``everywhere`` or in the
    case's space."""

    action: str
    ground: str
    facts: str
    rule: str = ""
    sanction: str = ""
    days: int = 0
    everywhere: bool = False


def _statement(
    case: Case, decision: Decision, reportable, *, appeal: Appeal | None = None
) -> str:
    until = None
    if decision.sanction_days:
        until = decision.created_at + timedelta(days=decision.sanction_days)
    context = {
        "case": case,
        "decision": decision,
        "appeal": appeal,
        "until": until,
        "strike_days": sanctions.strike_days(),
        "label": reportable.label,
        "appeal_days": tasks.APPEAL_DAYS,
        "platform": settings.WAGTAIL_SITE_NAME,
    }
    with translation.override(decision.language):
        return render_to_string("moderation/statement.txt", context).strip()


def _language(user: User | None) -> str:
    return (user.preferred_language if user else "") or settings.LANGUAGE_CODE


def _check_decision(actor: User, case: Case, data: DecisionInput, reportable) -> None:
    if not selectors.can_decide(user=actor, case=case):
        raise NotPermitted(_("You cannot decide this case."))
    if not case.is_open:
        raise Conflict(_("This case has been decided."))
    errors: dict[str, list] = {}
    if data.action not in Decision.Action.values:
        errors["action"] = [_("Choose a decision.")]
    elif data.action == Decision.Action.RESTORE and case.hidden_at is None:
        errors["action"] = [_("The item is not hidden; there is nothing to restore.")]
    elif data.action == Decision.Action.HIDE and not reportable.hideable:
        errors["action"] = [_("This kind of item cannot be hidden.")]
    if data.ground not in Decision.Ground.values:
        errors["ground"] = [_("Choose the ground of the decision.")]
    elif data.ground == Decision.Ground.LAW and not is_municipal_staff(actor):
        errors["ground"] = [_("Only the municipality's moderators decide on the law.")]
    elif data.action == Decision.Action.HIDE and data.ground == Decision.Ground.NONE:
        errors["ground"] = [_("Name the rule or law the item breaks.")]
    if data.ground != Decision.Ground.NONE and not data.rule.strip():
        errors["rule"] = [_("Name the rule or the law.")]
    if not data.facts.strip():
        errors["facts"] = [_("Describe the facts the decision rests on.")]
    errors.update(_sanction_errors(actor, case, data))
    if errors:
        first = next(iter(errors.values()))[0]
        raise ModerationError(first, errors=errors)


def _sanction_errors(actor: User, case: Case, data: DecisionInput) -> dict:
    """What is wrong with the sanction asked for, by field."""
    kind = data.sanction
    if not kind:
        return {}
    Kind = Sanction.Kind
    if kind not in Kind.values:
        return {"sanction": [_("Choose a sanction.")]}
    if case.author_id is None:
        return {"sanction": [_("The author's account is gone: no one to sanction.")]}
    if data.ground == Decision.Ground.NONE:
        return {"ground": [_("A sanction needs the rule or law that was broken.")]}
    municipal = is_municipal_staff(actor)
    wide = data.everywhere or kind == Kind.SUSPENSION or case.space_id is None
    if wide and not municipal:
        return {"sanction": [_("Only the municipality sanctions beyond this space.")]}
    if kind == Kind.REMOVAL and case.space_id is None:
        return {"sanction": [_("This item is in no space to remove the author from.")]}
    if kind in (Kind.SILENCE, Kind.SUSPENSION):
        most = settings.NABOLAG_MODERATION["MAX_SANCTION_DAYS"]
        if not 1 <= data.days <= most:
            return {
                "days": [
                    _("Give a number of days from 1 to %(most)s.") % {"most": most}
                ]
            }
    return {}


def _impose(decision: Decision, case: Case, data: DecisionInput, moderator: User):
    """The sanction of a decision on the case's author, in the same transaction."""
    if not data.sanction:
        return None
    now = decision.created_at
    kind = data.sanction
    ends_at = (
        now + timedelta(days=data.days)
        if kind in (Sanction.Kind.SILENCE, Sanction.Kind.SUSPENSION)
        else None
    )
    everywhere = data.everywhere or kind == Sanction.Kind.SUSPENSION
    sanction = Sanction.objects.create(
        user=case.author,
        kind=kind,
        space=None if everywhere else case.space,
        decision=decision,
        ends_at=ends_at,
        strike_expires_at=now + timedelta(days=sanctions.strike_days()),
    )
    if kind == Sanction.Kind.REMOVAL:
        membership = Membership.objects.filter(
            user=case.author, community=case.space, state=Membership.State.ACTIVE
        ).first()
        if membership is not None:
            membership_remove(actor=moderator, membership=membership)
    elif kind == Sanction.Kind.SUSPENSION:
        author = case.author
        author.is_active = False
        author.save(update_fields=["is_active"])
    audit.record(
        actor=moderator,
        action="sanction.imposed",
        subject=sanction,
        details={
            "user": sanction.user_id,
            "kind": kind,
            "space": sanction.space_id,
            "ends_at": ends_at,
            "decision": decision.pk,
        },
    )
    return sanction


def _lift(decision: Decision, *, actor: User) -> None:
    """An upheld appeal lifts the sanctions of the decision it reverses."""
    for sanction in Sanction.objects.filter(decision=decision, lifted_at=None):
        sanction.lifted_at = timezone.now()
        sanction.save(update_fields=["lifted_at"])
        if sanction.kind == Sanction.Kind.SUSPENSION and not sanction.user.is_active:
            sanction.user.is_active = True
            sanction.user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="sanction.lifted",
            subject=sanction,
            details={"user": sanction.user_id, "kind": sanction.kind},
        )


@transaction.atomic
def case_decide(*, moderator: User, case: Case, data: DecisionInput) -> Decision:
    """Decide an open case: no action, hide or restore, on a named ground."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("author")
        .get(pk=case.pk)
    )
    reportable = registry.by_kind(case.kind)
    _check_decision(moderator, case, data, reportable)
    ratelimit.hit("case-decide", key=moderator.pk)
    item = reportable.get(case.object_id)
    now = timezone.now()
    decision = Decision(
        case=case,
        moderator=moderator,
        action=data.action,
        ground=data.ground,
        rule=data.rule.strip(),
        facts=data.facts.strip(),
        by_municipality=is_municipal_staff(moderator),
        automated_detection=bool(case.flagged),
        language=_language(case.author),
    )
    decision.created_at = now
    timed = data.sanction in (Sanction.Kind.SILENCE, Sanction.Kind.SUSPENSION)
    decision.sanction_kind = data.sanction
    decision.sanction_days = data.days if timed else 0
    decision.sanction_everywhere = bool(data.sanction) and (
        data.everywhere or data.sanction == Sanction.Kind.SUSPENSION
    )
    decision.statement = _statement(case, decision, reportable)
    decision.save()
    _impose(decision, case, data, moderator)
    _carry_out(
        case,
        reportable,
        item,
        data.action,
        actor=moderator,
        why=f"decision {decision.pk}",
    )
    case.state = Case.State.DECIDED
    case.decided_at = now
    case.save(update_fields=["state", "decided_at"])
    audit.record(
        actor=moderator,
        action="case.decided",
        subject=case,
        reason=decision.facts,
        details={
            "decision": decision.pk,
            "action": decision.action,
            "ground": decision.ground,
            "rule": decision.rule,
        },
    )
    _send_reasons(decision)
    return decision


def appeal_window() -> timedelta:
    return timedelta(days=tasks.APPEAL_DAYS)


def _check_appeal(user: User, decision: Decision) -> None:
    case = decision.case
    if decision.created_at < timezone.now() - appeal_window():
        raise Conflict(_("The time to appeal this decision has passed."))
    if Appeal.objects.filter(decision=decision).exists():
        raise Conflict(_("This decision has already been appealed."))
    if Appeal.objects.filter(resolution=decision).exists():
        raise Conflict(_("This decision answered an appeal; it cannot be appealed."))
    if case.state != Case.State.DECIDED or case.latest_decision != decision:
        raise Conflict(_("This decision has been followed by another."))
    is_author = case.author_id == user.pk
    reported = Report.objects.filter(case=case, reporter=user).exists()
    if decision.action in (Decision.Action.HIDE, Decision.Action.RESTORE):
        allowed = is_author if decision.action == Decision.Action.HIDE else reported
    else:  # no action: the reporters may contest it
        allowed = reported
    if not allowed:
        raise NotPermitted(_("You cannot appeal this decision."))


def can_appeal(*, user: AnyUser, decision: Decision) -> bool:
    if not user.is_authenticated:
        return False
    try:
        _check_appeal(user, decision)
    except ApplicationError:
        return False
    return True


@transaction.atomic
def appeal_submit(*, appellant: User, decision: Decision, grounds: str) -> Appeal:
    """The author contests a hide, or a reporter "no action" or a restore,
    within six months; an organiser's decision goes to the municipality."""
    case = Case.objects.select_for_update().get(pk=decision.case_id)
    decision = Decision.objects.select_related("case").get(pk=decision.pk)
    _check_appeal(appellant, decision)
    grounds = grounds.strip()
    if not grounds:
        raise ModerationError(
            _("Say why you think the decision is wrong."), field="grounds"
        )
    ratelimit.hit("appeal-submit", key=appellant.pk)
    appeal = Appeal.objects.create(
        decision=decision, appellant=appellant, grounds=grounds[:2000]
    )
    case.state = Case.State.APPEALED
    case.appealed_at = timezone.now()
    case.save(update_fields=["state", "appealed_at"])
    if not decision.by_municipality:
        _escalate(case, Case.Escalation.APPEAL, actor=None)
    audit.record(
        actor=appellant,
        action="appeal.received",
        subject=case,
        details={"appeal": appeal.pk, "decision": decision.pk},
    )
    return appeal


def can_decide_appeal(*, user: AnyUser, appeal: Appeal) -> bool:
    """Municipal moderators other than the one who made the decision."""
    return (
        appeal.is_open
        and is_municipal_staff(user)
        and appeal.decision.moderator_id != user.pk
    )


# What reverses each decision when its appeal is upheld.
REVERSAL = {
    Decision.Action.HIDE: Decision.Action.RESTORE,
    Decision.Action.RESTORE: Decision.Action.HIDE,
    Decision.Action.NO_ACTION: Decision.Action.HIDE,
}


@dataclass(frozen=True)
class AppealInput:
    """Upheld or not, the facts, and for a reversal that hides the item the
    ground and rule it breaks."""

    upheld: bool
    facts: str
    ground: str = Decision.Ground.NONE
    rule: str = ""


@transaction.atomic
def appeal_decide(*, moderator: User, appeal: Appeal, data: AppealInput) -> Decision:
    """Answer an appeal: upheld reverses the decision (an item hidden is shown
    again, one left is hidden), rejected confirms it. The case closes; the
    author and the appellant are sent the reasons."""
    appeal = (
        Appeal.objects.select_for_update().select_related("decision").get(pk=appeal.pk)
    )
    case = Case.objects.select_for_update(of=("self",)).select_related(
        "author", "space"
    )
    case = case.get(pk=appeal.decision.case_id)
    if not can_decide_appeal(user=moderator, appeal=appeal):
        raise NotPermitted(
            _("Another moderator than the one who decided must answer the appeal.")
        )
    original = appeal.decision
    action = REVERSAL[original.action] if data.upheld else Decision.Action.CONFIRM
    errors: dict[str, list] = {}
    if not data.facts.strip():
        errors["facts"] = [_("Describe the facts the decision rests on.")]
    ground, rule = data.ground, data.rule.strip()
    if action == Decision.Action.HIDE and (ground == Decision.Ground.NONE or not rule):
        errors["rule"] = [_("Name the rule or law the item breaks.")]
    if action != Decision.Action.HIDE:
        ground, rule = original.ground, original.rule
        if action == Decision.Action.RESTORE:
            ground, rule = Decision.Ground.NONE, ""
    if errors:
        raise ModerationError(next(iter(errors.values()))[0], errors=errors)
    reportable = registry.by_kind(case.kind)
    item = reportable.get(case.object_id)
    now = timezone.now()
    decision = Decision(
        case=case,
        moderator=moderator,
        action=action,
        ground=ground,
        rule=rule,
        facts=data.facts.strip(),
        by_municipality=True,
        language=_language(case.author),
    )
    decision.created_at = now
    decision.statement = _statement(case, decision, reportable, appeal=appeal)
    decision.save()
    if data.upheld:
        _lift(original, actor=moderator)
    why = f"appeal {appeal.pk}, decision {decision.pk}"
    _carry_out(case, reportable, item, action, actor=moderator, why=why)
    appeal.outcome = Appeal.Outcome.UPHELD if data.upheld else Appeal.Outcome.REJECTED
    appeal.resolution = decision
    appeal.decided_at = now
    appeal.save(update_fields=["outcome", "resolution", "decided_at"])
    case.state = Case.State.CLOSED
    case.closed_at = now
    case.save(update_fields=["state", "closed_at"])
    audit.record(
        actor=moderator,
        action="appeal.decided",
        subject=case,
        reason=decision.facts,
        details={
            "appeal": appeal.pk,
            "decision": decision.pk,
            "outcome": appeal.outcome,
            "action": action,
        },
    )
    _send_reasons(decision)
    return decision


@transaction.atomic
def member_vouch(*, organiser: User, community, user: User) -> Vouch:
    """An organiser vouches for a new member of their space: the member is
    trusted at once (moderation.trust). Saying it twice changes nothing."""
    if not (is_municipal_staff(organiser) or _organises(organiser, community.pk)):
        raise NotPermitted
    member = Membership.objects.filter(
        user=user, community=community, state=Membership.State.ACTIVE
    ).exists()
    if not member:
        raise ModerationError(_("You can vouch only for members of this space."))
    vouch, created = Vouch.objects.get_or_create(
        user=user, space=community, defaults={"by": organiser}
    )
    if created:
        audit.record(
            actor=organiser,
            action="member.vouched",
            subject=vouch,
            details={"user": user.pk, "community": community.pk},
        )
    return vouch


@transaction.atomic
def word_list_update(*, actor: User, space, words: str) -> WordList:
    """Replace a screening word list: the municipality's (``space`` None, its
    moderators only) or a space's (its organisers and the municipality)."""
    allowed = is_municipal_staff(actor) or (
        space is not None and _organises(actor, space.pk)
    )
    if not allowed:
        raise NotPermitted
    words = "\n".join(line.strip() for line in words.splitlines() if line.strip())
    if len(words) > 20000:
        raise ModerationError(
            _("The list is too long: at most 20,000 characters."), field="words"
        )
    word_list, _created = WordList.objects.get_or_create(space=space)
    word_list.words = words
    word_list.save(update_fields=["words", "updated_at"])
    audit.record(
        actor=actor,
        action="words.updated",
        subject=word_list,
        details={"space": space.pk if space else None, "terms": len(word_list.terms)},
    )
    # At once and again after commit: a screen in between would cache the old
    # list (a rollback only costs a cache miss).
    screening.forget_words(space.pk if space else None)
    on_commit(
        lambda: screening.forget_words(space.pk if space else None),
        what="forget a cached word list",
    )
    return word_list


VISITOR_SALT = "nabolag.moderation.visitor-report"
VISITOR_MAX_AGE = 2 * 24 * 3600


@dataclass(frozen=True)
class VisitorReport:
    """A report of illegal content by someone not signed in, held in the signed
    link e-mailed to them until they confirm their address."""

    kind: str
    pk: str
    email: str
    legal_ground: str
    details: str = ""


def visitor_report_request(data: VisitorReport) -> str:
    """Check a visitor's report and e-mail them the link that confirms it; the
    report is filed only when they follow it. Returns the signed token."""
    try:
        reportable = registry.by_kind(data.kind)
    except registry.NotReportable:
        raise NotFound from None
    item = reportable.get(data.pk)
    if item is None or not reportable.can_see(AnonymousUser(), item):
        raise NotFound
    if not data.legal_ground.strip():
        raise ModerationError(
            _("Say which law you believe it breaks, in your own words."),
            field="legal_ground",
        )
    email = data.email.strip().lower()
    ratelimit.hit("report-visitor", key=hashlib.sha256(email.encode()).hexdigest())
    ratelimit.hit("report-visitor-all", key="all")
    token = signing.dumps(
        {
            "kind": data.kind,
            "pk": str(data.pk),
            "email": email,
            "legal_ground": data.legal_ground.strip()[:1000],
            "details": data.details.strip()[:2000],
        },
        salt=VISITOR_SALT,
        compress=True,
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    on_commit(
        lambda: tasks.send_visitor_confirmation.enqueue(
            email=email, token=token, language=language
        ),
        what="visitor report confirmation e-mail",
    )
    return token


@transaction.atomic
def visitor_report_confirm(token: str) -> Filed:
    """File a visitor's report once they followed the link in their e-mail:
    their address is then verified. The same address reporting the same
    revision again adds to its report."""
    try:
        data = signing.loads(token, salt=VISITOR_SALT, max_age=VISITOR_MAX_AGE)
    except signing.BadSignature:
        raise ModerationError(
            _("This link is not valid any more. Please report again.")
        ) from None
    reportable = registry.by_kind(data["kind"])
    item = reportable.get(data["pk"])
    if item is None or not reportable.can_see(AnonymousUser(), item):
        raise NotFound
    case = _case_for(reportable, item)
    report = Report.objects.filter(
        case=case, reporter=None, reporter_email=data["email"]
    ).first()
    merged = report is not None
    if merged:
        report.repeats += 1
        report.save(update_fields=["repeats", "updated_at"])
    else:
        report = Report.objects.create(
            case=case,
            reporter_email=data["email"],
            reason=Reason.ILLEGAL,
            legal_ground=data["legal_ground"],
            details=data["details"],
            weight=_setting("NEW_ACCOUNT_WEIGHT"),
        )
        case.score += report.weight
        case.save(update_fields=["score"])
    audit.record(
        actor=None,
        action="report.merged" if merged else "report.received",
        subject=case,
        details={"report": report.pk, "reason": report.reason, "visitor": True},
    )
    if case.is_open:
        _escalate(case, Case.Escalation.ILLEGAL, actor=None)
    return Filed(report, merged)


@dataclass(frozen=True)
class QuickDecision:
    """A one-click decision on the case page: no action, or hide under one of
    the space's house rules, with the facts written for the author."""

    key: str
    label: str
    data: DecisionInput


def quick_decisions(view: selectors.CaseView) -> list[QuickDecision]:
    """No action; and for an item that can be hidden, one per house rule of its
    space (each non-empty line, at most ten), naming the rule. The facts are in
    the author's language, as the statement is."""
    case = view.case
    language = (
        case.author.preferred_language if case.author else ""
    ) or settings.LANGUAGE_CODE
    with translation.override(language):
        quick = [
            QuickDecision(
                "none",
                _("No action: it breaks no rule"),
                DecisionInput(
                    action=Decision.Action.NO_ACTION,
                    ground=Decision.Ground.NONE,
                    facts=str(
                        _("The moderators read it and found that it breaks no rule.")
                    ),
                ),
            )
        ]
        rules = case.space.house_rules.splitlines() if case.space else []
        if view.hideable and case.hidden_at is None:
            for n, line in enumerate([r.strip() for r in rules if r.strip()][:10]):
                quick.append(
                    QuickDecision(
                        f"rule-{n}",
                        _("Hide: breaks “%(rule)s”") % {"rule": line[:80]},
                        DecisionInput(
                            action=Decision.Action.HIDE,
                            ground=Decision.Ground.HOUSE_RULES,
                            rule=line[:300],
                            facts=str(
                                _("What was reported breaks this house rule: %(rule)s")
                                % {"rule": line}
                            ),
                        ),
                    )
                )
    return quick
