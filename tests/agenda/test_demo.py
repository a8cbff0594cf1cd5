"""The demo calendar: the season, the shared hall, and the clash to see."""

import pytest
from django.core.management import call_command

from agenda import clashes, recurrence
from agenda.models import Booking, Event, Facility, Occurrence, Signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path, mailoutbox):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--force", verbosity=0)


def test_the_football_club_has_a_season_with_its_breaks_and_changes(demo):
    training = Event.objects.get(title="Træning U10 og U12")
    dates = training.occurrences.all()

    assert training.rrule.startswith("FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=")
    assert dates.filter(state=Occurrence.State.SCHEDULED).count() >= 40
    assert dates.filter(state=Occurrence.State.CANCELLED).count() == 1
    for left_out in dates.filter(state=Occurrence.State.EXCLUDED):
        day = recurrence.local(left_out.original_start).date()
        assert (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 2)
    matches = Event.objects.get(title="Hjemmekamp")
    # One moved by the club's calendar, one later by the task board's demo
    # (whose pitch task moved with it: tests/tasks/test_demo.py).
    moved = list(matches.occurrences.filter(moved=True))
    assert len(moved) == 2
    assert {recurrence.local(m.starts_at).weekday() for m in moved} == {6}  # Sunday
    assert matches.occurrences.count() == 10
    # Every training and match date holds the pitch.
    pitch = Facility.objects.get(slug="skovby-kunstgraes")
    # (The date the task board's demo moved waits for the municipality again.)
    live = Booking.objects.filter(
        facility=pitch, state__in=Booking.LIVE_STATES, occurrence__isnull=False
    )
    scheduled = Occurrence.objects.filter(
        event__facility=pitch, state=Occurrence.State.SCHEDULED
    )
    assert live.count() == scheduled.count()


def test_the_village_hall_is_shared_by_three_associations(demo):
    hall = Facility.objects.get(slug="linda-forsamlingshus")
    users = set(
        Booking.objects.filter(facility=hall).values_list("community__slug", flat=True)
    )

    assert {"linda-seniorklub", "egekaer-spejderne", "linda"} <= users
    assert Booking.objects.filter(
        facility=hall, state=Booking.State.PENDING, title="Spejdernes julemarked"
    ).exists()
    coffee = Event.objects.get(title="Formiddagskaffe")
    assert coffee.occurrences.first().signups.filter(response="going").count() == 4


def test_the_clash_to_see_names_the_bingo_on_the_same_afternoon(demo):
    lunch = Event.objects.get(title="Julefrokost")
    starts = [o.starts_at for o in lunch.occurrences.all()]

    found = clashes.check(lunch, starts, exclude_event=lunch.pk)

    assert [(c.kind, c.other_title) for c in found] == [
        ("audience", "Banko for seniorer")
    ]
    assert Signup.objects.filter(occurrence__event=lunch, waiting=True).count() == 1


def test_the_editorial_event_pages_are_in_the_calendar(demo):
    from cms.models import EventPage

    pages = EventPage.objects.all()
    assert pages.exists()
    assert not pages.filter(agenda_event__isnull=True).exists()
