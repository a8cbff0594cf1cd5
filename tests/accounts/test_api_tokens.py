"""Personal access tokens: made and revoked on the account's tokens page, they
open the JSON API as their user (accounts.tokens, accounts.api_auth)."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts import tokens
from accounts.models import ApiToken
from hub.errors import NotFound, RateLimited
from messaging import services as messaging
from messaging.models import Message
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.helpers import da, session_queries

pytestmark = pytest.mark.django_db

PAGE = reverse("accounts:api_tokens")
INBOX = "/api/messaging/conversations"
CSRF = "nabolagtokentestcsrfsecret000000"  # 32 characters: a valid CSRF secret


def _messages_url(conversation) -> str:
    return f"/api/messaging/conversations/{conversation.pk}/messages"


def _bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post_message(client, conversation, client_id: str, **headers):
    return client.post(
        _messages_url(conversation),
        {"body": "Græsset slås torsdag", "client_id": client_id},
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def village():
    return CommunityFactory(name="Skovby", slug="skovby-tokens")


@pytest.fixture
def karen(village):
    return MembershipFactory(community=village, user__display_name="Karen").user


@pytest.fixture
def general(village):
    return messaging.channel_ensure_general(community=village)


@pytest.fixture
def api():
    """A client like a program's: no session, and CSRF checks enforced."""
    return Client(enforce_csrf_checks=True)


# --- the API


def test_a_new_tokens_secret_opens_the_api_to_read(api, karen, general):
    _token, secret = tokens.token_create(user=karen, name="Planlægning")

    response = api.get(INBOX, **_bearer(secret))

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [general.pk]


def test_a_token_writes_without_a_csrf_token(api, karen, general):
    _token, secret = tokens.token_create(user=karen, name="Planlægning")

    response = _post_message(api, general, "token-1", **_bearer(secret))

    assert response.status_code == 201
    message = Message.objects.get(client_id="token-1")
    assert message.author == karen
    assert message.conversation == general


def _revoked(user) -> str:
    token, secret = tokens.token_create(user=user, name="Gammel")
    tokens.token_revoke(user=user, token=token)
    return secret


def _expired(user) -> str:
    token, secret = tokens.token_create(user=user, name="Udløbet", expires_in_days=1)
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    return secret


def _unknown(user) -> str:
    _token, secret = tokens.token_create(user=user, name="Rigtig")
    return secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")


REFUSED = {
    "revoked": _revoked,
    "expired": _expired,
    "unknown": _unknown,
    "malformed": lambda user: "nbl_not-a-token",
    "empty": lambda user: "",
    "another kind": lambda user: "wagtail_" + "A" * 40,
}


@pytest.mark.parametrize("kind", REFUSED)
def test_a_token_that_is_not_live_gets_401_to_read_and_to_write(
    api, karen, general, kind
):
    secret = REFUSED[kind](karen)

    read = api.get(INBOX, **_bearer(secret))
    write = _post_message(api, general, "refused-1", **_bearer(secret))

    assert read.status_code == 401
    assert write.status_code == 401
    assert write.json() == {"detail": "Unauthorized"}
    assert not Message.objects.filter(client_id="refused-1").exists()


def test_an_inactive_users_token_gets_401(api, karen, general):
    _token, secret = tokens.token_create(user=karen, name="Planlægning")
    karen.is_active = False
    karen.save(update_fields=["is_active"])

    response = api.get(INBOX, **_bearer(secret))

    assert response.status_code == 401


def test_a_refused_token_does_not_fall_back_on_the_session(client, karen, general):
    secret = _revoked(karen)
    client.force_login(karen)

    response = client.get(INBOX, **_bearer(secret))

    assert response.status_code == 401


def test_a_session_post_still_needs_its_csrf_token(api, karen, general):
    api.force_login(karen)
    api.cookies["csrftoken"] = CSRF

    refused = _post_message(api, general, "session-1")
    allowed = _post_message(api, general, "session-2", HTTP_X_CSRFTOKEN=CSRF)

    assert refused.status_code == 403
    assert not Message.objects.filter(client_id="session-1").exists()
    assert allowed.status_code == 201


