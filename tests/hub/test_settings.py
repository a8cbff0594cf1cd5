"""Production settings, checked in a child process as a deployment would load them."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
# The test run's own switches (tests/conftest.py allows sync ORM calls from the
# browser tests' event loop) must not leak into the production process.
REMOVED_ENV = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value for key, value in os.environ.items() if key not in REMOVED_ENV
    }
    environment.update(DJANGO_SETTINGS_MODULE="hub.settings.production", **env)
    return subprocess.run(  # noqa: S603 (fixed arguments, our own manage.py)
        [sys.executable, MANAGE, *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deployment_check_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="nabolag.example.dk",
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _manage("check", ALLOWED_HOSTS="nabolag.example.dk")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _production_setting(name: str, **env: str) -> str:
    result = _manage(
        "shell",
        "-c",
        f"from django.conf import settings; print(repr(settings.{name}))",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="nabolag.example.dk",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_production_trusts_the_load_balancer_for_the_client_address_by_default():
    assert _production_setting("ALLAUTH_TRUSTED_PROXY_COUNT") == "1"
    assert _production_setting("ALLAUTH_TRUSTED_CLIENT_IP_HEADER") == "None"


def test_production_takes_the_proxies_in_front_from_the_environment():
    assert (
        _production_setting("ALLAUTH_TRUSTED_PROXY_COUNT", TRUSTED_PROXY_COUNT="2")
        == "2"
    )
    assert (
        _production_setting(
            "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", TRUSTED_CLIENT_IP_HEADER="X-Real-IP"
        )
        == "'X-Real-IP'"
    )
