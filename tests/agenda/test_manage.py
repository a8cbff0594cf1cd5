"""Organisers create events from the portal (agenda/views/manage.py): the form,
its refusals (each keeps what was typed and saves nothing), the clash check
(a facility taken is refused with the free times, a warning must be
confirmed), repetition in the municipality's time zone, and the date actions."""

from datetime import UTC, date, time, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agenda import recurrence
from agenda.models import Booking, Event, Occurrence, Signup
from agenda.services.signups import signup_answer
from tests.agenda.conftest import at, da, da_date, slot_text
from tests.factories import CommunityFactory, member_of, organiser_of
from tests.helpers import session_queries

pytestmark = pytest.mark.django_db


def _create_url(community) -> str:
    return reverse("agenda:event_create", args=[community.slug])


def _day(offset: int = 7) -> date:
    return timezone.localdate() + timedelta(days=offset)


def _data(**overrides) -> dict:
    """The form as an organiser fills it in: a one-off event in a week."""
    data = {
        "title": "Generalforsamling",
        "description": "Årets møde.",
        "date": _day().isoformat(),
        "start_time": "17:00",
        "end_time": "19:00",
        "place": "Klubhuset",
        "facility": "",
        "village": "",
        "category": "meeting",
        "audience": "adults",
        "expected_attendance": "",
        "capacity": "",
        "signup_open": "on",
        "is_public": "on",
        "repeat": "",
        "interval": "1",
        "position": "1",
        "ends": "until",
        "until": "",
        "count": "",
        "rrule": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _counts() -> tuple[int, int, int, int]:
    return (
        Event.objects.count(),
        Occurrence.objects.count(),
        Booking.objects.count(),
        Signup.objects.count(),
    )


def _refused(client, url, data, *, field, message):
    """Post ``data``; assert it is refused beside ``field`` with ``message``,
    that what was typed is in the form again, and that nothing was saved."""
    before = _counts()

    response = client.post(url, data)

    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors.get(field, [])), form.errors
    assert message in response.content.decode()
    assert form["title"].value() == data["title"]
    assert form["place"].value() == data["place"]
    assert form["rrule"].value() == data.get("rrule", "")
    assert _counts() == before
    return response


def _same_audience(other: str) -> str:
    return da(
        "%(other)s is for the same audience in %(village)s within two hours.",
        other=other,
        village="Skovby",
    )


# --- who may


def test_an_organiser_gets_the_empty_form_with_their_village_chosen(client, village):
    client.force_login(organiser_of(village))

    response = client.get(_create_url(village))

    assert response.status_code == 200
    assert response.context["form"]["village"].value() == village.pk
    assert da("Create anyway") not in response.content.decode()


def test_a_member_who_is_not_an_organiser_cannot_create_an_event(client, club):
    client.force_login(member_of(club))
    before = _counts()

    get = client.get(_create_url(club))
    post = client.post(_create_url(club), _data())

    assert get.status_code == 404
    assert post.status_code == 404
    assert _counts() == before


def test_a_visitor_is_sent_to_log_in_first(client, club):
    response = client.post(_create_url(club), _data())

    assert response.status_code == 302
    assert "login" in response.url
    assert Event.objects.count() == 0


def test_the_organisers_of_a_community_find_add_an_event_on_its_member_page(
    client, club, organiser
):
    client.force_login(organiser)

    response = client.get(reverse("communities:members", args=[club.slug]))

    assert _create_url(club) in response.content.decode()


# --- creating


def test_an_organiser_creates_an_event_in_local_time(client, club, organiser):
    client.force_login(organiser)

    response = client.post(_create_url(club), _data(capacity="30"))

    event = Event.objects.get()
    assert response.status_code == 302
    assert response.url == event.get_absolute_url()
    occurrence = event.occurrences.get()
    assert recurrence.local(occurrence.starts_at) == at(7, 17)
    assert recurrence.local(occurrence.ends_at) == at(7, 19)
    assert (event.community, event.capacity, event.category) == (club, 30, "meeting")
    follow = client.get(response.url)
    assert da("The event is in the calendar.") in follow.content.decode()


