"""Editing an event from its form (agenda:event_edit): one date, this and the
following dates, or all of a series; what people did with the dates (their
sign-ups, a moved date) stays wherever the date is still in the series."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agenda import recurrence
from agenda.models import Booking, Event, Occurrence, Signup
from agenda.services.events import event_cancel
from agenda.services.signups import signup_answer
from tests.agenda.conftest import da
from tests.factories import member_of

pytestmark = pytest.mark.django_db


def _next_tuesday(after_days: int = 7) -> date:
    day = timezone.localdate() + timedelta(days=after_days)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return day


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=recurrence.zone())


@pytest.fixture
def series(make_event):
    """Training every Tuesday 17-19, six times, from a Tuesday next week on."""
    first = _next_tuesday()
    return make_event(
        starts_at=_local(first, 17),
        ends_at=_local(first, 19),
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
    )


def _dates(event: Event, **only) -> list[date]:
    return [
        recurrence.local(o.original_start).date()
        for o in event.occurrences.filter(**only).order_by("original_start")
    ]


def _edit_url(event: Event, occurrence: Occurrence | None = None) -> str:
    url = reverse("agenda:event_edit", args=[event.pk])
    return f"{url}?occurrence={occurrence.pk}" if occurrence else url


def _as_posted(client, url: str, **changes) -> dict:
    """The edit form as the browser would send it back, with ``changes``."""
    form = client.get(url).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, date | time):
            data[name] = (
                value.strftime("%H:%M")
                if isinstance(value, time)
                else (value.isoformat())
            )
        elif isinstance(value, list):
            data[name] = value
        elif value is not None:
            data[name] = str(value)
    data.pop("confirm", None)
    data.update(changes)
    return data


def _going(occurrence: Occurrence, club) -> Signup:
    return signup_answer(user=member_of(club), occurrence=occurrence, response="going")


# --- only this date


def test_moving_only_one_date_keeps_its_sign_ups_and_shows_it_moved(
    client, organiser, club, series
):
    third = series.occurrences.all()[2]
    signup = _going(third, club)
    client.force_login(organiser)
    url = _edit_url(series, third)
    day = recurrence.local(third.starts_at).date()

    response = client.post(
        url,
        _as_posted(client, url, scope="this", start_time="18:00", end_time="20:00"),
    )

    assert response.status_code == 302
    assert response.url == third.get_absolute_url()
    third.refresh_from_db()
    assert third.moved
    assert recurrence.local(third.starts_at) == _local(day, 18)
    assert recurrence.local(third.original_start) == _local(day, 17)
    assert Signup.objects.filter(pk=signup.pk, occurrence=third).exists()
    others = series.occurrences.exclude(pk=third.pk)
    assert {recurrence.local(o.starts_at).time() for o in others} == {time(17)}
    page = client.get(response.url).content.decode()
    assert da("This date has moved.") in page


def test_only_this_date_cannot_change_the_title(client, organiser, series):
    third = series.occurrences.all()[2]
    client.force_login(organiser)
    url = _edit_url(series, third)
    data = _as_posted(client, url, scope="this", title="Kamp")

    response = client.post(url, data)

    assert response.status_code == 400
    assert da(
        "Only the date and times of one date can be changed. To change anything "
        "else, choose this and following dates, or all dates."
    ) in " ".join(response.context["form"].errors["scope"])
    assert response.context["form"]["title"].value() == "Kamp"
    assert Event.objects.get().title == "Træning"
    assert not Occurrence.objects.filter(moved=True).exists()


def test_a_date_of_a_series_needs_the_choice_of_which_dates(client, organiser, series):
    third = series.occurrences.all()[2]
    client.force_login(organiser)
    url = _edit_url(series, third)
    data = _as_posted(client, url, start_time="18:00", end_time="20:00")
    del data["scope"]

    response = client.post(url, data)

    assert response.status_code == 400
    assert da("Choose which dates to change.") in response.content.decode()
    assert not Occurrence.objects.filter(moved=True).exists()


def test_moving_one_date_onto_a_booked_facility_is_refused(
    client, organiser, club, series, hall, make_event
):
    third = series.occurrences.all()[2]
    day = recurrence.local(third.starts_at).date()
    make_event(
        title="Bingo", facility=hall, starts_at=_local(day, 12), ends_at=_local(day, 14)
    )
    Event.objects.filter(pk=series.pk).update(facility=hall)
    client.force_login(organiser)
    url = _edit_url(series, third)
    before = (
        Booking.objects.count(),
        list(Occurrence.objects.values_list("starts_at", flat=True)),
    )

    response = client.post(
        url,
        _as_posted(client, url, scope="this", start_time="13:00", end_time="15:00"),
    )

    assert response.status_code == 400
    assert "Bingo" in " ".join(response.context["form"].errors["facility"])
    assert response.context["form"].free_slots
    assert (
        Booking.objects.count(),
        list(Occurrence.objects.values_list("starts_at", flat=True)),
    ) == before


# --- this and the following dates


@pytest.mark.parametrize(
    "rule",
    ["FREQ=WEEKLY;BYDAY=TU;COUNT=6", "until"],
)
def test_this_and_following_splits_the_series_into_two_with_the_same_dates(
    client, organiser, club, make_event, rule
):
    first = _next_tuesday()
    if rule == "until":
        rule = recurrence.Simple(
            "WEEKLY", weekdays=("TU",), until=first + timedelta(weeks=5)
        ).to_rule(_local(first, 17))
    series = make_event(
        starts_at=_local(first, 17), ends_at=_local(first, 19), rrule=rule
    )
    before = _dates(series)
    fourth = series.occurrences.all()[3]
    fifth = series.occurrences.all()[4]
    signup = _going(fifth, club)
    client.force_login(organiser)
    url = _edit_url(series, fourth)

    response = client.post(
        url,
        _as_posted(
            client,
            url,
            scope="following",
            start_time="18:00",
            end_time="20:00",
            title="Træning (vinter)",
        ),
    )

    assert response.status_code == 302
    old, new = Event.objects.order_by("pk")
    assert response.url == new.get_absolute_url()
    assert _dates(old) == before[:3]
    assert _dates(new) == before[3:]
    assert sorted(_dates(old) + _dates(new)) == before
    assert new.title == "Træning (vinter)"
    assert old.title == "Træning"
    assert {recurrence.local(o.starts_at).time() for o in new.occurrences.all()} == {
        time(18)
    }
    signup.refresh_from_db()
    assert signup.occurrence.event == new
    assert recurrence.local(signup.occurrence.starts_at) == _local(before[4], 18)


def test_the_first_series_of_a_split_shows_its_last_date_and_keeps_its_dates(
    client, organiser, series
):
    fourth = series.occurrences.all()[3]
    client.force_login(organiser)
    url = _edit_url(series, fourth)
    client.post(url, _as_posted(client, url, scope="following", place="Hallen"))
    old = Event.objects.order_by("pk").first()
    before = _dates(old)

    form = client.get(_edit_url(old)).context["form"]
    saved = client.post(_edit_url(old), _as_posted(client, _edit_url(old)))

    assert form["repeat"].value() == "weekly"
    assert form["until"].value() == before[-1]
    assert saved.status_code == 302
    assert _dates(Event.objects.get(pk=old.pk)) == before


# --- all dates


def test_changing_the_time_of_all_dates_keeps_every_sign_up(
    client, organiser, club, series
):
    signups = [_going(o, club) for o in series.occurrences.all()]
    client.force_login(organiser)
    url = _edit_url(series)

    response = client.post(
        url, _as_posted(client, url, start_time="18:30", end_time="20:00")
    )

    assert response.status_code == 302
    assert Signup.objects.count() == len(signups)
    times = {recurrence.local(o.starts_at).time() for o in series.occurrences.all()}
    assert times == {time(18, 30)}
    assert all(
        Signup.objects.filter(pk=s.pk, occurrence_id=s.occurrence_id).exists()
        for s in signups
    )


def test_all_dates_keeps_the_sign_ups_of_dates_still_in_the_rule(
    client, organiser, club, series
):
    tuesdays = list(series.occurrences.all())
    kept = _going(tuesdays[1], club)
    dropped = _going(tuesdays[5], club)
    client.force_login(organiser)
    url = _edit_url(series)

    response = client.post(
        url,
        _as_posted(client, url, weekdays=["TU", "TH"], ends="count", count="10"),
    )

    assert response.status_code == 302
    days = _dates(series, state="scheduled")
    assert len(days) == 10
    assert [d.weekday() for d in days[:4]] == [1, 3, 1, 3]
    kept.refresh_from_db()
    assert recurrence.local(kept.occurrence.starts_at).date() == (
        recurrence.local(tuesdays[1].starts_at).date()
    )
    dropped.refresh_from_db()
    assert dropped.occurrence.state == Occurrence.State.CANCELLED


def test_all_dates_cancels_the_dates_gone_that_people_answered_and_tells_them(
    client, organiser, club, series, mailoutbox, django_capture_on_commit_callbacks
):
    tuesdays = list(series.occurrences.order_by("original_start"))
    going = _going(tuesdays[5], club)
    maybe = signup_answer(
        user=member_of(club), occurrence=tuesdays[4], response="maybe"
    )
    signup_answer(user=member_of(club), occurrence=tuesdays[3], response="not_going")
    client.force_login(organiser)
    url = _edit_url(series)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _as_posted(client, url, ends="count", count="3"))

    assert response.status_code == 302
    states = dict(series.occurrences.values_list("pk", "state"))
    assert states == {
        **{o.pk: Occurrence.State.SCHEDULED for o in tuesdays[:3]},
        tuesdays[4].pk: Occurrence.State.CANCELLED,
        tuesdays[5].pk: Occurrence.State.CANCELLED,
    }
    assert Signup.objects.filter(pk__in=[going.pk, maybe.pk]).count() == 2
    assert sorted(mail.to for mail in mailoutbox) == sorted(
        [[going.user.email], [maybe.user.email]]
    )
    assert {mail.subject for mail in mailoutbox} == {
        da("Cancelled: %(title)s", title="Træning")
    }
    page = client.get(tuesdays[5].get_absolute_url()).content.decode()
    assert da("This date is cancelled.") in page


def test_all_dates_deletes_the_dates_gone_that_nobody_answered(
    client, organiser, club, series, mailoutbox, django_capture_on_commit_callbacks
):
    tuesdays = list(series.occurrences.order_by("original_start"))
    signup_answer(user=member_of(club), occurrence=tuesdays[5], response="not_going")
    client.force_login(organiser)
    url = _edit_url(series)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _as_posted(client, url, ends="count", count="3"))

    assert list(series.occurrences.order_by("original_start")) == tuesdays[:3]
    assert not Signup.objects.exists()
    assert mailoutbox == []


def test_all_dates_edited_at_a_moved_date_keeps_the_series_weekday(
    client, organiser, make_event
):
    day = (timezone.localdate() + timedelta(days=40)).replace(day=1)
    while day.weekday() != 0:
        day += timedelta(days=1)
    series = make_event(
        starts_at=_local(day, 17),
        ends_at=_local(day, 19),
        rrule="FREQ=MONTHLY;BYDAY=1MO;COUNT=4",
    )
    second = series.occurrences.order_by("original_start")[1]
    client.force_login(organiser)
    url = _edit_url(series, second)
    tuesday = recurrence.local(second.starts_at).date() + timedelta(days=1)
    client.post(url, _as_posted(client, url, scope="this", date=tuesday.isoformat()))

    form = client.get(url).context["form"]
    response = client.post(
        url, _as_posted(client, url, scope="all", ends="count", count="5")
    )

    assert (form["repeat"].value(), form["position"].value()) == (
        "monthly_weekday",
        "1",
    )
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.rrule == "FREQ=MONTHLY;BYDAY=1MO;COUNT=5"
    assert recurrence.local(series.starts_at) == _local(day, 17)
    days = _dates(series)
    assert len(days) == 5
    assert {d.weekday() for d in days} == {0}
    assert all(d.day <= 7 for d in days)
    second.refresh_from_db()
    assert second.moved
    assert recurrence.local(second.starts_at) == _local(tuesday, 17)


def test_all_dates_edited_at_a_later_date_keeps_the_series_first_date(
    client, organiser, series
):
    fourth = series.occurrences.all()[3]
    client.force_login(organiser)
    url = _edit_url(series, fourth)
    first = _dates(series)

    client.post(
        url,
        _as_posted(client, url, scope="all", start_time="16:00", end_time="18:00"),
    )

    assert _dates(series) == first
    series.refresh_from_db()
    assert recurrence.local(series.starts_at) == _local(first[0], 16)


def test_all_dates_moved_an_hour_across_the_end_of_summer_time_stay_local(
    client, organiser, make_event
):
    today = timezone.localdate()
    year = today.year if today < date(today.year, 10, 1) else today.year + 1
    last_sunday = max(
        date(year, 10, d) for d in range(25, 32) if date(year, 10, d).weekday() == 6
    )
    first = last_sunday - timedelta(days=12)  # a Tuesday two weeks before
    series = make_event(
        starts_at=_local(first, 17),
        ends_at=_local(first, 19),
        rrule="FREQ=WEEKLY;COUNT=4",
    )
    after = series.occurrences.all()[3]  # in winter time
    client.force_login(organiser)
    url = _edit_url(series, after)

    client.post(
        url,
        _as_posted(client, url, scope="all", start_time="18:00", end_time="20:00"),
    )

    starts = [o.starts_at for o in series.occurrences.order_by("starts_at")]
    assert [recurrence.local(s).time() for s in starts] == [time(18)] * 4
    assert [s.astimezone(UTC).hour for s in starts] == [16, 16, 17, 17]


def test_editing_a_series_does_not_warn_about_itself(
    client, organiser, village, make_event
):
    first = _next_tuesday()
    series = make_event(
        starts_at=_local(first, 17),
        ends_at=_local(first, 19),
        rrule="FREQ=WEEKLY;COUNT=4",
        village=village,
        audience="seniors",
    )
    client.force_login(organiser)
    url = _edit_url(series)

    response = client.post(url, _as_posted(client, url, start_time="17:30"))

    assert response.status_code == 302
    assert series.occurrences.filter(moved=False).count() == 4


def test_moving_an_event_that_happens_once_keeps_its_sign_ups(
    client, organiser, club, make_event
):
    event = make_event(capacity=20)
    occurrence = event.occurrences.get()
    signup = _going(occurrence, club)
    client.force_login(organiser)
    url = _edit_url(event, occurrence)
    day = recurrence.local(occurrence.starts_at).date() + timedelta(days=2)

    response = client.post(url, _as_posted(client, url, date=day.isoformat()))

    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert recurrence.local(occurrence.starts_at) == _local(day, 17)
    assert Signup.objects.filter(pk=signup.pk, occurrence=occurrence).exists()


def test_bringing_back_a_date_of_a_cancelled_event_brings_back_the_event(
    client, organiser, series
):
    event_cancel(actor=organiser, event=series)
    occurrence = series.occurrences.first()
    client.force_login(organiser)

    client.post(reverse("agenda:occurrence_restore", args=[series.pk, occurrence.pk]))

    series.refresh_from_db()
    occurrence.refresh_from_db()
    assert not series.is_cancelled
    assert not occurrence.is_cancelled
