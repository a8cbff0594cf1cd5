"""Background work of the CMS: a resident's message to the municipality."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_contact_email(
    *, to: str, name: str, email: str, message: str, account: str = ""
) -> None:
    """Send a message from the contact page to ``to``, in the platform's own
    language (the moderators'), answerable to the sender's address. ``account``
    is the sender's account address when she was logged in, else ""."""
    context = {"name": name, "email": email, "message": message, "account": account}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("cms/email/contact_subject.txt", context).strip()
        body = render_to_string("cms/email/contact_body.txt", context)
    EmailMessage(subject, body, None, [to], reply_to=[email]).send()
    logger.info("contact message e-mailed to the municipality")
