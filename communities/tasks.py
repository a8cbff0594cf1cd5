"""Background work of communities: invitation e-mails."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import Invitation

logger = logging.getLogger(__name__)


@task()
def send_invitation_email(*, invitation_id: int) -> None:
    """Send the invitation e-mail in the inviter's language."""
    invitation = Invitation.objects.select_related("community", "invited_by").get(
        pk=invitation_id
    )
    inviter = invitation.invited_by
    language = (inviter.preferred_language if inviter else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        url = settings.WAGTAILADMIN_BASE_URL + reverse(
            "communities:invitation", kwargs={"token": invitation.token}
        )
        context = {"invitation": invitation, "url": url, "inviter": inviter}
        subject = render_to_string(
            "communities/email/invitation_subject.txt", context
        ).strip()
        body = render_to_string("communities/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
    logger.info("invitation %s e-mailed", invitation.pk)
