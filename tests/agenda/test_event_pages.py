"""An event's page: what it shows of a date and of a series, who may see it,
the sign-up box for visitors, members and organisers, the attendee list and its
CSV; and its exact query counts, the same however many have signed up."""

import csv
import io
from dataclasses import replace
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda.models import Event, Occurrence, Signup
from agenda.services import events as event_services
from agenda.services.events import EventFields
from agenda.services.signups import signup_answer
from communities.models import Community
from tests.agenda.conftest import fields
from tests.factories import CommunityFactory, UserFactory, member_of, organiser_of
from tests.helpers import da, da_date, da_in, session_queries

pytestmark = pytest.mark.django_db

GOING = Signup.Response.GOING


def _dates(event) -> list[Occurrence]:
    return list(event.occurrences.order_by("starts_at"))


def _url(occurrence, name: str = "agenda:occurrence") -> str:
    return reverse(
        name, kwargs={"pk": occurrence.event_id, "occurrence": occurrence.pk}
    )


def _places_left(left: int, capacity: int) -> str:
    return da(
        "%(left)s of %(capacity)s place left",
        "%(left)s of %(capacity)s places left",
        capacity,
        left=left,
        capacity=capacity,
    )


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _to_the_past(occurrences) -> None:
    now = timezone.now()
    for days, occurrence in enumerate(reversed(occurrences), start=1):
        Occurrence.objects.filter(pk=occurrence.pk).update(
            starts_at=now - timedelta(days=days, hours=2),
            ends_at=now - timedelta(days=days),
        )


# --- what the page shows


def test_the_event_page_shows_the_next_date_with_what_where_and_who(
    client, make_event, hall
):
    event = make_event(
        description="Tag <b>støvler</b> med.\n\nVi slutter med kaffe.",
        category="sport",
        audience="youth",
        facility=hall,
    )
    occurrence = _dates(event)[0]

    page = _page(client, event.get_absolute_url())

    assert "<h1>Træning</h1>" in page
    assert da_date(occurrence.starts_at) in page
    assert "Stadion" in page
    assert "Forsamlingshuset" in page
    assert f'href="{reverse("communities:detail", args=["skovby-if"])}"' in page
    assert "Skovby IF" in page
    assert "<p>Tag &lt;b&gt;støvler&lt;/b&gt; med.</p>" in page
    assert "<p>Vi slutter med kaffe.</p>" in page
    assert str(event.get_category_display()) in page
    assert str(event.get_audience_display()) in page


def test_the_event_page_labels_its_community_as_the_events_organiser(
    client, make_event
):
    event = make_event()

    page = _page(client, event.get_absolute_url())

    # The event's own word (Danish "Arrangør"), not a community's organiser
    # ("Tovholder"), which plain "Organiser" is.
    assert f"<dt>{da_in('event', 'Organiser')}</dt>" in page
    assert f"<dt>{da('Organiser')}</dt>" not in page


def test_an_event_of_the_municipality_names_it_as_organiser(client, settings):
    starts = timezone.now() + timedelta(days=3)
    event = Event.objects.create(
        community=None,
        title="Borgermøde",
        starts_at=starts,
        duration=timedelta(hours=2),
    )
    Occurrence.objects.create(
        event=event,
        original_start=starts,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )

    page = _page(client, event.get_absolute_url())

    assert f"<dd>{settings.NABOLAG_MUNICIPALITY_NAME}</dd>" in page


def test_an_event_that_is_over_shows_its_last_date(client, make_event):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    dates = _dates(event)
    _to_the_past(dates)
    last = Occurrence.objects.filter(event=event).order_by("-starts_at").first()

    response = client.get(event.get_absolute_url())

    assert response.context["occurrence"] == last
    page = response.content.decode()
    assert da_date(last.starts_at) in page
    assert da("Sign-up is closed: this date is over.") in page
    assert da("Coming dates") not in page


