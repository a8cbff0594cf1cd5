"""Browser tests: real Chromium (Debian's package) through Playwright, against the
platform served by a real Daphne process, checked with axe-core.

The Daphne child process uses the same test database (a file for SQLite, the test
database for PostgreSQL) and writes its e-mails as files that tests read back.
"""

import contextlib
import email
import gc
import shutil
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from tests.htmlcheck import record_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAIL_DIR = Path(settings.BASE_DIR) / "var" / "test-mail"


def _make_application():
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

    from hub.asgi import application

    return ASGIStaticFilesHandler(application)


def _server_setup(database_name: str, mail_dir: str) -> None:
    """Runs in the Daphne child: point it at the test database and the mail folder.

    The child is forked from the test process, so it also drops what it inherited
    but cannot use: asgiref's shared database thread (it only exists in the
    parent; awaiting it would hang every socket) and channel layers bound to the
    parent's event loops."""
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync
    from channels.layers import channel_layers
    from django.conf import settings as child_settings
    from django.db import connections

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
    channel_layers.backends.clear()

    child_settings.DATABASES["default"]["NAME"] = database_name
    connections["default"].settings_dict["NAME"] = database_name
    child_settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    child_settings.EMAIL_FILE_PATH = mail_dir
    child_settings.ALLOWED_HOSTS = ["*"]


def _close_every_connection() -> None:
    """Close the database connections of every thread of this process.

    Connections persist (CONN_MAX_AGE None), and earlier tests left some open in
    other threads: asgiref's sync thread (async tests), the ASGI handler's
    request threads. Forked into the Daphne child, an open SQLite file is held by
    two processes: the child then reads stale pages or, once it lets go of its
    copy and with it its own locks, corrupts the file ("database disk image is
    malformed"). Only the owning thread may close a connection through Django,
    so the driver's connection is closed directly."""
    for wrapper in gc.get_objects():
        # type(), not isinstance(): the latter would wake lazy objects up.
        if not issubclass(type(wrapper), BaseDatabaseWrapper):
            continue
        if wrapper.connection is not None:
            with contextlib.suppress(Exception):
                wrapper.connection.close()
            wrapper.connection = None


@pytest.fixture(scope="session")
def live_daphne(django_db_setup, django_db_blocker) -> Iterator[str]:
    """A Daphne process serving HTTP and WebSockets; yields its base URL."""
    from daphne.testing import DaphneProcess

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    # Fork while database access is allowed, so the child keeps that state.
    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
        connection.close()
        _close_every_connection()
        # A pooled connection stays open after close(): forked into the child,
        # its socket would serve two processes at once and both would hang on
        # it. Close the pool, so each process opens its own.
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()
        process = DaphneProcess(
            "127.0.0.1",
            _make_application,
            setup=partial(_server_setup, str(database_name), str(MAIL_DIR)),
        )
        process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        raise RuntimeError("Daphne did not start for the browser tests")
    yield f"http://127.0.0.1:{process.port.value}"
    process.terminate()
    process.join(timeout=10)
    with django_db_blocker.unblock():
        _wait_for_child_connections()


def _wait_for_child_connections(seconds: float = 10.0) -> None:
    """PostgreSQL ends a killed client's backend a moment after the client is
    gone. Until it has, dropping the test database at the end of the session
    warns that it "is being accessed by other users", so wait for the Daphne
    child's connections to end (SQLite has no server to wait for)."""
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _watch(page, violations: list[str]):
    """Note the page's Content-Security-Policy refusals, and keep its HTML after
    each navigation for the end-of-session HTML check (tests/htmlcheck.py)."""

    def on_console(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    goto = page.goto

    def goto_and_keep(url, **kwargs):
        response = goto(url, **kwargs)
        _keep_html(page)
        return response

    page.goto = goto_and_keep


def _keep_html(page) -> None:
    if page.is_closed():
        return
    try:
        record_html(page.url, page.content())
    except Exception:  # noqa: BLE001 (a page mid-navigation has no content to keep)
        return


@pytest.fixture
def new_page(browser, live_daphne, transactional_db):
    """Open a fresh browser context (its own cookies) at the live server.

    The test fails if a page it opened broke the Content-Security-Policy."""
    contexts = []
    violations: list[str] = []

    def _open(*, width: int = 1280, height: int = 900, locale: str = "da-DK"):
        context = browser.new_context(
            base_url=live_daphne,
            viewport={"width": width, "height": height},
            locale=locale,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        _watch(page, violations)
        return page

    yield _open
    for context in contexts:
        for page in context.pages:
            _keep_html(page)
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(
        violations
    )


@pytest.fixture
def mailbox():
    """E-mails the live server sent during this test, oldest first."""
    for old in MAIL_DIR.glob("*.log"):
        old.unlink()

    def _read() -> list[email.message.Message]:
        messages = []
        for path in sorted(MAIL_DIR.glob("*.log"), key=lambda p: p.stat().st_mtime):
            chunks = path.read_text().split("-" * 79)
            messages += [
                email.message_from_string(c.strip()) for c in chunks if c.strip()
            ]
        return messages

    return _read


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page; return violations of the given impacts."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results.response["violations"]
        if violation["impact"] in impacts
    ]


def signed_in_page(new_page, base_url, user, **options):
    """A new browser context (``new_page``'s size and locale ``options``) carrying
    ``user``'s session cookie."""
    client = Client()
    client.force_login(user)
    page = new_page(**options)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    page.context.add_cookies([{**cookie, "url": base_url}])
    return page
