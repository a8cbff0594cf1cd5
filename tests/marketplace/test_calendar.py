"""The lending availability calendar: month grids of free and booked days."""

from datetime import date, timedelta

from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from marketplace import services
from marketplace.templatetags.marketplace_tags import availability_months


def _days(months, state):
    return [c.day for m in months for w in m["weeks"] for c in w if c.state == state]


def test_the_calendar_marks_each_shown_day_free_or_booked():
    start = date(2026, 11, 25)
    free = [
        (date(2026, 11, 25), date(2026, 11, 30)),
        (date(2026, 12, 3), date(2027, 1, 23)),
    ]

    months = availability_months(free, start, 60)

    assert months[0]["label"].endswith("2026")
    assert len(months) == 3  # November, December, January
    assert _days(months, "booked") == [date(2026, 12, 1), date(2026, 12, 2)]
    assert len(_days(months, "free")) == 58
    assert all(len(week) == 7 for m in months for week in m["weeks"])
    first_week = months[0]["weeks"][0]
    assert first_week[0].day is None or first_week[0].day.weekday() == 0  # Monday


def test_the_lending_page_shows_booked_days_in_words_not_only_colour(
    client, trailer, neighbour
):
    in_two_days = timezone.localdate() + timedelta(days=2)
    services.booking_request(
        borrower=neighbour, listing=trailer, starts_on=in_two_days, ends_on=in_two_days
    )
    client.force_login(neighbour)

    page = client.get(reverse("marketplace:detail", args=[trailer.pk]))

    soup = BeautifulSoup(page.content, "html.parser")
    booked = soup.select("table.calendar td.cal-booked")
    assert [cell.get_text(" ", strip=True) for cell in booked] == [
        f"{in_two_days.day} booked"
    ]
    assert soup.select("table.calendar caption")
    assert len(soup.select("table.calendar thead th[scope=col]")) % 7 == 0


def test_the_lender_marks_days_as_not_available_from_the_page(client, trailer, author):
    start = timezone.localdate() + timedelta(days=4)
    client.force_login(author)

    response = client.post(
        reverse("marketplace:book", args=[trailer.pk]),
        {"starts_on": start.isoformat(), "ends_on": start.isoformat()},
    )
    page = client.get(reverse("marketplace:detail", args=[trailer.pk]))

    assert response.status_code == 302
    soup = BeautifulSoup(page.content, "html.parser")
    booked = soup.select("table.calendar td.cal-booked")
    assert [c.get_text(" ", strip=True) for c in booked] == [f"{start.day} booked"]
    assert "You keep it" in page.content.decode()


def test_the_lender_reads_the_borrowers_message_beside_the_request(
    client, trailer, author, neighbour
):
    soon = timezone.localdate() + timedelta(days=2)
    services.booking_request(
        borrower=neighbour,
        listing=trailer,
        starts_on=soon,
        ends_on=soon,
        message="Til flytning <script>alert(1)</script> på lørdag",
    )
    client.force_login(author)

    page = client.get(reverse("marketplace:detail", args=[trailer.pk]))

    soup = BeautifulSoup(page.content, "html.parser")
    [row] = [tr for tr in soup.select(".lending tbody tr") if "Lars" in tr.get_text()]
    assert "Til flytning <script>alert(1)</script> på lørdag" in row.get_text()
    assert row.select_one("form[action$='/confirm/']")
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_a_booking_with_a_date_no_picker_sends_is_refused_and_the_page_stays_valid(
    client, trailer, neighbour
):
    client.force_login(neighbour)

    response = client.post(
        reverse("marketplace:book", args=[trailer.pk]),
        {"starts_on": "x", "ends_on": "2026-13-40", "message": "Til flytning"},
    )

    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("#booking_starts_on").get("value") is None
    assert soup.select_one("#booking_ends_on").get("value") is None
    assert "Til flytning" in response.content.decode()
    assert not trailer.bookings.exists()
