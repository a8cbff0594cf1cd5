"""Work that closes a site whose owner approves its bookings holds the site by
a pending booking: when the owner declines it, the task loses its time and is
planned again, and both sides are told."""

import html

import pytest

from agenda.models import Booking, Facility
from agenda.services import bookings
from agenda.signals import bookings_declined
from tasks.models import Side, Task, TaskSlot
from tasks.services import lifecycle
from tests.factories import CommunityFactory, organiser_of
from tests.tasks.conftest import at, confirmed, da, da_in, open_slot, proposed, when

S = Task.State


def live_at(pitch, starts_at, ends_at) -> list[Booking]:
    return bookings.live_bookings(pitch, [bookings.Slot(starts_at, ends_at)])


def declined_mails(task: Task, mailoutbox) -> list:
    subject = da("%(title)s: the site was not approved", title=task.title)
    return [m for m in mailoutbox if m.subject == subject]


@pytest.fixture
def landlord(db):
    """The community that owns the pitch: not the club."""
    return CommunityFactory(name="Skovby Hallerne", slug="skovby-hallerne")


@pytest.fixture
def manager(landlord):
    """An organiser of the pitch's owner: decides its bookings."""
    return organiser_of(landlord)


@pytest.fixture
def pitch(pitch, landlord):
    """The conftest's pitch, owned by the landlord, who approves its bookings."""
    pitch.owner = landlord
    pitch.policy = Facility.Policy.OWNER
    pitch.save(update_fields=["owner", "policy"])
    return pitch


@pytest.fixture
def held(site_task, club_organiser, firm_organiser) -> Task:
    """Work that closes the pitch, confirmed for two days from now at 08:00:
    its booking waits for the owner."""
    return confirmed(site_task, club_organiser, firm_organiser, at(2, 8))


