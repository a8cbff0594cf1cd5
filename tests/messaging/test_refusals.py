"""A refusal answers the same way from every endpoint (hub.api), and on pages."""

import pytest

from hub.errors import RateLimited
from hub.limits import LIMITS, Limit
from messaging.models import Message
from tests.helpers import da, send

API = "/api/messaging"


@pytest.fixture
def api(client, karen):
    client.force_login(karen)
    return client


def test_a_rate_limited_api_post_answers_429_with_its_message_and_retry_after(
    api, general, monkeypatch
):
    monkeypatch.setitem(LIMITS, "message-send", Limit(0, 60))

    response = api.post(
        f"{API}/conversations/{general.pk}/messages",
        {"body": "Hej", "client_id": "c-1"},
        content_type="application/json",
    )

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json() == {"detail": da(RateLimited.default_message)}
    assert not Message.objects.exists()


def test_a_refused_api_edit_answers_403_with_the_services_message(api, lars, general):
    message = send(lars, general, "Min besked")

    response = api.patch(
        f"{API}/messages/{message.pk}",
        {"body": "Ændret"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert response.json() == {"detail": da("You cannot edit this message.")}
    message.refresh_from_db()
    assert message.body == "Min besked"


def test_a_rate_limited_page_post_keeps_the_form_and_says_why(
    client, karen, general, monkeypatch
):
    monkeypatch.setitem(LIMITS, "message-send", Limit(0, 60))
    client.force_login(karen)

    response = client.post(
        general.get_absolute_url(), {"body": "Hej alle", "client_id": "form-1"}
    )

    assert response.status_code == 400
    assert da(RateLimited.default_message) in response.content.decode()
    assert not Message.objects.exists()
