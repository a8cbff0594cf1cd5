"""Background work of the calendar: telling people what changed, who got a
place, and what is coming up."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from .models import Occurrence, Signup

logger = logging.getLogger(__name__)


def _mail(signup: Signup, template: str, **context) -> None:
    user = signup.user
    if not user.email:
        return
    occurrence = signup.occurrence
    event = occurrence.event
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "signup": signup,
            "occurrence": occurrence,
            "event": event,
            # An event of the hub itself has no community: the municipality's.
            "organiser": (
                event.community.name
                if event.community_id
                else settings.NABOLAG_MUNICIPALITY_NAME
            ),
            "url": settings.WAGTAILADMIN_BASE_URL + occurrence.get_absolute_url(),
            **context,
        }
        subject = render_to_string(f"agenda/email/{template}_subject.txt", context)
        body = render_to_string(f"agenda/email/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


def _signups(occurrence_id: int, responses) -> list[Signup]:
    return list(
        Signup.objects.filter(
            occurrence_id=occurrence_id, response__in=responses
        ).select_related("user", "occurrence__event__community")
    )


@task()
def occurrence_changed(occurrence_id: int, change: str) -> None:
    """Tell everyone going or maybe going that a date moved or was cancelled."""
    rows = _signups(occurrence_id, [Signup.Response.GOING, Signup.Response.MAYBE])
    for signup in rows:
        _mail(signup, "changed", change=change)
    logger.info("occurrence %s %s: %s told", occurrence_id, change, len(rows))


@task()
def signup_promoted(signup_id: int) -> None:
    """Tell someone on the waiting list that they now have a place."""
    signup = (
        Signup.objects.select_related("user", "occurrence__event__community")
        .filter(pk=signup_id, waiting=False, response=Signup.Response.GOING)
        .first()
    )
    if signup is not None:
        _mail(signup, "promoted")


def send_reminders(now=None) -> int:
    """Remind everyone going of the dates starting within the reminder window,
    once each; the number of reminders sent."""
    now = now or timezone.now()
    soon = now + timedelta(hours=settings.NABOLAG_AGENDA["REMINDER_HOURS"])
    due = (
        Signup.objects.filter(
            response=Signup.Response.GOING,
            waiting=False,
            reminded_at__isnull=True,
            user__is_active=True,
            occurrence__starts_at__gt=now,
            occurrence__starts_at__lte=soon,
            occurrence__state=Occurrence.State.SCHEDULED,
            occurrence__event__cancelled_at__isnull=True,
        )
        .filter(~Q(user__email=""))
        .select_related("user", "occurrence__event__community")
    )
    sent = 0
    for signup in due:
        # Claimed first: a second run at the same time sends nothing twice.
        claimed = Signup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if claimed:
            _mail(signup, "reminder")
            sent += 1
    return sent
