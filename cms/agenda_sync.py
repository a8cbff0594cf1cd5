"""An editorial event page and its event in the calendar are one event.

The page (Wagtail) holds the editorial content; the calendar (``agenda``) holds
its date, sign-ups and feeds. Saving the live page (creating it live, or
publishing a revision) writes its date to the calendar, a draft does not;
unpublishing or deleting it cancels the date there, so those signed up see it
cancelled and are told."""

import logging
import uuid

from django.db import transaction
from django.db.models.signals import post_save
from django.utils.html import strip_tags
from wagtail.signals import page_unpublished

from agenda.models import Event
from agenda.services.events import page_event_sync, page_event_withdraw

from . import selectors
from .models import EventPage

logger = logging.getLogger(__name__)


# The calendar event of page N has this namespace's uuid5 of "page-N": found
# again whatever revision is published (a revision may predate the link).
PAGE_NAMESPACE = uuid.UUID("6f1f3c1e-7a53-4d5e-9d0c-5a1e8f0b2c47")


def page_uid(page: EventPage) -> uuid.UUID:
    return uuid.uuid5(PAGE_NAMESPACE, f"page-{page.pk}")


def sync(page: EventPage) -> None:
    """Write the published page's date to its calendar event."""
    portal = selectors.portal_for_page(page)
    with transaction.atomic():
        event = page_event_sync(
            community=portal.community if portal else None,
            title=page.title,
            starts_at=page.start_at,
            ends_at=page.end_at,
            place=page.place,
            description=" ".join(strip_tags(page.description or "").split()),
            uid=page_uid(page),
        )
        if page.agenda_event_id != event.pk:
            EventPage.objects.filter(pk=page.pk).update(agenda_event=event)
            page.agenda_event = event


def _saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A live page saved whole (created live, or a revision published) is
    synced; a draft's revision saves only some fields and is not."""
    if update_fields is None and instance.live:
        sync(instance)


def _unpublished(sender, instance, **kwargs) -> None:
    event = Event.objects.filter(uid=page_uid(instance)).first()
    if event is not None:
        page_event_withdraw(event)


def connect() -> None:
    post_save.connect(_saved, sender=EventPage, dispatch_uid="agenda-sync")
    page_unpublished.connect(
        _unpublished, sender=EventPage, dispatch_uid="agenda-withdraw"
    )
