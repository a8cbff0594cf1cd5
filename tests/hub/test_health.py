import pytest
from asgiref.sync import sync_to_async
from django.db import OperationalError, connection
from django.db.backends.utils import CursorWrapper
from django.test import override_settings

from tests.factories import UserFactory


@pytest.mark.django_db
def test_health_reports_database_cache_and_channel_layer_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "channel_layer": "ok",
    }


@pytest.mark.django_db
def test_health_names_the_channel_layer_when_it_is_down(client):
    dead_layer = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    with override_settings(CHANNEL_LAYERS=dead_layer):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        response = client.get("/healthz")
    channel_layers.backends.clear()

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["channel_layer"].startswith("error: redis unreachable")


def _take_the_database_down(monkeypatch) -> None:
    """Every query fails from now on, as it would with the database server gone."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    monkeypatch.setattr(CursorWrapper, "executemany", refuse)


def _database_down_answer() -> dict[str, str]:
    server = "sqlite" if connection.vendor == "sqlite" else "postgres"
    return {
        "status": "error",
        "database": f"error: {server} unreachable (OperationalError)",
        "cache": "ok",
        "channel_layer": "ok",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_health_answers_503_naming_the_database_while_it_is_down(
    client, monkeypatch, logged_in
):
    if logged_in:
        client.force_login(UserFactory())
    client.raise_request_exception = False
    _take_the_database_down(monkeypatch)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == _database_down_answer()


@pytest.mark.django_db(transaction=True)
async def test_health_answers_503_over_asgi_to_a_logged_in_browser_too(
    async_client, monkeypatch
):
    await async_client.aforce_login(await sync_to_async(UserFactory)())
    async_client.raise_request_exception = False
    _take_the_database_down(monkeypatch)

    response = await async_client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == _database_down_answer()