def test_the_schema_lists_the_bearer_scheme_beside_the_session(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    served = response.json()
    schemes = served["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"]["type"] == "http"
    assert schemes["ApiTokenAuth"]["scheme"] == "bearer"
    inbox = served["paths"][INBOX]["get"]
    assert {"ApiTokenAuth": []} in inbox["security"]
    assert {"SessionAuth": []} in inbox["security"]


# --- the services


def test_only_the_secrets_digest_is_stored(karen):
    token, secret = tokens.token_create(user=karen, name="Planlægning")

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]

    assert re.fullmatch(r"nbl_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", secret)
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(f"nbl_{token.prefix}_")
    random_part = secret.split("_", 2)[2]
    assert not any(random_part in value for value in stored)
    assert token.digest in stored


def test_the_eleventh_live_token_is_refused(karen):
    for n in range(tokens.MAX_LIVE_TOKENS):
        tokens.token_create(user=karen, name=f"Program {n}")

    with pytest.raises(tokens.TooManyTokens) as refused:
        tokens.token_create(user=karen, name="Et til")

    assert str(refused.value.message) == da(
        "You already have %(count)d token in use, the most you can have. Revoke "
        "one you no longer need, then make the new one.",
        "You already have %(count)d tokens in use, the most you can have. Revoke "
        "one you no longer need, then make the new one.",
        10,
        count=10,
    )
    assert karen.access_tokens.count() == tokens.MAX_LIVE_TOKENS


def test_revoked_and_expired_tokens_leave_room_for_new_ones(karen):
    made = [
        tokens.token_create(user=karen, name=f"Program {n}")[0]
        for n in range(tokens.MAX_LIVE_TOKENS)
    ]
    tokens.token_revoke(user=karen, token=made[0])
    ApiToken.objects.filter(pk=made[1].pk).update(expires_at=timezone.now())
    cache.clear()  # the rate limit's counts: an hour later

    tokens.token_create(user=karen, name="Ny 1")
    tokens.token_create(user=karen, name="Ny 2")

    assert karen.access_tokens.count() == tokens.MAX_LIVE_TOKENS + 2


def test_making_tokens_is_rate_limited(karen):
    for n in range(10):
        token, _secret = tokens.token_create(user=karen, name=f"Program {n}")
        tokens.token_revoke(user=karen, token=token)

    with pytest.raises(RateLimited):
        tokens.token_create(user=karen, name="Et til")

    assert karen.access_tokens.count() == 10


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [("   ", None, "name"), ("Planlægning", 0, "expires_in_days")],
)
def test_an_empty_name_or_an_expiry_out_of_range_is_refused(karen, name, days, field):
    with pytest.raises(tokens.TokenError) as refused:
        tokens.token_create(user=karen, name=name, expires_in_days=days)

    assert list(refused.value.errors) == [field]
    assert not karen.access_tokens.exists()


def test_only_the_owner_may_revoke_a_token(karen):
    token, secret = tokens.token_create(user=karen, name="Planlægning")
    other = UserFactory()

    with pytest.raises(NotFound):
        tokens.token_revoke(user=other, token=token)

    token.refresh_from_db()
    assert token.revoked_at is None
    assert tokens.user_for_secret(secret) == karen


def test_the_last_use_is_noted_at_most_once_a_minute(karen, django_assert_num_queries):
    token, secret = tokens.token_create(user=karen, name="Planlægning")

    with django_assert_num_queries(2):  # the read, and the first use noted
        tokens.user_for_secret(secret)
    token.refresh_from_db()
    first = token.last_used_at
    with django_assert_num_queries(1):  # only the read
        tokens.user_for_secret(secret)
    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=first - timedelta(minutes=2)
    )
    tokens.user_for_secret(secret)

    token.refresh_from_db()
    assert first is not None
    assert token.last_used_at > first - timedelta(minutes=2)


# --- the pages


def _secret_on(response) -> str:
    found = re.search(r'id="new-token" value="(nbl_[^"]+)"', response.text)
    assert found is not None
    return found[1]