def test_a_weekly_series_on_two_weekdays_until_a_date(client, club, organiser):
    client.force_login(organiser)
    first = _day(7)
    last = first + timedelta(days=27)

    client.post(
        _create_url(club),
        _data(
            date=first.isoformat(),
            repeat="weekly",
            weekdays=["TU", "TH"],
            ends="until",
            until=last.isoformat(),
        ),
    )

    event = Event.objects.get()
    days = [recurrence.local(o.starts_at).date() for o in event.occurrences.all()]
    expected = [
        first + timedelta(days=n)
        for n in range(28)
        if (first + timedelta(days=n)).weekday() in (1, 3)
    ]
    assert days == expected
    assert "BYDAY=TU,TH" in event.rrule


def test_first_monday_of_the_month_gives_first_mondays(client, club, organiser):
    client.force_login(organiser)
    start = _day(1)
    while start.weekday() != 0 or start.day > 7:
        start += timedelta(days=1)

    client.post(
        _create_url(club),
        _data(
            date=start.isoformat(),
            repeat="monthly_weekday",
            position="1",
            ends="count",
            count="6",
        ),
    )

    event = Event.objects.get()
    assert "BYDAY=1MO" in event.rrule
    days = [recurrence.local(o.starts_at).date() for o in event.occurrences.all()]
    assert len(days) == 6
    assert all(d.weekday() == 0 and d.day <= 7 for d in days)
    assert len({(d.year, d.month) for d in days}) == 6


def test_a_weekly_series_keeps_its_local_time_across_the_end_of_summer_time(
    client, club, organiser
):
    client.force_login(organiser)
    today = timezone.localdate()
    year = today.year if today < date(today.year, 10, 1) else today.year + 1
    last_sunday = max(
        date(year, 10, d) for d in range(25, 32) if date(year, 10, d).weekday() == 6
    )
    first = last_sunday - timedelta(days=14)

    client.post(
        _create_url(club),
        _data(date=first.isoformat(), repeat="weekly", ends="count", count="4"),
    )

    starts = [o.starts_at for o in Event.objects.get().occurrences.all()]
    assert [recurrence.local(s).time() for s in starts] == [time(17)] * 4
    utc_hours = [s.astimezone(UTC).hour for s in starts]
    assert utc_hours == [15, 15, 16, 16]


def test_the_advanced_rule_wins_over_the_simple_choices(client, club, organiser):
    client.force_login(organiser)

    client.post(
        _create_url(club),
        _data(repeat="daily", ends="count", count="9", rrule="FREQ=WEEKLY;COUNT=3"),
    )

    event = Event.objects.get()
    assert event.rrule == "FREQ=WEEKLY;COUNT=3"
    assert event.occurrences.count() == 3


# --- refusals: each keeps what was typed and saves nothing


def test_an_invalid_rule_is_refused(client, club, organiser):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(rrule="FREQ=SOMETIMES;COUNT=3"),
        field="rrule",
        message=da("The repetition must be daily, weekly, monthly or yearly."),
    )


def test_a_rule_with_a_broken_weekday_is_refused_not_a_server_error(
    client, club, organiser
):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(rrule="FREQ=MONTHLY;BYDAY=9MO;COUNT=2"),
        field="rrule",
        message=da("The repetition rule is not valid."),
    )


def test_a_rule_asking_for_a_day_no_month_has_is_refused_as_typed(
    client, club, organiser
):
    client.force_login(organiser)
    rule = "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31;COUNT=3"

    response = _refused(
        client,
        _create_url(club),
        _data(rrule=rule),
        field="rrule",
        message=da(
            "The repetition rule asks for day %(days)s of the month, which none "
            "of its months has.",
            "The repetition rule asks for days %(days)s of the month, which none "
            "of its months has.",
            1,
            days="31",
        ),
    )

    assert response.context["form"]["rrule"].value() == rule


