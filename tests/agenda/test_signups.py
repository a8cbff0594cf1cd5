"""Sign-up: going, maybe, not going, with guests; the waiting list and who it
promotes; what is refused (and that nothing changes then); the e-mails of a
moved or cancelled date and the reminders; concurrent sign-ups on PostgreSQL."""

import re
import threading
from dataclasses import replace
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from agenda.errors import AgendaError
from agenda.models import Occurrence, Signup
from agenda.services import events as event_services
from agenda.services.events import EventFields
from agenda.services.signups import signup_answer, signup_withdraw
from communities.models import Community
from hub.errors import NotPermitted, RateLimited
from hub.limits import HOUR, LIMITS, Limit
from tests.agenda.conftest import da, da_date
from tests.agenda.conftest import fields as _fields
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import requires_postgres

GOING = Signup.Response.GOING


def _sent(count: int) -> str:
    return da(
        "Sent %(count)s reminder.", "Sent %(count)s reminders.", count, count=count
    )


MAYBE = Signup.Response.MAYBE
NOT_GOING = Signup.Response.NOT_GOING


def _first(event) -> Occurrence:
    return event.occurrences.order_by("starts_at").first()


def _state(occurrence) -> list[tuple]:
    """Every sign-up of ``occurrence`` as it stands, to compare before and after."""
    return list(
        Signup.objects.filter(occurrence=occurrence)
        .order_by("pk")
        .values_list("user_id", "response", "guests", "waiting", "promoted_at")
    )


def _signup_url(occurrence) -> str:
    return reverse(
        "agenda:signup", kwargs={"pk": occurrence.event_id, "occurrence": occurrence.pk}
    )


def _withdraw_url(occurrence) -> str:
    return reverse(
        "agenda:signup_withdraw",
        kwargs={"pk": occurrence.event_id, "occurrence": occurrence.pk},
    )


@pytest.fixture
def people(club):
    """Three members of the club, with e-mail addresses of their own."""
    return [member_of(club) for _ in range(3)]


# --- the waiting list


@pytest.mark.django_db
def test_the_waiting_list_gives_a_freed_place_to_the_next_and_tells_them(
    make_event, people, django_capture_on_commit_callbacks
):
    a, b, _c = people
    occurrence = _first(make_event(capacity=2))
    signup_answer(user=a, occurrence=occurrence, response=GOING, guests=1)
    waiting = signup_answer(user=b, occurrence=occurrence, response=GOING)
    assert waiting.waiting

    with django_capture_on_commit_callbacks(execute=True):
        signup_withdraw(user=a, occurrence=occurrence)

    b_signup = Signup.objects.get(occurrence=occurrence, user=b)
    assert not b_signup.waiting
    assert b_signup.promoted_at is not None
    assert not Signup.objects.filter(occurrence=occurrence, user=a).exists()
    assert [m.to for m in mail.outbox] == [[b.email]]
    assert "Træning" in mail.outbox[0].subject
    assert occurrence.get_absolute_url() in mail.outbox[0].body


@pytest.mark.django_db
def test_a_party_too_big_for_the_free_places_is_skipped_for_a_smaller_one_behind(
    make_event, people, django_capture_on_commit_callbacks
):
    a, b, c = people
    occurrence = _first(make_event(capacity=3))
    signup_answer(user=a, occurrence=occurrence, response=GOING, guests=2)
    signup_answer(user=b, occurrence=occurrence, response=GOING, guests=2)
    signup_answer(user=c, occurrence=occurrence, response=GOING)

    with django_capture_on_commit_callbacks(execute=True):
        signup_answer(user=a, occurrence=occurrence, response=GOING, guests=0)

    waiting = dict(
        Signup.objects.filter(occurrence=occurrence).values_list("user", "waiting")
    )
    assert waiting == {a.pk: False, b.pk: True, c.pk: False}
    assert [m.to for m in mail.outbox] == [[c.email]]


