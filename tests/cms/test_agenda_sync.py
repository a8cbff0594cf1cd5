"""An event page and its calendar event stay one event through its revisions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agenda.models import Event, Occurrence, Signup
from agenda.services.signups import signup_answer
from cms.agenda_sync import page_uid
from cms.models import EventPage
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def _draft(parent, title="Fællesspisning", *, in_days=3):
    start = timezone.now().replace(microsecond=0) + timedelta(days=in_days)
    page = parent.add_child(
        instance=EventPage(
            title=title,
            start_at=start,
            end_at=start + timedelta(hours=2),
            place="Forsamlingshuset",
            description="<p>Alle er <b>velkomne</b>.</p>",
            live=False,
        )
    )
    return page


def test_publishing_an_event_page_puts_its_date_in_the_calendar(make_portal):
    skovby = make_portal("skovby", name="Skovby")
    page = _draft(skovby)

    page.save_revision().publish()

    event = Event.objects.get(uid=page_uid(page))
    page.refresh_from_db()
    assert page.agenda_event == event
    assert event.community == skovby.community
    assert (event.title, event.place, event.description) == (
        "Fællesspisning",
        "Forsamlingshuset",
        "Alle er velkomne.",
    )
    occurrence = event.occurrences.get()
    assert (occurrence.starts_at, occurrence.ends_at) == (page.start_at, page.end_at)


def test_a_new_revision_moves_the_same_event_and_keeps_its_sign_ups(make_portal):
    skovby = make_portal("skovby", name="Skovby")
    page = _draft(skovby)
    first = page.save_revision()
    first.publish()
    event = Event.objects.get(uid=page_uid(page))
    resident = member_of(skovby.community)
    signup_answer(user=resident, occurrence=event.occurrences.get(), response="going")

    # The editor's next revision was built from the first one, from before the
    # page was linked to its event.
    page = first.as_object()
    page.start_at += timedelta(hours=1)
    page.end_at += timedelta(hours=1)
    page.save_revision().publish()
    first.publish()

    assert Event.objects.count() == 1
    occurrence = Occurrence.objects.get()
    assert occurrence.starts_at == first.as_object().start_at
    assert Signup.objects.get().occurrence == occurrence


def test_unpublishing_cancels_the_date(make_portal):
    skovby = make_portal("skovby", name="Skovby")
    page = _draft(skovby)
    page.save_revision().publish()

    page.refresh_from_db()
    page.unpublish()

    event = Event.objects.get()
    assert event.is_cancelled
    assert event.occurrences.get().state == Occurrence.State.CANCELLED


def test_an_event_of_the_hub_itself_is_the_municipality_s(hub):
    page = _draft(hub, "Borgermøde")
    page.save_revision().publish()

    assert Event.objects.get().community is None


def test_a_page_created_live_is_in_the_calendar_and_a_draft_change_is_not(make_portal):
    skovby = make_portal("skovby", name="Skovby")
    start = timezone.now().replace(microsecond=0) + timedelta(days=2)
    page = skovby.add_child(
        instance=EventPage(
            title="Loppemarked",
            start_at=start,
            end_at=start + timedelta(hours=3),
            place="Skolen",
            description="<p>Kom.</p>",
        )
    )
    draft = page.get_latest_revision_as_object()
    draft.title = "Loppemarked (udkast)"
    draft.save_revision()

    event = Event.objects.get(uid=page_uid(page))
    assert event.title == "Loppemarked"
    assert event.occurrences.get().starts_at == start
