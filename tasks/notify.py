"""E-mail from the task board: the resident told how their report went, the
site's owner told of a report nobody covers, both sides told when a fixture
moved its task or when the site's owner declined the booking that held the
site for it. Enqueued after commit."""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from accounts.models import User

from . import report_selectors
from .models import ProblemReport, Task
from .services.work import thread_people

logger = logging.getLogger(__name__)


def _mail(user: User, template: str, **context) -> None:
    if not user.email:
        return
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {"user": user, "base_url": settings.WAGTAILADMIN_BASE_URL, **context}
        subject = render_to_string(f"tasks/email/{template}_subject.txt", context)
        body = render_to_string(f"tasks/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


@task()
def report_outcome(report_id: int) -> None:
    """Tell the resident what came of the problem they reported."""
    report = (
        ProblemReport.objects.select_related("reporter", "site", "task")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.reporter is None:
        return
    # An answer from the site's owner has no task behind it.
    task = getattr(report, "task", None)
    url = reverse("tasks:report_detail", args=[report.pk])
    _mail(report.reporter, "report_outcome", report=report, task=task, url=url)
    logger.info("problem report %s: reporter told (%s)", report_id, report.state)


@task()
def report_waiting(report_id: int) -> None:
    """Tell those who look after a site of a report there that no agreement
    in force covers (its reporter, if one of them, excepted)."""
    report = (
        ProblemReport.objects.select_related("site__owner")
        .filter(pk=report_id, state=ProblemReport.State.OPEN)
        .first()
    )
    if report is None:
        return
    url = reverse("tasks:site_report", args=[report.pk])
    told = [
        user
        for user in report_selectors.site_keepers(report.site)
        if user.pk != report.reporter_id
    ]
    for user in told:
        _mail(user, "report_waiting", report=report, url=url)
    logger.info("problem report %s waiting: %s told", report_id, len(told))


@task()
def task_moved(task_id: int, user_ids: list[int], old_start: str) -> None:
    """Tell both sides that a fixture moved and took its task with it."""
    moved = Task.objects.select_related("site", "agreement").filter(pk=task_id).first()
    if moved is None:
        return
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        _mail(user, "task_moved", task=moved, old_start=old_start)
    logger.info("task %s moved: %s told", task_id, len(user_ids))


@task()
def site_declined(task_id: int, old_start: str) -> None:
    """Tell both sides' organisers and the people the agreement names that
    the site's owner declined the booking for the agreed time (``old_start``,
    ISO 8601), so the task is planned again."""
    declined = (
        Task.objects.select_related("site", "agreement").filter(pk=task_id).first()
    )
    if declined is None:
        return
    when = datetime.fromisoformat(old_start) if old_start else None
    told = thread_people(declined)
    for user in told:
        _mail(user, "site_declined", task=declined, old_start=when)
    logger.info("task %s: site declined, %s told", task_id, len(told))