@pytest.mark.django_db
def test_someone_who_gets_a_place_by_answering_is_not_told_by_e_mail_as_well(
    make_event, people, django_capture_on_commit_callbacks
):
    a, b, c = people
    occurrence = _first(make_event(capacity=3))
    signup_answer(user=a, occurrence=occurrence, response=GOING, guests=1)
    signup_answer(user=b, occurrence=occurrence, response=GOING, guests=2)

    with django_capture_on_commit_callbacks(execute=True):
        answer = signup_answer(user=c, occurrence=occurrence, response=GOING)

    # B's party of three does not fit in the one place left; C's of one does.
    assert not answer.waiting
    assert answer.promoted_at is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_bringing_more_guests_than_there_are_places_is_refused_and_nothing_changes(
    make_event, people
):
    a, b, _c = people
    occurrence = _first(make_event(capacity=3))
    signup_answer(user=a, occurrence=occurrence, response=GOING)
    signup_answer(user=b, occurrence=occurrence, response=GOING, guests=1)
    before = _state(occurrence)

    with pytest.raises(AgendaError) as refused:
        signup_answer(user=a, occurrence=occurrence, response=GOING, guests=2)

    assert refused.value.field == "guests"
    assert _state(occurrence) == before


@pytest.mark.django_db
def test_the_page_refuses_more_guests_than_places_keeping_what_was_typed(
    client, make_event, people
):
    a, b, _c = people
    occurrence = _first(make_event(capacity=3))
    signup_answer(user=a, occurrence=occurrence, response=GOING)
    signup_answer(user=b, occurrence=occurrence, response=GOING, guests=1)
    before = _state(occurrence)
    client.force_login(a)

    response = client.post(_signup_url(occurrence), {"response": GOING, "guests": 2})

    assert response.status_code == 400
    page = response.content.decode()
    assert (
        da(
            "Only %(free)s places are free, you included: bring fewer guests.",
            free=1,
        )
        in page
    )
    assert 'aria-describedby="id_guests_helptext id_guests_error"' in page
    assert 'name="guests" value="2"' in page
    assert 'value="going" class="ds-input" required id="id_response_0" checked' in page
    assert _state(occurrence) == before


@pytest.mark.django_db
def test_too_many_guests_are_refused_by_the_form_and_nothing_is_saved(
    client, make_event, resident
):
    occurrence = _first(make_event())
    client.force_login(resident)

    response = client.post(_signup_url(occurrence), {"response": GOING, "guests": 21})

    assert response.status_code == 400
    assert 'id="id_guests_error"' in response.content.decode()
    assert 'name="guests" value="21"' in response.content.decode()
    assert _state(occurrence) == []


@pytest.mark.django_db
def test_answering_going_on_the_page_saves_it_and_says_so_after_a_redirect(
    client, make_event, resident
):
    occurrence = _first(make_event(capacity=10))
    client.force_login(resident)

    response = client.post(
        _signup_url(occurrence), {"response": GOING, "guests": 2}, follow=True
    )

    assert response.redirect_chain == [(occurrence.get_absolute_url(), 302)]
    page = response.content.decode()
    assert (
        da(
            "You are going, with %(count)s guest. See you there!",
            "You are going, with %(count)s guests. See you there!",
            2,
            count=2,
        )
        in page
    )
    assert (
        da(
            "%(left)s of %(capacity)s place left",
            "%(left)s of %(capacity)s places left",
            10,
            left=7,
            capacity=10,
        )
        in page
    )
    assert _state(occurrence) == [(resident.pk, GOING, 2, False, None)]


@pytest.mark.django_db
def test_a_full_date_puts_the_next_on_the_waiting_list_with_their_number(
    client, make_event, people
):
    a, b, c = people
    occurrence = _first(make_event(capacity=1))
    signup_answer(user=a, occurrence=occurrence, response=GOING)
    signup_answer(user=b, occurrence=occurrence, response=GOING)
    client.force_login(c)

    response = client.post(_signup_url(occurrence), {"response": GOING}, follow=True)

    page = response.content.decode()
    assert (
        da(
            "It is full: you are on the waiting list, number %(position)s. We "
            "will e-mail you when a place becomes free.",
            position=2,
        )
        in page
    )
    assert da("You are on the waiting list, number %(number)s.", number=2) in page
    assert (
        da(
            "The %(capacity)s place is taken.",
            "All %(capacity)s places are taken.",
            1,
            capacity=1,
        )
        in page
    )
    assert Signup.objects.get(occurrence=occurrence, user=c).waiting


@pytest.mark.django_db
def test_withdrawing_on_the_page_removes_the_answer(client, make_event, resident):
    occurrence = _first(make_event())
    signup_answer(user=resident, occurrence=occurrence, response=MAYBE)
    client.force_login(resident)

    response = client.post(_withdraw_url(occurrence), follow=True)

    assert gettext("Your answer is withdrawn.") in response.content.decode()
    assert _state(occurrence) == []