def test_a_series_lists_its_coming_dates_marking_moved_and_cancelled_ones(
    client, make_event, organiser
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=15")
    dates = _dates(event)
    moved, cancelled, left_out = dates[1], dates[2], dates[3]
    then = EventFields.of(event, moved)
    event_services.event_update(
        actor=organiser,
        event=event,
        fields=replace(
            then,
            starts_at=then.starts_at + timedelta(hours=1),
            ends_at=then.ends_at + timedelta(hours=1),
        ),
        scope=event_services.Scope.THIS,
        occurrence=moved,
    )
    event_services.occurrence_cancel(actor=organiser, occurrence=cancelled)
    event_services.occurrence_exclude(actor=organiser, occurrence=left_out)
    moved.refresh_from_db()

    response = client.get(event.get_absolute_url())

    shown = response.context["coming"]
    assert len(shown) == 12
    assert left_out not in shown
    assert shown[:3] == [dates[0], moved, cancelled]
    page = response.content.decode()
    assert f'<a href="{_url(dates[0])}" aria-current="page">' in page
    assert f"<s>{da_date(cancelled.starts_at)}</s>" in page
    assert f">{da('cancelled')}</span>" in page
    assert f">{da('moved')}</span>" in page
    first_planned = da_date(moved.original_start, "l j. F, H:i")
    assert da("first planned for %(when)s", when=first_planned) in page
    assert da_date(left_out.starts_at) not in page


def test_a_cancelled_date_shows_a_banner_and_takes_no_sign_ups(
    client, make_event, organiser, resident
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = _dates(event)[1]
    event_services.occurrence_cancel(
        actor=organiser, occurrence=occurrence, note="Banen er lukket."
    )
    client.force_login(resident)

    page = _page(client, _url(occurrence))

    assert da("This date is cancelled.") in page
    assert "Banen er lukket." in page
    assert da("Sign-up is closed: this date is cancelled.") in page
    assert 'name="response"' not in page


def test_a_cancelled_event_says_so_on_every_date(client, make_event, organiser):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    event_services.event_cancel(actor=organiser, event=event)

    page = _page(client, event.get_absolute_url())

    assert da("This event is cancelled.") in page
    assert page.count(f">{da('cancelled')}</span>") == 3


def test_a_moved_date_says_when_it_was_first_planned(client, make_event, organiser):
    event = make_event()
    occurrence = _dates(event)[0]
    then = EventFields.of(event, occurrence)
    event_services.event_update(
        actor=organiser,
        event=event,
        fields=replace(
            then,
            starts_at=then.starts_at + timedelta(days=1),
            ends_at=then.ends_at + timedelta(days=1),
        ),
        scope=event_services.Scope.THIS,
        occurrence=occurrence,
    )

    page = _page(client, _url(occurrence))

    assert da("This date has moved.") in page
    first_planned = da_date(occurrence.starts_at)
    assert da("It was first planned for %(when)s.", when=first_planned) in page


def test_a_date_left_out_is_not_found_except_by_its_organisers(
    client, make_event, organiser
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = _dates(event)[1]
    event_services.occurrence_exclude(actor=organiser, occurrence=occurrence)

    anonymous = client.get(_url(occurrence))
    client.force_login(organiser)
    organisers = _page(client, _url(occurrence))

    assert anonymous.status_code == 404
    assert da("This date is left out of the series.") in organisers


def test_a_date_of_another_event_is_not_found(client, make_event):
    one, other = make_event(), make_event(title="Andet")
    occurrence = _dates(other)[0]

    response = client.get(
        reverse("agenda:occurrence", kwargs={"pk": one.pk, "occurrence": occurrence.pk})
    )

    assert response.status_code == 404


def test_a_private_communitys_event_is_only_shown_to_its_members(client):
    private = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    event = event_services.event_create(
        actor=organiser_of(private), community=private, fields=fields()
    )
    outsider, member = UserFactory(), member_of(private)

    visitor_sees = client.get(event.get_absolute_url()).status_code
    client.force_login(outsider)
    outsider_sees = client.get(event.get_absolute_url()).status_code
    attendees = client.get(_url(_dates(event)[0], "agenda:attendees")).status_code
    client.force_login(member)
    member_sees = client.get(event.get_absolute_url()).status_code

    assert (visitor_sees, outsider_sees, attendees, member_sees) == (404, 404, 404, 200)


# --- the sign-up box


def test_a_visitor_is_offered_to_log_in_and_come_back(client, make_event):
    occurrence = _dates(make_event(capacity=30))[0]

    page = _page(client, occurrence.event.get_absolute_url())

    login = reverse("account_login") + "?next=" + _url(occurrence).replace("/", "%2F")
    assert f'href="{login}"' in page
    assert _places_left(30, 30) in page
    assert 'name="response"' not in page


def test_a_member_sees_places_left_and_their_answer_chosen(
    client, make_event, resident, club
):
    occurrence = _dates(make_event(capacity=30))[0]
    for _ in range(2):
        signup_answer(user=member_of(club), occurrence=occurrence, response=GOING)
    signup_answer(user=resident, occurrence=occurrence, response=GOING, guests=3)
    client.force_login(resident)

    page = _page(client, _url(occurrence))

    assert _places_left(24, 30) in page
    assert da("You are going.") in page
    assert (
        da(
            "You bring %(counter)s guest.",
            "You bring %(counter)s guests.",
            3,
            counter=3,
        )
        in page
    )
    assert 'value="going" class="ds-input" required id="id_response_0" checked' in page
    assert 'name="guests" value="3"' in page
    assert _url(occurrence, "agenda:signup_withdraw") in page
    assert "<legend" in page
    assert da("For the organisers") not in page


def test_a_member_on_the_waiting_list_sees_their_number(client, make_event, club):
    occurrence = _dates(make_event(capacity=1))[0]
    people = [member_of(club) for _ in range(3)]
    for person in people:
        signup_answer(user=person, occurrence=occurrence, response=GOING)
    client.force_login(people[2])

    page = _page(client, _url(occurrence))

    assert da("You are on the waiting list, number %(number)s.", number=2) in page
    waiting = "%(counter)s on the waiting list"
    assert da(waiting, waiting, 2, counter=2) in page


def test_an_organiser_sees_their_tools(client, make_event, organiser):
    occurrence = _dates(make_event(rrule="FREQ=WEEKLY;COUNT=3"))[0]
    client.force_login(organiser)

    page = _page(client, _url(occurrence))

    assert da("For the organisers") in page
    assert _url(occurrence, "agenda:attendees") in page
    assert _url(occurrence, "agenda:attendees_csv") in page
    edit = reverse("agenda:event_edit", kwargs={"pk": occurrence.event_id})
    assert f'href="{edit}?occurrence={occurrence.pk}"' in page
    assert f'href="{_url(occurrence, "agenda:occurrence_cancel")}"' in page
    assert f'href="{_url(occurrence, "agenda:occurrence_exclude")}"' in page
    event_cancel = reverse("agenda:event_cancel", kwargs={"pk": occurrence.event_id})
    assert f'href="{event_cancel}"' in page
    assert _url(occurrence, "agenda:occurrence_restore") not in page


def test_an_organiser_can_bring_a_cancelled_date_back(client, make_event, organiser):
    occurrence = _dates(make_event())[0]
    event_services.occurrence_cancel(actor=organiser, occurrence=occurrence)
    client.force_login(organiser)

    page = _page(client, _url(occurrence))

    assert f'action="{_url(occurrence, "agenda:occurrence_restore")}"' in page
    assert _url(occurrence, "agenda:occurrence_cancel") not in page


# --- the attendee list


def _answered(occurrence, club) -> dict:
    people = {
        "first": member_of(club, user__display_name="Anna Andersen"),
        "second": member_of(club, user__display_name='=HYPERLINK("http://x")'),
        "waiting": member_of(club, user__display_name="@Bo Berg"),
        "maybe": member_of(club, user__display_name="-Cai"),
        "no": member_of(club, user__display_name="+Dorte"),
    }
    signup_answer(user=people["first"], occurrence=occurrence, response=GOING)
    signup_answer(
        user=people["second"], occurrence=occurrence, response=GOING, guests=1
    )
    signup_answer(user=people["waiting"], occurrence=occurrence, response=GOING)
    signup_answer(user=people["maybe"], occurrence=occurrence, response="maybe")
    signup_answer(user=people["no"], occurrence=occurrence, response="not_going")
    return people


def test_the_attendee_list_shows_organisers_every_answer_and_the_counts(
    client, make_event, organiser, club
):
    occurrence = _dates(make_event(capacity=3))[0]
    _answered(occurrence, club)
    client.force_login(organiser)

    response = client.get(_url(occurrence, "agenda:attendees"))

    rows = response.context["rows"]
    assert [s.user.display_name for s in rows] == [
        "Anna Andersen",
        '=HYPERLINK("http://x")',
        "@Bo Berg",
        "-Cai",
        "+Dorte",
    ]
    assert [s.position for s in rows] == [None, None, 1, None, None]
    context = response.context
    assert (context["going"], context["heads"], context["waiting"]) == (2, 3, 1)
    assert (context["maybe"], context["not_going"]) == (1, 1)
    page = response.content.decode()
    assert da("number %(number)s", number=1) in page
    assert (
        da(
            "%(counter)s person, %(heads)s with guests",
            "%(counter)s people, %(heads)s with guests",
            2,
            counter=2,
            heads=3,
        )
        in page
    )


def test_the_attendee_list_is_refused_to_members_and_visitors(
    client, make_event, resident
):
    occurrence = _dates(make_event())[0]

    visitor = client.get(_url(occurrence, "agenda:attendees"))
    client.force_login(resident)
    member = client.get(_url(occurrence, "agenda:attendees"))
    member_csv = client.get(_url(occurrence, "agenda:attendees_csv"))

    assert visitor.status_code == 302
    assert visitor["Location"].startswith(reverse("account_login"))
    assert (member.status_code, member_csv.status_code) == (403, 403)


def test_the_attendee_csv_opens_in_excel_and_carries_no_formulas(
    client, make_event, organiser, club
):
    occurrence = _dates(make_event(capacity=3))[0]
    _answered(occurrence, club)
    client.force_login(organiser)

    response = client.get(_url(occurrence, "agenda:attendees_csv"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 6
    names = [row[0] for row in rows[1:]]
    assert names == [
        "Anna Andersen",
        '\'=HYPERLINK("http://x")',
        "'@Bo Berg",
        "'-Cai",
        "'+Dorte",
    ]
    assert [row[2] for row in rows[1:]] == ["0", "1", "0", "0", "0"]
    assert [row[3] for row in rows[1:]] == ["", "", "1", "", ""]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


# --- query counts


def _with_signups(occurrence, count: int) -> None:
    """``count`` people going, the first half with a place (which fills the
    event), the others waiting."""
    users = UserFactory.create_batch(count)
    earlier = timezone.now() - timedelta(hours=1)
    Signup.objects.bulk_create(
        Signup(
            occurrence=occurrence,
            user=user,
            response=GOING,
            guests=i % 3,
            waiting=i >= count // 2,
            queued_at=earlier + timedelta(seconds=i),
        )
        for i, user in enumerate(users)
    )
    full = sum(1 + i % 3 for i in range(count // 2))
    type(occurrence.event).objects.filter(pk=occurrence.event_id).update(capacity=full)


SIZES = [10, 40]


@pytest.mark.parametrize("size", SIZES)
def test_the_event_page_makes_the_same_queries_for_a_visitor_however_many(
    client, make_event, club, size, django_assert_num_queries
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=20")
    _with_signups(_dates(event)[0], size)

    # The event with its organiser, its coming dates, the answers counted.
    with django_assert_num_queries(3):
        response = client.get(event.get_absolute_url())

    assert response.status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_event_page_makes_the_same_queries_for_a_member_however_many(
    client, make_event, club, resident, size, django_assert_num_queries
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=20")
    occurrence = _dates(event)[0]
    _with_signups(occurrence, size)
    signup_answer(user=resident, occurrence=occurrence, response=GOING)
    client.force_login(resident)

    # The visitor's three; the viewer and their permissions (3), whether they
    # organise it, their own answer with its place in the queue, and the
    # header's three (alerts, messages, pages they edit).
    with django_assert_num_queries(11 + session_queries()):
        response = client.get(event.get_absolute_url())

    assert response.context["mine"].position == size - size // 2 + 1


@pytest.mark.parametrize("size", SIZES)
def test_the_event_page_makes_the_same_queries_for_an_organiser_however_many(
    client, make_event, club, organiser, size, django_assert_num_queries
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=20")
    _with_signups(_dates(event)[0], size)
    client.force_login(organiser)

    # A member's: the check that they organise it is the same query.
    with django_assert_num_queries(11 + session_queries()):
        response = client.get(event.get_absolute_url())

    assert response.context["may_edit"]


@pytest.mark.parametrize("size", SIZES)
def test_the_attendee_list_makes_the_same_queries_however_many(
    client, make_event, club, organiser, size, django_assert_num_queries
):
    event = make_event()
    occurrence = _dates(event)[0]
    _with_signups(occurrence, size)
    client.force_login(organiser)

    # The viewer and their permissions (3), the event, whether they organise
    # it, the date, every answer with its person, and the header's three.
    with django_assert_num_queries(10 + session_queries()):
        response = client.get(_url(occurrence, "agenda:attendees"))

    assert len(response.context["rows"]) == size
