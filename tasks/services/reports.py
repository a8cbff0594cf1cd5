"""What a site's owner does with a resident's report that no agreement in
force took on: answers it ("resolved" or "not taken up", with a word for the
resident, who is told), or passes it on as a task once an agreement in force
covers it. Who may: ``report_selectors.looks_after``."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from hub import ratelimit
from hub.errors import Conflict
from hub.oncommit import on_commit

from .. import permissions, report_selectors
from ..errors import TaskError, TaskNotPermitted
from ..models import ProblemReport, Task
from .work import responsible_agreement, task_from_report

R = ProblemReport.State
ANSWERS = (R.RESOLVED, R.DECLINED)
ANSWER_LENGTH = 2000


class ReportSettled(Conflict):
    """The report was passed on or answered already (perhaps a moment ago, by
    another organiser)."""


def _locked_open(actor: User, report: ProblemReport) -> ProblemReport:
    """``report`` read again under a lock, once ``actor`` may handle it and
    while it still waits for an answer."""
    report = (
        ProblemReport.objects.select_for_update(of=("self",))
        .select_related("site")
        .get(pk=report.pk)
    )
    if not report_selectors.looks_after(actor, report.site):
        raise TaskNotPermitted(
            _("Only those who look after the site can answer this report.")
        )
    if report.state == R.TASKED:
        raise ReportSettled(_("This report has already been passed on as a task."))
    if report.state != R.OPEN:
        raise ReportSettled(_("This report has already been answered."))
    return report


@transaction.atomic
def report_answer(
    *, actor: User, report: ProblemReport, state: str, answer: str
) -> ProblemReport:
    """The site's owner answers a waiting report: ``state`` "resolved" (it is
    put right) or "declined" (not taken up), with ``answer`` for the
    resident, who is told by e-mail after commit."""
    report = _locked_open(actor, report)
    if state not in ANSWERS:
        raise TaskError(_("Please choose an answer."), field="state")
    answer = answer.strip()
    if not answer:
        raise TaskError(_("Please write a few words for the resident."), field="answer")
    if len(answer) > ANSWER_LENGTH:
        raise TaskError(
            _("Please keep the answer under %(count)s characters.")
            % {"count": ANSWER_LENGTH},
            field="answer",
        )
    ratelimit.hit("report-answer", key=actor.pk)
    report.state = state
    report.answer = answer
    report.save(update_fields=["state", "answer", "updated_at"])
    _tell_reporter(report)
    return report


@transaction.atomic
def report_pass_on(*, actor: User, report: ProblemReport) -> Task:
    """The site's owner passes a waiting report on as a task to the agreement
    in force that now covers its kind of work at its site."""
    report = _locked_open(actor, report)
    agreement = responsible_agreement(report.site, report.kind)
    if agreement is None:
        raise TaskError(
            _("No agreement in force covers this kind of work at this site.")
        )
    ratelimit.hit("task-create", key=actor.pk)
    return task_from_report(
        report,
        agreement,
        actor=actor,
        side=permissions.side_of(actor, agreement),
        note=_("Reported by a resident and passed on by the site's owner."),
    )


def _tell_reporter(report: ProblemReport) -> None:
    from .. import notify

    on_commit(
        lambda: notify.report_outcome.enqueue(report.pk), what="problem report answer"
    )