@pytest.mark.django_db
def test_a_visitor_who_posts_an_answer_is_sent_to_log_in_and_nothing_is_saved(
    client, make_event
):
    occurrence = _first(make_event())

    response = client.post(_signup_url(occurrence), {"response": GOING})

    assert response.status_code == 302
    assert response["Location"] == (
        reverse("account_login")
        + "?next="
        + occurrence.get_absolute_url().replace("/", "%2F")
    )
    assert _state(occurrence) == []


@pytest.mark.django_db
def test_answering_too_often_is_refused_on_the_page_keeping_what_was_typed(
    client, make_event, resident, monkeypatch
):
    occurrence = _first(make_event())
    monkeypatch.setitem(LIMITS, "signup-answer", Limit(1, HOUR))
    client.force_login(resident)
    client.post(_signup_url(occurrence), {"response": MAYBE})
    before = _state(occurrence)

    response = client.post(_signup_url(occurrence), {"response": GOING, "guests": 3})

    assert response.status_code == 429
    page = response.content.decode()
    assert str(RateLimited.default_message) in page
    assert 'name="guests" value="3"' in page
    assert _state(occurrence) == before


# --- dates that take no sign-ups


@pytest.mark.django_db
def test_a_cancelled_date_refuses_sign_ups(make_event, organiser, resident, client):
    occurrence = _first(make_event())
    event_services.occurrence_cancel(actor=organiser, occurrence=occurrence)

    with pytest.raises(AgendaError, match=re.escape(da("This date is cancelled."))):
        signup_answer(user=resident, occurrence=occurrence, response=GOING)
    client.force_login(resident)
    response = client.post(_signup_url(occurrence), {"response": GOING}, follow=True)

    assert response.redirect_chain == [(occurrence.get_absolute_url(), 302)]
    cancelled = da("This date is cancelled.")
    assert f'role="status">{cancelled}</div>' in response.content.decode()
    assert _state(occurrence) == []


@pytest.mark.django_db
def test_a_date_that_is_over_refuses_sign_ups(make_event, resident):
    occurrence = _first(make_event())
    now = timezone.now()
    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
    )

    with pytest.raises(AgendaError, match=re.escape(da("This date is over."))):
        signup_answer(user=resident, occurrence=occurrence, response=GOING)

    assert _state(occurrence) == []


@pytest.mark.django_db
def test_a_date_left_out_of_the_series_refuses_sign_ups_and_its_page_is_not_found(
    make_event, organiser, resident, client
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = _first(event)
    event_services.occurrence_exclude(actor=organiser, occurrence=occurrence)

    with pytest.raises(AgendaError):
        signup_answer(user=resident, occurrence=occurrence, response=GOING)
    client.force_login(resident)
    response = client.post(_signup_url(occurrence), {"response": GOING})

    assert response.status_code == 404
    assert _state(occurrence) == []


@pytest.mark.django_db
def test_an_event_that_takes_no_sign_ups_refuses_them(make_event, resident):
    occurrence = _first(make_event(signup_open=False))

    with pytest.raises(AgendaError):
        signup_answer(user=resident, occurrence=occurrence, response=GOING)

    assert _state(occurrence) == []


@pytest.mark.django_db
def test_a_private_communitys_event_refuses_outsiders(client):
    private = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    event = event_services.event_create(
        actor=organiser_of(private),
        community=private,
        fields=_fields(),
    )
    occurrence = _first(event)
    outsider = UserFactory()

    with pytest.raises(NotPermitted):
        signup_answer(user=outsider, occurrence=occurrence, response=GOING)
    client.force_login(outsider)
    page = client.get(event.get_absolute_url())
    posted = client.post(_signup_url(occurrence), {"response": GOING})

    assert page.status_code == 404
    assert posted.status_code == 404
    assert _state(occurrence) == []


@pytest.mark.django_db
def test_nobody_is_promoted_on_a_cancelled_date(
    make_event, organiser, people, django_capture_on_commit_callbacks
):
    a, b, _c = people
    occurrence = _first(make_event(capacity=1))
    signup_answer(user=a, occurrence=occurrence, response=GOING)
    signup_answer(user=b, occurrence=occurrence, response=GOING)
    with django_capture_on_commit_callbacks(execute=True):
        event_services.occurrence_cancel(actor=organiser, occurrence=occurrence)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        signup_withdraw(user=a, occurrence=occurrence)

    assert Signup.objects.get(occurrence=occurrence, user=b).waiting
    assert mail.outbox == []


@pytest.mark.django_db
def test_an_answer_to_a_date_that_is_over_cannot_be_withdrawn(make_event, resident):
    occurrence = _first(make_event())
    signup_answer(user=resident, occurrence=occurrence, response=GOING)
    now = timezone.now()
    Occurrence.objects.filter(pk=occurrence.pk).update(
        starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1)
    )
    before = _state(occurrence)

    with pytest.raises(AgendaError, match=re.escape(da("This date is over."))):
        signup_withdraw(user=resident, occurrence=occurrence)

    assert _state(occurrence) == before


