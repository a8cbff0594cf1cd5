"""A side effect that fails after commit never fails the request that wrote."""

from messaging.models import Message


def test_a_message_is_saved_and_the_sender_redirected_when_the_live_event_fails(
    client, karen, general, broken_layer, django_capture_on_commit_callbacks, caplog
):
    client.force_login(karen)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            general.get_absolute_url(), {"body": "Stadig gemt", "client_id": "f-1"}
        )

    assert response.status_code == 302
    assert callbacks  # the live event was attempted, and failed
    assert Message.objects.get().body == "Stadig gemt"
    assert "live event to" in caplog.text


def test_an_api_message_is_saved_and_answered_when_the_live_event_fails(
    client, karen, general, broken_layer, django_capture_on_commit_callbacks
):
    client.force_login(karen)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/messaging/conversations/{general.pk}/messages",
            {"body": "Stadig gemt", "client_id": "api-1"},
            content_type="application/json",
        )

    assert response.status_code == 201
    assert Message.objects.get().body == "Stadig gemt"