def test_a_rule_that_never_ends_is_refused(client, club, organiser):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(rrule="FREQ=WEEKLY;BYDAY=TU"),
        field="rrule",
        message=da("A repetition must end: give a last date or a number of times."),
    )


def test_a_rule_with_byhour_is_refused(client, club, organiser):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(rrule="FREQ=DAILY;BYHOUR=9,17;COUNT=4"),
        field="rrule",
        message=da("The repetition rule cannot use %(part)s.", part="BYHOUR"),
    )


def test_a_series_past_the_limits_is_refused_beside_the_repetition(
    client, club, organiser
):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(repeat="daily", until=(_day(7) + timedelta(days=5 * 365)).isoformat()),
        field="repeat",
        message=da(
            "A series may have at most %(count)s dates within %(years)s years. "
            "End it sooner.",
            count=settings.NABOLAG_AGENDA["MAX_OCCURRENCES"],
            years=settings.NABOLAG_AGENDA["MAX_SERIES_DAYS"] // 365,
        ),
    )


def test_a_repetition_without_its_end_is_refused(client, club, organiser):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(repeat="weekly", ends="until", until=""),
        field="until",
        message=da("Give the last date."),
    )
    _refused(
        client,
        _create_url(club),
        _data(repeat="weekly", ends="until", until=_day(1).isoformat()),
        field="until",
        message=da("The last date comes before the first."),
    )


def test_an_event_that_ends_before_it_starts_is_refused(client, club, organiser):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(start_time="19:00", end_time="17:30"),
        field="end_time",
        message=da("The event ends before it starts."),
    )


def test_an_event_that_starts_in_the_past_is_refused(client, club, organiser):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(date=_day(-3).isoformat()),
        field="date",
        message=da("An event cannot start in the past."),
    )


def test_a_facility_taken_then_is_refused_with_the_free_times_of_that_day(
    client, club, organiser, hall, make_event
):
    taken = make_event(title="Yoga", facility=hall)
    client.force_login(organiser)

    response = _refused(
        client,
        _create_url(club),
        _data(facility=str(hall.pk), start_time="18:00", end_time="20:00"),
        field="facility",
        message=da(
            "%(facility)s is already booked on %(date)s: %(other)s. Choose "
            "another time or facility.",
            facility="Forsamlingshuset",
            date=da_date(taken.starts_at, "DATETIME_FORMAT"),
            other="Yoga",
        ),
    )

    page = response.content.decode()
    assert "Yoga" in " ".join(response.context["form"].errors["facility"])
    assert taken.occurrences.get().get_absolute_url() in page
    free = "Free %(starts)s\u2013%(ends)s"
    assert da(free, starts="08:00", ends="16:30") in page
    assert da(free, starts="19:30", ends="22:00") in page
    assert 'aria-describedby="id_facility_helptext id_facility_error' in page


def test_a_facility_closed_then_is_refused(client, club, organiser, hall):
    client.force_login(organiser)

    _refused(
        client,
        _create_url(club),
        _data(facility=str(hall.pk), start_time="21:00", end_time="23:00"),
        field="date",
        message=da(
            "%(facility)s is not open then (%(when)s).",
            facility="Forsamlingshuset",
            when=slot_text(at(7, 21), at(7, 23)),
        ),
    )


# --- warnings: shown, and saved only when confirmed


def test_the_same_village_and_audience_within_two_hours_needs_confirming(
    client, club, organiser, village, make_event
):
    other = make_event(title="Seniorkaffe", village=village, audience="seniors")
    client.force_login(organiser)
    data = _data(
        village=str(village.pk),
        audience="seniors",
        start_time="20:00",
        end_time="21:00",
    )
    before = _counts()

    first = client.post(_create_url(club), data)

    assert first.status_code == 200
    assert _counts() == before
    page = first.content.decode()
    assert da("Check before saving") in page
    assert _same_audience("Seniorkaffe") in page
    assert other.occurrences.get().get_absolute_url() in page
    assert da("Create anyway") in page
    assert first.context["form"]["title"].value() == data["title"]
    warned = first.context["form"]["warned"].value()

    unticked = client.post(_create_url(club), data | {"warned": warned})
    assert _counts() == before
    assert da("Check before saving") in unticked.content.decode()

    confirmed = client.post(
        _create_url(club), data | {"warned": warned, "confirm": "on"}
    )

    assert confirmed.status_code == 302
    assert Event.objects.filter(title=data["title"]).exists()


