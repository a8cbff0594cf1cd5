"""Fixtures of the task board's tests: a football club with its organiser, a
contractor firm with its organiser and a member of its staff, the club's
natural-grass pitch, an agreement in force for mowing there, a mowing
template with a checklist, and ways to make tasks, events and photos."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from agenda import recurrence
from agenda.models import Facility
from agenda.services.events import EventFields, event_create
from communities.models import Community, Membership
from tasks.models import Agreement, Task, TaskSlot
from tasks.services import agreements, lifecycle, work
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import da, da_in  # noqa: F401 (tests/tasks import them here)

CHECKLIST = ["Slå græsset", "Rens maskinen", "Luk porten"]


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A local time ``day_offset`` days from today."""
    day = timezone.localdate() + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=recurrence.zone())


def when(moment: datetime) -> str:
    """A moment as the task board's messages write it."""
    return f"{recurrence.local(moment):%d.%m.%Y %H:%M}"


def small_photo(name="work.jpg", *, fmt="JPEG", gps=True) -> SimpleUploadedFile:
    """A small photo of finished work, with a GPS position in its EXIF."""
    image = Image.new("RGB", (64, 48), (90, 160, 60))
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "CameraMaker"
        exif[0x8825] = {1: "N", 2: (56.0, 10.0, 20.0), 3: "E", 4: (9.0, 33.0, 4.0)}
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif)
    kind = "image/png" if fmt == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, out.getvalue(), content_type=kind)


@pytest.fixture
def village(db) -> Community:
    return CommunityFactory(name="Skovby", slug="skovby", kind=Community.Kind.VILLAGE)


@pytest.fixture
def club(db) -> Community:
    return CommunityFactory(
        name="Skovby IF", slug="skovby-if", kind=Community.Kind.ASSOCIATION
    )


@pytest.fixture
def club_organiser(club):
    return organiser_of(club)


@pytest.fixture
def firm(db) -> Community:
    return CommunityFactory(
        name="Grøn Service ApS", slug="groen-service", kind=Community.Kind.CONTRACTOR
    )


@pytest.fixture
def firm_organiser(firm):
    return organiser_of(firm)


@pytest.fixture
def firm_staff(firm):
    """Works for the contractor, but is neither its organiser nor named on the
    agreement."""
    return member_of(firm, role=Membership.Role.STAFF)


@pytest.fixture
def stranger(db):
    return UserFactory(display_name="Ukendt")


@pytest.fixture
def pitch(db, village) -> Facility:
    return Facility.objects.create(
        name="Stadion, bane 1",
        slug="stadion-bane-1",
        kind=Facility.Kind.NATURAL_GRASS,
        village=village,
    )


@pytest.fixture
def invited(club_organiser, club, firm, pitch) -> Agreement:
    return agreements.agreement_invite(
        actor=club_organiser,
        client=club,
        contractor=firm,
        title="Græsslåning 2027",
        sites=[pitch],
        work_kinds=["mowing"],
    )


@pytest.fixture
def agreement(invited, firm_organiser) -> Agreement:
    """In force: mowing at the pitch."""
    return agreements.agreement_answer(
        actor=firm_organiser, agreement=invited, accept=True
    )


@pytest.fixture
def template(agreement, club_organiser):
    return agreements.template_save(
        actor=club_organiser,
        agreement=agreement,
        title="Græsslåning",
        kind="mowing",
        checklist=CHECKLIST,
        duration=timedelta(hours=2),
    )


@pytest.fixture
def make_task(agreement, club_organiser, pitch):
    """A one-off mowing task at the pitch, to be done from tomorrow 06:00 to
    five days on at 20:00 (``overrides`` are TaskFields')."""

    def make(actor=None, **overrides) -> Task:
        values = {
            "title": "Slå bane 1",
            "kind": "mowing",
            "site": pitch,
            "window_from": at(1, 6),
            "window_until": at(5, 20),
            "duration": timedelta(hours=2),
            "checklist": tuple(CHECKLIST),
        }
        values.update(overrides)
        return work.task_create(
            actor=actor or club_organiser,
            agreement=agreement,
            fields=work.TaskFields(**values),
        )

    return make


@pytest.fixture
def task(make_task) -> Task:
    return make_task()


@pytest.fixture
def site_task(make_task) -> Task:
    """A task whose work closes the pitch meanwhile."""
    return make_task(title="Kridt bane 1", blocks_site=True)


def open_slot(task: Task) -> TaskSlot:
    return task.slots.get(state=TaskSlot.State.OPEN)


def proposed(task: Task, actor, start: datetime | None = None) -> Task:
    """``task`` with one time offered by ``actor``."""
    return lifecycle.task_propose(actor=actor, task=task, starts=[start or at(2, 8)])


def confirmed(task: Task, club_organiser, firm_organiser, start=None) -> Task:
    """``task`` with a time the contractor offered and the club took."""
    task = proposed(task, firm_organiser, start)
    return lifecycle.task_confirm(actor=club_organiser, task=task, slot=open_slot(task))


def done(task: Task, club_organiser, firm_organiser, **report) -> Task:
    task = confirmed(task, club_organiser, firm_organiser)
    return lifecycle.task_complete(
        actor=firm_organiser, task=task, report=lifecycle.Completion(**report)
    )


@pytest.fixture
def make_event(club_organiser, club, pitch):
    """A club event at the pitch, through the calendar's service (it books the
    pitch for its date)."""

    def make(**overrides):
        values = {
            "title": "Hjemmekamp",
            "starts_at": at(7, 14),
            "ends_at": at(7, 16),
            "place": "Stadion",
            "category": "sport",
            "facility": pitch,
        }
        values.update(overrides)
        return event_create(
            actor=club_organiser, community=club, fields=EventFields(**values)
        )

    return make
