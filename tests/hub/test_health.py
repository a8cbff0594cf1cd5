import pytest
from django.test import override_settings


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
