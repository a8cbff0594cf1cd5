"""A message's time: one format per language, rendered by the server, the same
on the page and in a live event."""

import re
from datetime import UTC, datetime

import pytest

from messaging.models import Message
from tests.helpers import send

# 14:05:07 in Copenhagen, with microseconds a <time datetime> must not show.
SENT = datetime(2025, 1, 3, 13, 5, 7, 123456, tzinfo=UTC)
SHOWN = {
    "da": "03.01.2025 14:05",
    "nb": "03.01.2025 14:05",
    "nl": "3-1-2025 14:05",
    "en": "03/01/2025 14:05",
}


# The page shows the clock time on the message and the date once, above the
# day's first message (templatetags/chat.py).
DAY_SHOWN = {
    "da": "fredag 3. januar 2025",
    "nb": "fredag 3. januar 2025",
    "nl": "vrijdag 3 januari 2025",
    "en": "Friday 3 January 2025",
}


@pytest.fixture
def sent_message(lars, general):
    message = send(lars, general, "Hvem kommer til fællesspisning?")
    Message.objects.filter(pk=message.pk).update(created_at=SENT)
    return message


@pytest.mark.parametrize("language", SHOWN.keys())
def test_each_language_shows_message_times_day_first_on_the_24_hour_clock(
    client, karen, general, sent_message, language
):
    karen.preferred_language = language
    karen.save(update_fields=["preferred_language"])
    client.force_login(karen)

    response = client.get(general.get_absolute_url())

    assert re.search(r'<time class="message-time"[^>]*>14:05</time>', response.text)
    assert f'<time datetime="2025-01-03">{DAY_SHOWN[language]}</time>' in response.text


def test_the_time_attribute_is_to_the_second(client, karen, general, sent_message):
    client.force_login(karen)

    response = client.get(general.get_absolute_url())

    assert 'datetime="2025-01-03T14:05:07+01:00"' in response.text
    assert ".123456" not in response.text


def test_a_live_message_carries_its_time_as_each_language_shows_it(
    lars, general, layer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: SENT)

    with django_capture_on_commit_callbacks(execute=True):
        send(lars, general, "Hej")

    [event] = [e for e in layer.events() if e["type"] == "message.new"]
    assert event["message"]["created_at"] == "2025-01-03T14:05:07+01:00"
    assert event["message"]["created_at_display"] == SHOWN


def test_the_catch_up_carries_the_same_times(client, karen, general, sent_message):
    client.force_login(karen)

    response = client.get(f"/api/messaging/conversations/{general.pk}/messages")

    [message] = response.json()["messages"]
    assert message["created_at"] == "2025-01-03T14:05:07+01:00"
    assert message["created_at_display"] == SHOWN
