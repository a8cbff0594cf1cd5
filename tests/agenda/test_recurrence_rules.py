"""Repetition rules no calendar has a date for are refused with a reason before
dateutil searches for one (it would search until the year 9999); rules that
have dates, however unusual, expand exactly as dateutil expands them."""

from datetime import date, datetime, time, timedelta

import pytest
from dateutil import rrule as du
from django.conf import settings

from agenda import recurrence
from agenda.errors import AgendaError
from tests.agenda.conftest import da


def _local(day: date, hour: int = 17) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=recurrence.zone())


def _refusal(call, *args) -> AgendaError:
    with pytest.raises(AgendaError) as refused:
        call(*args)
    return refused.value


def _no_month_has(*days: int) -> str:
    return da(
        "The repetition rule asks for day %(days)s of the month, which none of "
        "its months has.",
        "The repetition rule asks for days %(days)s of the month, which none of "
        "its months has.",
        len(days),
        days=", ".join(map(str, days)),
    )


@pytest.mark.parametrize(
    ("rule", "days"),
    [
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", (30,)),
        ("FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=31;COUNT=3", (31,)),
        ("FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31;COUNT=3", (31,)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-30,-31;COUNT=3", (-30, -31)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=1,30;COUNT=3", (30,)),
    ],
)
def test_a_day_none_of_the_rule_s_months_has_is_refused(rule, days):
    refused = _refusal(recurrence.normalise, rule)

    assert refused.message == _no_month_has(*days)
    assert refused.errors == {"rrule": [refused.message]}


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=2,3;BYMONTHDAY=30;COUNT=2",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=1",
        "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=2",
    ],
)
def test_a_day_one_of_the_rule_s_months_has_is_kept(rule):
    starts = recurrence.expand(_local(date(2027, 1, 4)), rule)

    assert starts
    assert all(s.day in (29, 30, 31) and s.date() >= date(2027, 1, 4) for s in starts)


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        # Every seventh day from a Monday is a Monday, never a Tuesday.
        ("FREQ=DAILY;INTERVAL=7;BYDAY=TU;COUNT=3", date(2027, 1, 4)),
        # No month has a sixth Monday.
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;COUNT=3", date(2027, 1, 4)),
        # Week 20 is in May.
        ("FREQ=YEARLY;BYWEEKNO=20;BYMONTH=1;COUNT=3", date(2027, 1, 4)),
        # Every twelfth month from January is a January.
        ("FREQ=MONTHLY;INTERVAL=12;BYMONTH=5;COUNT=3", date(2027, 1, 4)),
        # The 31st of every April, read from the first date.
        ("FREQ=YEARLY;BYMONTH=4;COUNT=2", date(2027, 3, 31)),
        # The 60th day of the year in January.
        ("FREQ=YEARLY;BYYEARDAY=60;BYMONTH=1;COUNT=2", date(2027, 1, 4)),
        # Leap years only, every fourth year from one that is not.
        ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29;COUNT=2", date(2027, 1, 4)),
    ],
)
def test_a_rule_that_gives_no_date_is_refused_with_the_reason(rule, first):
    refused = _refusal(recurrence.expand, _local(first), rule)

    assert refused.message == da(
        "The repetition rule gives no date within %(years)s years.",
        years=settings.NABOLAG_AGENDA["MAX_SERIES_DAYS"] // 365,
    )
    assert refused.errors == {"rrule": [refused.message]}


def test_weekdays_with_and_without_a_position_are_refused():
    # dateutil would give only the days that are both: none.
    refused = _refusal(recurrence.normalise, "FREQ=MONTHLY;BYDAY=MO,1TU;COUNT=3")

    assert refused.message == da(
        "The repetition rule cannot mix weekdays with a position (such as 1MO) "
        "and without one (such as TU)."
    )