def test_a_confirmation_of_other_warnings_does_not_count(
    client, club, organiser, village, make_event
):
    make_event(title="Seniorkaffe", village=village, audience="seniors")
    client.force_login(organiser)
    data = _data(
        village=str(village.pk),
        audience="seniors",
        start_time="20:00",
        end_time="21:00",
    )
    before = _counts()

    response = client.post(
        _create_url(club), data | {"warned": "not-these", "confirm": "on"}
    )

    assert _counts() == before
    changed = "The warnings have changed since you confirmed. Read them again."
    assert da(changed) in response.content.decode()
    assert 'name="confirm"' in response.content.decode()
    assert "checked" not in response.content.decode().split('name="confirm"')[1][:40]


def test_a_warning_about_an_event_the_organiser_may_not_see_names_no_title(
    client, club, organiser, village
):
    from agenda.services.events import event_create
    from tests.agenda.conftest import fields

    closed = CommunityFactory(visibility="members", kind="association")
    event_create(
        actor=organiser_of(closed),
        community=closed,
        fields=fields(title="Hemmeligt møde", village=village, audience="seniors"),
    )
    client.force_login(organiser)

    response = client.post(
        _create_url(club),
        _data(
            village=str(village.pk),
            audience="seniors",
            start_time="20:00",
            end_time="21:00",
        ),
    )

    page = response.content.decode()
    assert _same_audience(da("An event that is not public")) in page
    assert "Hemmeligt" not in page
    assert response.context["warnings"][0].other_url is None


def test_a_facility_the_owner_approves_is_booked_pending_and_the_organiser_told(
    client, club, organiser, hall
):
    hall.policy = "owner"
    hall.owner = CommunityFactory(kind="association")
    hall.save()
    client.force_login(organiser)

    response = client.post(_create_url(club), _data(facility=str(hall.pk)), follow=True)

    assert Booking.objects.get().state == "pending"
    assert da(
        "The booking of %(facility)s awaits approval.", facility="Forsamlingshuset"
    ) in (response.content.decode())


def test_two_large_events_on_one_day_are_warned_about(
    client, club, organiser, make_event
):
    make_event(
        title="Byfest", expected_attendance=400, starts_at=at(7, 10), ends_at=at(7, 16)
    )
    client.force_login(organiser)
    before = _counts()

    response = client.post(
        _create_url(club),
        _data(expected_attendance="250", start_time="19:00", end_time="23:00"),
    )

    assert _counts() == before
    assert da(
        "%(other)s is another large event nearby on the same day.", other="Byfest"
    ) in (response.content.decode())


# --- editing: the form starts from the event


def test_the_edit_form_shows_a_weekly_rule_as_the_simple_choices(
    client, organiser, make_event
):
    first = at(7, 17)
    event = make_event(
        starts_at=first,
        ends_at=at(7, 19),
        rrule=recurrence.Simple(
            "WEEKLY", weekdays=("TU", "TH"), until=first.date() + timedelta(days=60)
        ).to_rule(first),
    )
    client.force_login(organiser)

    response = client.get(reverse("agenda:event_edit", args=[event.pk]))

    form = response.context["form"]
    assert response.status_code == 200
    assert form["repeat"].value() == "weekly"
    assert form["weekdays"].value() == ["TU", "TH"]
    last = event.occurrences.order_by("starts_at").last()
    assert form["until"].value() == recurrence.local(last.starts_at).date()
    assert form["rrule"].value() in (None, "")
    assert "scope" not in form.fields