def test_making_a_token_shows_its_secret_once(client, api, karen):
    client.force_login(karen)

    made = client.post(PAGE, {"name": "Planlægning", "expires_in_days": "30"})
    later = client.get(PAGE)

    secret = _secret_on(made)
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    assert da("Copy your new token now") in made.text
    assert "Authorization: Bearer" in made.text
    assert secret not in later.text
    assert "Planlægning" in later.text
    assert api.get(INBOX, **_bearer(secret)).status_code == 200
    token = karen.access_tokens.get()
    assert token.expires_at - timezone.now() > timedelta(days=29)


def test_the_page_lists_only_the_viewers_tokens(client, karen):
    tokens.token_create(user=karen, name="Karens planlægning")
    tokens.token_create(user=UserFactory(), name="Lars' regneark")
    client.force_login(karen)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert "Karens planlægning" in response.text
    assert "Lars&#x27; regneark" not in response.text
    assert "Lars" not in response.text


@pytest.mark.parametrize("count", [1, 8])
def test_the_page_costs_the_same_queries_however_many_tokens(
    client, karen, count, django_assert_num_queries
):
    for n in range(count):
        tokens.token_create(user=karen, name=f"Program {n}")
    client.force_login(karen)

    # The user and the tokens; the page's header (unread notifications and watch
    # hits, Wagtail's and Django's permissions for the admin link) costs 5.
    with django_assert_num_queries(2 + 5 + session_queries()):
        response = client.get(PAGE)

    assert len(response.context["tokens"]) == count


def test_a_refused_form_keeps_what_was_typed(client, karen):
    client.force_login(karen)

    response = client.post(PAGE, {"name": "Planlægning", "expires_in_days": "999"})

    assert response.status_code == 400
    assert 'value="Planlægning"' in response.text
    assert 'value="999"' in response.text
    assert (
        da(
            "Choose from 1 to %(count)d days, or leave it empty for a token that does "
            "not expire.",
            count=tokens.MAX_EXPIRY_DAYS,
        )
        in response.content.decode()
    )
    assert not karen.access_tokens.exists()


def test_an_empty_name_is_refused_with_the_typed_expiry_kept(client, karen):
    client.force_login(karen)

    response = client.post(PAGE, {"name": "", "expires_in_days": "14"})

    assert response.status_code == 400
    assert 'value="14"' in response.text
    assert da(str(tokens.NAME_REQUIRED)) in response.text
    assert not karen.access_tokens.exists()


def test_the_eleventh_token_is_refused_on_the_page(client, karen):
    for n in range(tokens.MAX_LIVE_TOKENS):
        tokens.token_create(user=karen, name=f"Program {n}")
    client.force_login(karen)

    response = client.post(PAGE, {"name": "Et til"})

    assert response.status_code == 409
    assert 'value="Et til"' in response.text
    assert 'id="new-token"' not in response.text
    assert karen.access_tokens.count() == tokens.MAX_LIVE_TOKENS


def test_revoking_asks_first_then_ends_the_token(client, api, karen):
    token, secret = tokens.token_create(user=karen, name="Planlægning")
    client.force_login(karen)
    url = reverse("accounts:api_token_revoke", args=[token.pk])

    asked = client.get(url)
    token.refresh_from_db()
    assert token.revoked_at is None
    done = client.post(url, follow=True)

    assert asked.status_code == 200
    assert da("Revoke the token") in asked.text
    assert done.redirect_chain == [(PAGE, 302)]
    assert (
        escape(
            da(
                "The token “%(name)s” has been revoked: it no longer opens the API.",
                name="Planlægning",
            )
        )
        in done.text
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get(INBOX, **_bearer(secret)).status_code == 401


def test_revoking_someone_elses_token_is_not_found(client, karen):
    token, secret = tokens.token_create(user=karen, name="Planlægning")
    client.force_login(UserFactory())
    url = reverse("accounts:api_token_revoke", args=[token.pk])

    asked = client.get(url)
    posted = client.post(url)

    assert asked.status_code == 404
    assert posted.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert tokens.user_for_secret(secret) == karen


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_profile_links_to_the_tokens_page(client, karen):
    client.force_login(karen)

    response = client.get(reverse("accounts:profile"))

    assert f'href="{PAGE}"' in response.text