# --- e-mails


def _answer_all(occurrence, club) -> dict[str, object]:
    people = {name: member_of(club) for name in ("going", "maybe", "not_going")}
    for response, user in people.items():
        signup_answer(user=user, occurrence=occurrence, response=response)
    return people


@pytest.mark.django_db
def test_a_cancelled_date_is_e_mailed_to_those_going_or_maybe_going(
    make_event, organiser, club, django_capture_on_commit_callbacks
):
    occurrence = _first(make_event())
    people = _answer_all(occurrence, club)

    with django_capture_on_commit_callbacks(execute=True):
        event_services.occurrence_cancel(
            actor=organiser, occurrence=occurrence, note="Banen er oversvømmet."
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["going"].email, people["maybe"].email]
    )
    message = mail.outbox[0]
    assert message.subject == da("Cancelled: %(title)s", title="Træning")
    assert (
        da(
            "%(organiser)s has cancelled %(title)s on %(when)s.",
            organiser="Skovby IF",
            title="Træning",
            when=da_date(occurrence.starts_at),
        )
        in message.body
    )
    assert "Banen er oversvømmet." in message.body


@pytest.mark.django_db
def test_a_moved_date_is_e_mailed_with_its_new_time(
    make_event, organiser, club, django_capture_on_commit_callbacks
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = _first(event)
    people = _answer_all(occurrence, club)
    fields = EventFields.of(event, occurrence)
    later = replace(
        fields,
        starts_at=fields.starts_at + timedelta(hours=1),
        ends_at=fields.ends_at + timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_update(
            actor=organiser,
            event=event,
            fields=later,
            scope=event_services.Scope.THIS,
            occurrence=occurrence,
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["going"].email, people["maybe"].email]
    )
    assert mail.outbox[0].subject == da("Moved: %(title)s", title="Træning")
    assert (
        da(
            "%(organiser)s has moved %(title)s. It now starts %(when)s.",
            organiser="Skovby IF",
            title="Træning",
            when=da_date(later.starts_at),
        )
        in mail.outbox[0].body
    )
    assert later.starts_at.strftime("%H:%M") in mail.outbox[0].body


@pytest.mark.django_db
def test_the_e_mails_show_the_title_as_typed_not_escaped(
    make_event, organiser, resident, django_capture_on_commit_callbacks
):
    occurrence = _first(make_event(title='Kaffe & "kage"'))
    signup_answer(user=resident, occurrence=occurrence, response=GOING)

    with django_capture_on_commit_callbacks(execute=True):
        event_services.occurrence_cancel(actor=organiser, occurrence=occurrence)

    title = 'Kaffe & "kage"'
    assert mail.outbox[0].subject == da("Cancelled: %(title)s", title=title)
    assert (
        da(
            "%(organiser)s has cancelled %(title)s on %(when)s.",
            organiser="Skovby IF",
            title=title,
            when=da_date(occurrence.starts_at),
        )
        in mail.outbox[0].body
    )


# --- reminders


@pytest.mark.django_db
def test_reminders_go_once_to_those_going_with_a_place_on_dates_starting_soon(
    club, organiser, settings
):
    settings.NABOLAG_AGENDA = {**settings.NABOLAG_AGENDA, "REMINDER_HOURS": 24}
    soon = timezone.now() + timedelta(hours=5)
    event = event_services.event_create(
        actor=organiser,
        community=club,
        fields=_fields(starts_at=soon, ends_at=soon + timedelta(hours=2), capacity=1),
    )
    later = event_services.event_create(
        actor=organiser,
        community=club,
        fields=_fields(title="Senere"),  # a week away
    )
    today, next_week = _first(event), _first(later)
    going, waiting, maybe, far = (member_of(club) for _ in range(4))
    signup_answer(user=going, occurrence=today, response=GOING)
    signup_answer(user=waiting, occurrence=today, response=GOING)
    signup_answer(user=maybe, occurrence=today, response=MAYBE)
    signup_answer(user=far, occurrence=next_week, response=GOING)
    first, second = StringIO(), StringIO()

    call_command("agenda_reminders", stdout=first)
    call_command("agenda_reminders", stdout=second)

    assert first.getvalue().strip() == _sent(1)
    assert second.getvalue().strip() == _sent(0)
    assert [m.to for m in mail.outbox] == [[going.email]]
    assert mail.outbox[0].subject == da(
        "Reminder: %(title)s, %(when)s",
        title="Træning",
        when=da_date(today.starts_at, "l H:i"),
    )
    assert Signup.objects.get(user=going).reminded_at is not None
    assert Signup.objects.get(user=waiting).reminded_at is None


@pytest.mark.django_db
def test_no_reminder_goes_for_a_cancelled_date(club, organiser):
    soon = timezone.now() + timedelta(hours=5)
    event = event_services.event_create(
        actor=organiser,
        community=club,
        fields=_fields(starts_at=soon, ends_at=soon + timedelta(hours=2)),
    )
    occurrence = _first(event)
    signup_answer(user=member_of(club), occurrence=occurrence, response=GOING)
    event_services.occurrence_cancel(actor=organiser, occurrence=occurrence)
    mail.outbox.clear()
    out = StringIO()

    call_command("agenda_reminders", stdout=out)

    assert out.getvalue().strip() == _sent(0)
    assert mail.outbox == []


# --- concurrency


def _at_once(count: int, work) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads started together, each with its
    own database connection; the exceptions they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(i)
        except BaseException as exc:  # noqa: BLE001 (reported by the test)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_overfill_the_places(club, organiser):
    assert connection.vendor == "postgresql"
    occurrence = _first(
        event_services.event_create(
            actor=organiser, community=club, fields=_fields(capacity=5)
        )
    )
    people = [member_of(club) for _ in range(12)]

    errors = _at_once(
        len(people),
        lambda i: signup_answer(
            user=people[i], occurrence=occurrence, response=GOING, guests=i % 2
        ),
    )

    assert errors == []
    rows = list(Signup.objects.filter(occurrence=occurrence))
    confirmed = [s for s in rows if not s.waiting]
    assert len(rows) == 12
    assert sum(s.heads for s in confirmed) <= 5
    # Every party on the waiting list is too big for what is left.
    free = 5 - sum(s.heads for s in confirmed)
    assert all(s.heads > free for s in rows if s.waiting)


@requires_postgres()
@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_promote_each_waiting_person_once(club, organiser):
    occurrence = _first(
        event_services.event_create(
            actor=organiser, community=club, fields=_fields(capacity=3)
        )
    )
    holders = [member_of(club) for _ in range(3)]
    waiting = [member_of(club) for _ in range(3)]
    for user in [*holders, *waiting]:
        signup_answer(user=user, occurrence=occurrence, response=GOING)

    errors = _at_once(
        3, lambda i: signup_withdraw(user=holders[i], occurrence=occurrence)
    )

    assert errors == []
    rows = list(Signup.objects.filter(occurrence=occurrence))
    assert sorted(s.user_id for s in rows) == sorted(u.pk for u in waiting)
    assert all(not s.waiting and s.promoted_at for s in rows)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in waiting)


def test_more_places_go_to_those_waiting(make_event, organiser, club):
    event = make_event(capacity=1)
    occurrence = event.occurrences.get()
    signup_answer(user=member_of(club), occurrence=occurrence, response=GOING)
    waiting = signup_answer(user=member_of(club), occurrence=occurrence, response=GOING)
    assert waiting.waiting

    event_services.event_update(
        actor=organiser,
        event=event,
        fields=replace(EventFields.of(event), capacity=2),
    )

    waiting.refresh_from_db()
    assert not waiting.waiting
    assert waiting.promoted_at is not None