def test_the_edit_form_shows_a_rule_it_cannot_say_simply_as_the_rule(
    client, organiser, make_event
):
    event = make_event(rrule="FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=6")
    client.force_login(organiser)

    response = client.get(reverse("agenda:event_edit", args=[event.pk]))

    assert response.context["form"]["rrule"].value() == (
        "FREQ=MONTHLY;BYMONTHDAY=1,15;COUNT=6"
    )


def test_a_member_cannot_edit_or_cancel_an_event(client, club, make_event):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = event.occurrences.first()
    client.force_login(member_of(club))
    urls = [
        reverse("agenda:event_edit", args=[event.pk]),
        reverse("agenda:event_cancel", args=[event.pk]),
        reverse("agenda:occurrence_cancel", args=[event.pk, occurrence.pk]),
        reverse("agenda:occurrence_restore", args=[event.pk, occurrence.pk]),
        reverse("agenda:occurrence_exclude", args=[event.pk, occurrence.pk]),
    ]

    answers = [client.post(url, _data()).status_code for url in urls]

    assert answers == [404] * 5
    assert list(event.occurrences.values_list("state", flat=True)) == ["scheduled"] * 3
    assert Event.objects.get().title == "Træning"


def test_places_below_those_signed_up_are_refused(client, club, organiser, make_event):
    event = make_event(capacity=10)
    occurrence = event.occurrences.get()
    for _n in range(3):
        signup_answer(
            user=member_of(club), occurrence=occurrence, response="going", guests=1
        )
    client.force_login(organiser)
    url = reverse("agenda:event_edit", args=[event.pk])
    data = _data(
        title="Træning",
        place="Stadion",
        capacity="5",
        category="other",
        audience="everyone",
    )

    _refused(
        client,
        url,
        data,
        field="capacity",
        message=da(
            "%(signed)s people have already signed up for one date: the places "
            "cannot be fewer.",
            signed=6,
        ),
    )

    assert Event.objects.get().capacity == 10


# --- the dates: cancel, restore, leave out; the whole event


