"""Failed log-ins are limited per account and per real client address.

Behind the load balancer every request comes from its address (REMOTE_ADDR);
the client's own address is the one the trusted proxy appended to
X-Forwarded-For."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOAD_BALANCER = "10.0.0.1"
BEHIND_ONE_PROXY = override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)


def _log_in(client, email, password, client_address):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=LOAD_BALANCER,
        HTTP_X_FORWARDED_FOR=client_address,
    )


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@BEHIND_ONE_PROXY
def test_six_residents_behind_the_load_balancer_failing_once_do_not_lock_out_the_next(
    client,
):
    for number in range(6):
        resident = UserFactory()
        _log_in(client, resident.email, "wrong-password", f"192.0.2.{number + 1}")
    seventh = UserFactory()

    _log_in(client, seventh.email, TEST_PASSWORD, "192.0.2.7")

    assert _logged_in(client)


@BEHIND_ONE_PROXY
def test_six_residents_sharing_one_client_address_do_not_lock_out_the_next(client):
    for _number in range(6):
        resident = UserFactory()
        _log_in(client, resident.email, "wrong-password", "198.51.100.20")
    seventh = UserFactory()

    _log_in(client, seventh.email, TEST_PASSWORD, "198.51.100.20")

    assert _logged_in(client)


@BEHIND_ONE_PROXY
def test_one_account_failing_repeatedly_is_locked_whatever_the_address(client):
    karen = UserFactory()
    for attempt in range(5):
        _log_in(client, karen.email, "wrong-password", f"203.0.113.{attempt + 1}")

    response = _log_in(client, karen.email, TEST_PASSWORD, "203.0.113.99")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not _logged_in(client)


@BEHIND_ONE_PROXY
def test_a_spoofed_forwarded_address_does_not_escape_the_address_limit(client):
    """Only the address the trusted proxy appended counts, not what the client
    wrote before it."""
    for number in range(30):
        resident = UserFactory()
        _log_in(
            client,
            resident.email,
            "wrong-password",
            f"192.0.2.{number + 1}, 198.51.100.66",
        )
    someone = UserFactory()

    response = _log_in(
        client, someone.email, TEST_PASSWORD, "192.0.2.200, 198.51.100.66"
    )

    assert response.status_code in {200, 429}
    assert not _logged_in(client)
