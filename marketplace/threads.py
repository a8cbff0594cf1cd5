"""The private conversation attached to a match (messaging's object threads)."""

import logging

from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils.translation import gettext

from messaging.services import thread_for_object

from .models import Match

logger = logging.getLogger(__name__)


def open_for_match(match: Match) -> None:
    """Open (or reuse) the thread of ``match`` for its two sides.

    Runs inside the accepting transaction, in a savepoint: if the thread cannot be
    made the match still stands and its page falls back to the e-mail address.
    """
    title = gettext("Agreement: %(title)s") % {"title": match.listing.title}
    try:
        with transaction.atomic():
            thread = thread_for_object(
                obj=match, participants=[match.author, match.helper], title=title
            )
    except DatabaseError:
        logger.exception("could not open the thread of match %s", match.pk)
        return
    match.thread_id = thread.pk
    Match.objects.filter(pk=match.pk).update(thread_id=thread.pk)


def thread_url(match: Match) -> str | None:
    """Where the two sides talk, once a conversation is attached to the match."""
    if match.thread_id is None:
        return None
    return reverse("messaging:conversation", kwargs={"pk": match.thread_id})