def test_an_organiser_cancels_a_date_with_a_note_and_brings_it_back(
    client, organiser, make_event, mailoutbox
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = event.occurrences.first()
    client.force_login(organiser)
    url = reverse("agenda:occurrence_cancel", args=[event.pk, occurrence.pk])

    asked = client.get(url)
    cancelled = client.post(url, {"note": "Banen er lukket."})

    assert asked.status_code == 200
    assert da("Cancel this date") in asked.content.decode()
    assert cancelled.status_code == 302
    assert cancelled.url == occurrence.get_absolute_url()
    occurrence.refresh_from_db()
    assert (occurrence.state, occurrence.note) == ("cancelled", "Banen er lukket.")

    restored = client.post(
        reverse("agenda:occurrence_restore", args=[event.pk, occurrence.pk])
    )

    occurrence.refresh_from_db()
    assert restored.url == occurrence.get_absolute_url()
    assert occurrence.state == "scheduled"
    assert (
        da("The date is back in the calendar.")
        in client.get(restored.url).content.decode()
    )


def test_restore_answers_only_a_post(client, organiser, make_event):
    event = make_event()
    occurrence = event.occurrences.get()
    client.force_login(organiser)

    response = client.get(
        reverse("agenda:occurrence_restore", args=[event.pk, occurrence.pk])
    )

    assert response.status_code == 405


def test_an_organiser_leaves_a_date_out_of_the_series(client, organiser, make_event):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = event.occurrences.all()[1]
    client.force_login(organiser)
    url = reverse("agenda:occurrence_exclude", args=[event.pk, occurrence.pk])

    asked = client.get(url)
    response = client.post(url)

    assert asked.status_code == 200
    assert response.url == event.get_absolute_url()
    occurrence.refresh_from_db()
    assert occurrence.state == "excluded"


def test_a_date_people_signed_up_for_cannot_be_left_out(
    client, club, organiser, make_event
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3")
    occurrence = event.occurrences.first()
    signup_answer(user=member_of(club), occurrence=occurrence, response="going")
    client.force_login(organiser)

    response = client.post(
        reverse("agenda:occurrence_exclude", args=[event.pk, occurrence.pk]),
        follow=True,
    )

    occurrence.refresh_from_db()
    assert occurrence.state == "scheduled"
    assert (
        da("People have signed up for this date: cancel it instead, so they see it.")
        in response.content.decode()
    )


def test_an_organiser_cancels_the_whole_series(client, organiser, make_event, hall):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=3", facility=hall)
    client.force_login(organiser)
    url = reverse("agenda:event_cancel", args=[event.pk])

    asked = client.get(url)
    response = client.post(url, {"note": ""})

    assert da("Cancel every coming date") in asked.content.decode()
    assert response.url == event.get_absolute_url()
    event.refresh_from_db()
    assert event.is_cancelled
    assert set(event.occurrences.values_list("state", flat=True)) == {"cancelled"}
    assert not Booking.objects.filter(state__in=Booking.LIVE_STATES).exists()


def test_a_date_of_another_event_is_not_found(client, organiser, make_event):
    event = make_event()
    other = make_event(title="Andet")
    client.force_login(organiser)

    response = client.post(
        reverse(
            "agenda:occurrence_cancel",
            args=[event.pk, other.occurrences.get().pk],
        )
    )

    assert response.status_code == 404
    assert other.occurrences.get().state == "scheduled"


# --- query counts


def test_the_create_form_makes_a_fixed_number_of_queries(
    client, club, organiser, hall, django_assert_num_queries
):
    for n in range(5):
        CommunityFactory(kind="village")
        hall.pk, hall.slug = None, f"sal-{n}"
        hall.save()
    client.force_login(organiser)

    # The user and the header's three (unseen alerts, notifications, Wagtail's
    # user bar); the community; can_organise's two permission queries (is the
    # user municipal staff?) and the organiser's membership; the facilities and
    # the villages of the two selects.
    with django_assert_num_queries(10 + session_queries()):
        response = client.get(_create_url(club))

    assert response.status_code == 200


def test_the_edit_form_makes_a_fixed_number_of_queries(
    client, organiser, make_event, hall, django_assert_num_queries
):
    event = make_event(rrule="FREQ=WEEKLY;COUNT=10", facility=hall)
    occurrence = event.occurrences.all()[3]
    client.force_login(organiser)
    url = reverse("agenda:event_edit", args=[event.pk]) + f"?occurrence={occurrence.pk}"

    # As the new event's form, with the event (its organiser, facility and
    # village joined) for the community, and the date.
    with django_assert_num_queries(11 + session_queries()):
        response = client.get(url)

    assert response.status_code == 200
    assert response.context["form"]["scope"].value() == "this"


@pytest.mark.parametrize(
    ("rule", "simple"),
    [
        ("FREQ=WEEKLY;BYDAY=TU,TH;COUNT=8", True),
        ("FREQ=WEEKLY;INTERVAL=2;COUNT=5", True),
        ("FREQ=DAILY;UNTIL=20991231T225959Z", True),
        ("FREQ=MONTHLY;COUNT=4", True),
        ("FREQ=MONTHLY;BYDAY=-1{day};COUNT=4", True),
        ("FREQ=MONTHLY;BYDAY=-2{day};COUNT=4", False),
        ("FREQ=MONTHLY;BYDAY=1MO,3MO;COUNT=4", False),
        ("FREQ=YEARLY;COUNT=2", False),
        ("FREQ=WEEKLY;BYDAY=TU;BYMONTH=1,2;COUNT=4", False),
    ],
)
def test_a_stored_rule_becomes_the_simple_choices_only_when_they_say_the_same(
    rule, simple
):
    starts = at(7, 17)
    day = recurrence.WEEKDAYS[starts.weekday()]
    rule = rule.format(day=day).replace("20991231", f"{starts.year + 1}0131")

    found = recurrence.Simple.from_rule(rule, starts)

    assert (found is not None) == simple
    if found is not None:
        assert recurrence.expand(starts, found.to_rule(starts)) == (
            recurrence.expand(starts, rule)
        )
