"""A Redis outage, in one process: the cache and the sessions point at a port where
nothing listens (no Redis server needed, so this runs in both suite runs)."""

import pytest
from django.test import override_settings

from messaging import services
from messaging.models import Message
from tests.factories import CommunityFactory, MembershipFactory
from tests.helpers import requires_redis

DEAD_REDIS = "redis://127.0.0.1:1/0"
DEAD_CACHE = {
    "default": {
        "BACKEND": "hub.cache.ResilientRedisCache",
        "LOCATION": DEAD_REDIS,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def general(db):
    village = CommunityFactory(name="Skovby", slug="skovby-outage")
    return services.channel_ensure_general(community=village)


@pytest.fixture
def karen(general):
    return MembershipFactory(
        community=general.community, user__display_name="Karen"
    ).user


@pytest.fixture
def redis_down():
    with override_settings(
        CACHES=DEAD_CACHE,
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ):
        yield


@pytest.fixture
def karen_client(client, karen, redis_down):
    client.force_login(karen)
    return client


def test_a_message_posted_through_the_page_while_redis_is_down_is_saved_once(
    karen_client, general
):
    data = {"body": "Under nedbruddet", "client_id": "outage-form-1"}

    first = karen_client.post(general.get_absolute_url(), data)
    retry = karen_client.post(general.get_absolute_url(), data)

    assert first.status_code == 302
    assert retry.status_code == 302
    assert list(Message.objects.values_list("body", flat=True)) == ["Under nedbruddet"]


def test_a_message_posted_through_the_api_while_redis_is_down_is_saved_once(
    karen_client, general
):
    url = f"/api/messaging/conversations/{general.pk}/messages"
    data = {"body": "Via API", "client_id": "outage-api-1"}

    first = karen_client.post(url, data, content_type="application/json")
    retry = karen_client.post(url, data, content_type="application/json")

    assert first.status_code == 201
    assert retry.status_code == 200
    assert list(Message.objects.values_list("body", flat=True)) == ["Via API"]


def test_the_conversation_page_renders_while_redis_is_down(karen_client, general):
    services.message_send(
        author=general.community.memberships.get().user,
        conversation=general,
        body="Fra før nedbruddet",
        client_id="before",
    )

    response = karen_client.get(general.get_absolute_url())

    assert response.status_code == 200
    assert "Fra før nedbruddet" in response.content.decode()


def test_a_log_in_while_redis_is_down_keeps_the_session_in_the_database(
    client, karen, redis_down
):
    client.force_login(karen)

    response = client.get("/messages/")

    assert response.status_code == 200
    assert response.wsgi_request.user == karen


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_health_names_the_cache_as_down_with_503_while_redis_is_down(
    client, karen, redis_down, logged_in
):
    if logged_in:
        client.force_login(karen)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == "ok"
    assert body["cache"].startswith("error")
    assert "redis" in body["cache"]


def test_the_rate_limiter_allows_and_logs_while_redis_is_down(redis_down, caplog):
    from hub import ratelimit
    from hub.limits import Limit

    for _attempt in range(3):
        ratelimit.count_hit("outage-test", 1, Limit(1, 60))

    assert "rate limit outage-test not counted" in caplog.text


def test_the_cache_reads_as_a_miss_and_drops_writes_while_redis_is_down(redis_down):
    from django.core.cache import cache

    from hub.cache import CacheUnavailable

    cache.set("k", "v")

    assert cache.get("k") is None
    assert cache.get("k", "fallback") == "fallback"
    assert cache.get_many(["k"]) == {}
    assert cache.add("k", 1) is True
    assert cache.delete("k") is False
    with pytest.raises(CacheUnavailable):
        cache.incr("k")


@requires_redis()
def test_a_log_out_during_an_outage_is_not_undone_when_redis_returns(
    client, karen, monkeypatch
):
    import redis
    from django.core.cache.backends.redis import RedisCacheClient

    client.force_login(karen)  # the session is in the database and in Redis
    stolen = client.cookies["sessionid"].value

    def down(*args, **kwargs):
        raise redis.ConnectionError("Redis is down")

    with monkeypatch.context() as outage:
        outage.setattr(RedisCacheClient, "get_client", down)
        client.post("/accounts/logout/")
    client.cookies["sessionid"] = stolen
    response = client.get("/messages/")

    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
