"""Background work of moderation: telling the author and the reporters."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from . import registry
from .models import Appeal, Decision

logger = logging.getLogger(__name__)
APPEAL_DAYS = 183


@task()
def send_decision_emails(*, decision_id: int) -> None:
    """The statement of reasons to the author, as written (in their language);
    the outcome to each reporter with an address, in theirs."""
    decision = Decision.objects.select_related("case__author").get(pk=decision_id)
    case = decision.case
    label = registry.by_kind(case.kind).label
    url = settings.WAGTAILADMIN_BASE_URL + reverse(
        "moderation:decision", kwargs={"pk": decision.pk}
    )
    author = case.author
    if author is not None and author.email:
        with translation.override(decision.language):
            context = {"decision": decision, "label": label, "url": url}
            subject = render_to_string(
                "moderation/email/decision_subject.txt", context
            ).strip()
            body = render_to_string("moderation/email/decision_body.txt", context)
        send_mail(subject, body, None, [author.email])
    final = Appeal.objects.filter(resolution=decision).exists()
    for report in case.reports.select_related("reporter"):
        reporter = report.reporter
        address = reporter.email if reporter else report.reporter_email
        if not address:
            continue
        language = (reporter.preferred_language if reporter else "") or (
            settings.LANGUAGE_CODE
        )
        with translation.override(language):
            context = {
                "decision": decision,
                "label": label,
                "hidden": case.hidden_at is not None,
                "can_appeal": reporter is not None
                and not final
                and decision.action in ("no_action", "restore"),
                "url": settings.WAGTAILADMIN_BASE_URL
                + reverse("moderation:reports_mine"),
                "appeal_days": APPEAL_DAYS,
            }
            subject = render_to_string(
                "moderation/email/outcome_subject.txt", context
            ).strip()
            body = render_to_string("moderation/email/outcome_body.txt", context)
        send_mail(subject, body, None, [address])
    logger.info("decision %s e-mailed", decision.pk)


@task()
def send_visitor_confirmation(*, email: str, token: str, language: str) -> None:
    """The link that confirms a visitor's report (and their address)."""
    url = settings.WAGTAILADMIN_BASE_URL + reverse(
        "moderation:visitor_confirm", kwargs={"token": token}
    )
    with translation.override(language):
        context = {"url": url}
        subject = render_to_string(
            "moderation/email/visitor_subject.txt", context
        ).strip()
        body = render_to_string("moderation/email/visitor_body.txt", context)
    send_mail(subject, body, None, [email])
    logger.info("visitor report confirmation e-mailed")
