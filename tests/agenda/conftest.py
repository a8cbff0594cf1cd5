"""Fixtures of the calendar's tests: a village, a club with its organiser, a
hall with opening hours, and a way to build an event's fields."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from agenda import recurrence
from agenda.models import Facility, OpeningHours
from agenda.services.events import EventFields, event_create
from communities.models import Community
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import da, da_date, da_in  # noqa: F401 (tests/agenda import them here)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A local time ``day_offset`` days from today."""
    day = timezone.localdate() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=recurrence.zone())


def slot_text(starts_at: datetime, ends_at: datetime) -> str:
    """A booked time as the services' messages write it."""
    start, end = recurrence.local(starts_at), recurrence.local(ends_at)
    return f"{start:%d.%m.%Y %H:%M}\u2013{end:%H:%M}"


def fields(**overrides) -> EventFields:
    values = {
        "title": "Træning",
        "starts_at": at(7, 17),
        "ends_at": at(7, 19),
        "place": "Stadion",
    }
    values.update(overrides)
    return EventFields(**values)


@pytest.fixture
def village(db) -> Community:
    return CommunityFactory(
        name="Skovby",
        slug="skovby",
        kind=Community.Kind.VILLAGE,
        latitude=55.7,
        longitude=12.3,
    )


@pytest.fixture
def club(db) -> Community:
    return CommunityFactory(
        name="Skovby IF", slug="skovby-if", kind=Community.Kind.ASSOCIATION
    )


@pytest.fixture
def organiser(club):
    return organiser_of(club)


@pytest.fixture
def resident(club):
    return member_of(club)


@pytest.fixture
def hall(db, village) -> Facility:
    facility = Facility.objects.create(
        name="Forsamlingshuset",
        slug="forsamlingshuset",
        kind=Facility.Kind.HALL,
        village=village,
        setup_minutes=15,
        cleanup_minutes=15,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(facility=facility, weekday=d, opens=time(8), closes=time(22))
        for d in range(7)
    )
    return facility


@pytest.fixture
def make_event(organiser, club):
    def make(**overrides):
        return event_create(actor=organiser, community=club, fields=fields(**overrides))

    return make
