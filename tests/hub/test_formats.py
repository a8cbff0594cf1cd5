"""The English interface writes dates as Europe does (hub/formats)."""

from datetime import date, datetime

import pytest
from django.utils import formats, translation

pytestmark = pytest.mark.parametrize("language", ["da", "nb", "nl", "en"])

DAY = date(2025, 1, 3)
AFTERNOON = datetime(2025, 1, 3, 14, 5)  # noqa: DTZ001 (a wall-clock time)


def test_dates_put_the_day_before_the_month(language):
    with translation.override(language):
        short = formats.date_format(DAY, "SHORT_DATE_FORMAT")

    assert short in {"03.01.2025", "3-1-2025", "03/01/2025"}


def test_times_use_the_24_hour_clock(language):
    with translation.override(language):
        shown = formats.date_format(AFTERNOON, "DATETIME_FORMAT")

    assert "14:05" in shown
    assert "p.m." not in shown


def test_weeks_start_on_monday(language):
    with translation.override(language):
        first = formats.get_format("FIRST_DAY_OF_WEEK")

    assert first == 1