@pytest.mark.parametrize("freq", ["DAILY", "WEEKLY", "MONTHLY"])
def test_weeks_are_numbered_only_in_a_yearly_rule(freq):
    refused = _refusal(recurrence.normalise, f"FREQ={freq};BYWEEKNO=-53;COUNT=3")

    assert refused.message == da(
        "The repetition rule can use BYWEEKNO only with FREQ=YEARLY."
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=YEARLY;BYMONTH=13;COUNT=2",
        "FREQ=YEARLY;BYMONTH=-1;COUNT=2",
        "FREQ=MONTHLY;BYMONTHDAY=0;COUNT=2",
        "FREQ=MONTHLY;BYMONTHDAY=32;COUNT=2",
        "FREQ=MONTHLY;BYMONTHDAY=1,,2;COUNT=2",
        "FREQ=YEARLY;BYYEARDAY=367;COUNT=2",
        "FREQ=YEARLY;BYWEEKNO=54;COUNT=2",
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0;COUNT=2",
        "FREQ=MONTHLY;BYDAY=6MO;COUNT=2",
        "FREQ=YEARLY;BYDAY=54MO;COUNT=2",
        "FREQ=MONTHLY;BYDAY=0MO;COUNT=2",
        "FREQ=WEEKLY;BYDAY=MO,XX;COUNT=2",
        "FREQ=WEEKLY;WKST=XX;COUNT=2",
    ],
)
def test_a_value_out_of_its_range_is_refused(rule):
    refused = _refusal(recurrence.normalise, rule)

    assert refused.message == da("The repetition rule is not valid.")


@pytest.mark.parametrize(
    ("rule", "first"),
    [
        ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=6", date(2027, 1, 20)),
        ("FREQ=MONTHLY;BYDAY=5FR;COUNT=4", date(2027, 1, 4)),
        ("FREQ=MONTHLY;BYDAY=-1SU;COUNT=4", date(2027, 1, 4)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=1", date(2027, 3, 1)),
        ("FREQ=YEARLY;BYMONTH=2;BYDAY=5TU;COUNT=1", date(2027, 1, 4)),
        ("FREQ=YEARLY;BYWEEKNO=53;BYDAY=TH;COUNT=1", date(2026, 6, 1)),
        ("FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO;COUNT=3", date(2027, 1, 5)),
        ("FREQ=YEARLY;BYWEEKNO=-1;BYDAY=SU;WKST=SU;COUNT=3", date(2027, 1, 4)),
        ("FREQ=YEARLY;BYYEARDAY=-1,60;COUNT=4", date(2027, 1, 4)),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;WKST=SU;COUNT=6", date(2027, 1, 5)),
        ("FREQ=WEEKLY;BYDAY=MO,FR;BYSETPOS=2;COUNT=3", date(2027, 1, 6)),
        ("FREQ=DAILY;INTERVAL=3;BYMONTHDAY=1,2,3;COUNT=4", date(2027, 1, 4)),
        ("FREQ=MONTHLY;INTERVAL=5;BYMONTH=6;COUNT=1", date(2027, 1, 15)),
        ("FREQ=MONTHLY;COUNT=4", date(2027, 1, 31)),
        ("FREQ=YEARLY;BYDAY=20MO;COUNT=2", date(2027, 1, 4)),
    ],
)
def test_an_unusual_rule_gives_the_dates_dateutil_gives(rule, first):
    start = _local(first)

    starts = recurrence.expand(start, rule)

    assert starts == list(du.rrulestr(rule, dtstart=start))
    assert starts


def test_a_first_date_further_than_the_limit_is_refused():
    # A 29 February that is a Monday: 2044 is the next after 2027.
    start = _local(date(2027, 1, 4))
    later = start + timedelta(days=settings.NABOLAG_AGENDA["MAX_SERIES_DAYS"])

    refused = _refusal(
        recurrence.expand, start, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO;COUNT=1"
    )

    assert later.year < 2044
    assert refused.message == da(
        "The repetition rule gives no date within %(years)s years.",
        years=settings.NABOLAG_AGENDA["MAX_SERIES_DAYS"] // 365,
    )
