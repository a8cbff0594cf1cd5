"""E-mails greet with the platform's name and link to the address it is served on."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from communities import services
from tests.factories import CommunityFactory, organiser_of

pytestmark = pytest.mark.django_db

SERVED = "127.0.0.1:8101"
PASSWORD = "Skovby-har-en-ny-bager-2026"


def _links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def _sign_up(client) -> None:
    client.post(
        reverse("account_signup"),
        {
            "display_name": "Ny Nabo",
            "email": "ny@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "privacy_accepted": "on",
        },
        HTTP_HOST=SERVED,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_the_verification_email_greets_with_the_platforms_name(client, mailoutbox):
    _sign_up(client)

    body = mailoutbox[0].body
    assert f"Hello from Nabolag · {settings.NABOLAG_MUNICIPALITY_NAME}!" in body
    assert f"from {SERVED}" not in body
    assert f"account on {SERVED}" not in body


def test_the_verification_email_links_to_the_address_it_was_asked_on(
    client, mailoutbox
):
    _sign_up(client)

    links = _links(mailoutbox[0].body)
    assert links
    assert all(link.startswith(f"http://{SERVED}/") for link in links)


def test_a_password_reset_email_greets_with_the_platforms_name(client, mailoutbox):
    organiser = organiser_of(CommunityFactory())

    client.post(
        reverse("account_reset_password"),
        {"email": organiser.email},
        HTTP_HOST=SERVED,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = mailoutbox[0].body
    assert f"Hello from Nabolag · {settings.NABOLAG_MUNICIPALITY_NAME}!" in body
    assert f"from {SERVED}" not in body


def test_an_invitation_links_to_the_configured_base_address(
    settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.WAGTAILADMIN_BASE_URL = f"http://{SERVED}"
    community = CommunityFactory()

    with (
        translation.override("en"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation = services.invitation_create(
            actor=organiser_of(community), community=community, email="ny@example.org"
        )

    assert f"http://{SERVED}{invitation.get_absolute_url()}" in mailoutbox[0].body


def _dev_setting(name: str, **env: str) -> str:
    """A setting as `make run` sees it: hub.settings.dev in a fresh process."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PORT", "WAGTAILADMIN_BASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="hub.settings.dev")
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [
            sys.executable,
            "-c",
            f"from django.conf import settings; print(settings.{name})",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=environment,
        cwd=settings.BASE_DIR,
    )
    return result.stdout.strip()


def test_in_dev_emails_link_to_the_port_make_run_serves_on():
    assert _dev_setting("WAGTAILADMIN_BASE_URL", PORT="8101") == f"http://{SERVED}"


def test_in_dev_emails_link_to_port_8000_by_default():
    assert _dev_setting("WAGTAILADMIN_BASE_URL") == "http://127.0.0.1:8000"