def test_declining_the_pending_booking_sends_the_task_back_to_planned(
    held,
    manager,
    pitch,
    club_organiser,
    firm_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    booking = held.booking
    assert booking.state == Booking.State.PENDING
    assert held.state == S.CONFIRMED
    version = held.version

    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_decline(actor=manager, booking=booking)

    held.refresh_from_db()
    booking.refresh_from_db()
    assert booking.state == Booking.State.DECLINED
    assert (held.state, held.starts_at, held.ends_at, held.booking) == (
        S.PLANNED,
        None,
        None,
        None,
    )
    assert held.version == version + 1
    assert dict(held.slots.values_list("starts_at", "state")) == {
        at(2, 8): TaskSlot.State.WITHDRAWN
    }
    step = held.steps.last()
    assert (step.action, step.actor, step.side) == ("site_declined", manager, "client")
    assert (step.from_state, step.to_state) == (S.CONFIRMED, S.PLANNED)
    assert step.note == da(
        "%(site)s was not approved for %(when)s.", site=pitch.name, when=when(at(2, 8))
    )
    assert live_at(pitch, at(2, 0), at(3, 0)) == []
    told = declined_mails(held, mailoutbox)
    assert sorted(m.to[0] for m in told) == sorted(
        [club_organiser.email, firm_organiser.email]
    )
    assert all(held.get_absolute_url() in m.body for m in told)
    assert all(pitch.name in m.body for m in told)


def test_the_task_page_says_the_sites_owner_declined(
    client, held, manager, club_organiser
):
    bookings.booking_decline(actor=manager, booking=held.booking)
    client.force_login(club_organiser)

    page = html.unescape(client.get(held.get_absolute_url()).content.decode())

    assert da_in("task", "The site's owner declined the booking") in page


def test_both_sides_can_offer_new_times_after_the_decline(
    held, manager, pitch, club_organiser, firm_organiser
):
    bookings.booking_decline(actor=manager, booking=held.booking)

    task = proposed(held, firm_organiser, at(3, 8))

    step = task.steps.last()
    assert (step.action, step.from_state, step.to_state) == (
        "proposed",
        S.PLANNED,
        S.PROPOSED,
    )
    task = lifecycle.task_propose(actor=club_organiser, task=task, starts=[at(2, 8)])
    assert task.state == S.PROPOSED
    task = lifecycle.task_confirm(actor=firm_organiser, task=task, slot=open_slot(task))

    task.refresh_from_db()
    (booking,) = live_at(pitch, at(2, 0), at(4, 0))
    assert task.state == S.CONFIRMED
    assert (task.booking, booking.starts_at) == (booking, at(2, 8))
    assert booking.state == Booking.State.PENDING


def test_approving_changes_nothing_and_a_decline_touches_only_its_own_task(
    held,
    make_task,
    manager,
    club_organiser,
    firm_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    other = confirmed(
        make_task(title="Vand bane 1", blocks_site=True),
        club_organiser,
        firm_organiser,
        at(3, 8),
    )
    version = held.version
    steps = held.steps.count()

    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_approve(actor=manager, booking=held.booking)
        bookings.booking_decline(actor=manager, booking=other.booking)

    held.refresh_from_db()
    other.refresh_from_db()
    assert (held.state, held.starts_at, held.version) == (
        S.CONFIRMED,
        at(2, 8),
        version,
    )
    assert held.booking.state == Booking.State.APPROVED
    assert held.steps.count() == steps
    assert (other.state, other.booking) == (S.PLANNED, None)
    assert other.steps.last().action == "site_declined"
    assert declined_mails(held, mailoutbox) == []
    assert len(declined_mails(other, mailoutbox)) == 2


def test_declining_a_plain_booking_still_works_and_the_calendar_says_so(
    held, manager, pitch
):
    other_club = CommunityFactory(name="Skovby Tennis", slug="skovby-tennis")
    asker = organiser_of(other_club)
    rows = bookings.booking_request(
        actor=asker,
        facility=pitch,
        community=other_club,
        title="Træning",
        starts_at=at(1, 17),
        ends_at=at(1, 19),
        rrule="FREQ=DAILY;COUNT=2",
    )
    assert {b.state for b in rows} == {Booking.State.PENDING}
    heard = []

    def listen(sender, *, bookings, actor, **kwargs):
        heard.append(([b.pk for b in bookings], {b.state for b in bookings}, actor))

    bookings_declined.connect(listen, dispatch_uid="test.listen")
    try:
        bookings.booking_decline(actor=manager, booking=rows[0])
    finally:
        bookings_declined.disconnect(dispatch_uid="test.listen")

    assert heard == [
        (sorted(b.pk for b in rows), {Booking.State.DECLINED}, manager),
    ]
    assert set(
        Booking.objects.filter(pk__in=[b.pk for b in rows]).values_list(
            "state", flat=True
        )
    ) == {Booking.State.DECLINED}
    held.refresh_from_db()
    assert (held.state, held.booking.state) == (S.CONFIRMED, Booking.State.PENDING)


def test_the_board_follows_the_calendars_declines_once():
    receivers = [key for key, *_ in bookings_declined.receivers]
    assert [k[0] for k in receivers].count("tasks.follow_declined_bookings") == 1


def test_a_task_already_under_way_is_left_alone(
    held,
    make_task,
    manager,
    club_organiser,
    firm_organiser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    started = lifecycle.task_start(actor=firm_organiser, task=held)
    waiting = confirmed(
        make_task(title="Vand bane 1", blocks_site=True),
        club_organiser,
        firm_organiser,
        at(3, 8),
    )
    booking = started.booking
    version = started.version

    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_decline(actor=manager, booking=booking)
        bookings.booking_decline(actor=manager, booking=waiting.booking)

    started.refresh_from_db()
    waiting.refresh_from_db()
    assert (started.state, started.booking, started.starts_at) == (
        S.IN_PROGRESS,
        booking,
        at(2, 8),
    )
    assert started.version == version
    assert started.steps.last().action == "started"
    assert declined_mails(started, mailoutbox) == []
    assert lifecycle.site_declined(started, actor=manager) is None
    assert (waiting.state, waiting.booking) == (S.PLANNED, None)
    assert waiting.steps.last().side == Side.CLIENT
