"""The W3C Nu HTML Checker over every page the tests render.

A pytest plugin (registered in tests/conftest.py). While the tests run it keeps
each full HTML document they receive: the Django test client's answers with a
``text/html`` content type and a status from 200 to 499, and the browser tests'
pages after load (``record_html``, called from tests/browser/conftest.py). At the
end of the session it runs the checker (``vnu-jar`` from npm, one JVM for every
document) and fails the run, listing page, line and message, if it reports any
error.

Identical documents are checked once; CSRF tokens and CSP nonces, which differ on
every answer, are blanked first so they do not make every copy unique. Fragments
(htmx partials) and the Wagtail admin, which is Wagtail's own markup, are left out.
Without Java or ``node_modules/vnu-jar`` the check is skipped with the reason in
the summary; ``NABOLAG_HTML_CHECK=0`` turns it off.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
VNU_JAR = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SKIPPED_PREFIXES = ("/admin/", "/django-admin/")
_VOLATILE = [
    (re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*'), rb"\1-"),
    (re.compile(rb'(nonce=")[^"]*'), rb"\1-"),
]
_DOCUMENT_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<!doctype html", re.I | re.S)


@dataclass
class Collected:
    directory: Path | None = None
    pages: dict[str, str] = field(default_factory=dict)  # file name -> page URL
    errors: list[str] = field(default_factory=list)
    skipped: str = ""


_collected = Collected()


def record_html(url: str, content: bytes | str) -> None:
    """Keep one rendered document for the end-of-session check."""
    if isinstance(content, str):
        content = content.encode()
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else "/"
    if path.startswith(SKIPPED_PREFIXES) or not _DOCUMENT_START.match(content):
        return
    for pattern, replacement in _VOLATILE:
        content = pattern.sub(replacement, content)
    name = hashlib.sha256(content).hexdigest()[:20] + ".html"
    if name in _collected.pages:
        return
    if _collected.directory is None:
        _collected.directory = Path(tempfile.mkdtemp(prefix="nabolag-html-"))
    (_collected.directory / name).write_bytes(content)
    _collected.pages[name] = url


def _record_response(request: dict, response) -> None:
    if not 200 <= response.status_code < 500 or response.streaming:
        return
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    url = request.get("PATH_INFO", "/")
    if request.get("QUERY_STRING"):
        url += "?" + request["QUERY_STRING"]
    record_html(url, response.content)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("NABOLAG_HTML_CHECK", "1") == "0":
        return
    from django.test.client import Client

    original = Client.request

    def request(self, **request):
        response = original(self, **request)
        _record_response(request, response)
        return response

    Client.request = request


def _run_checker(files: list[Path]) -> list[dict]:
    completed = subprocess.run(  # noqa: S603 (fixed command, our own files)
        [
            shutil.which("java") or "java",
            "-Xss8m",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return json.loads(completed.stderr or completed.stdout)["messages"]
    except (ValueError, KeyError):
        return [{"type": "error", "message": completed.stderr.strip()[:2000]}]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _collected.pages:
        return
    if shutil.which("java") is None:
        _collected.skipped = "java is not installed"
    elif not VNU_JAR.exists():
        _collected.skipped = f"{VNU_JAR} is missing (make test-deps runs npm ci)"
    if _collected.skipped:
        return
    directory = _collected.directory
    messages = _run_checker(sorted(directory.glob("*.html")))
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = message.get("url", "").rsplit("/", 1)[-1]
        page = _collected.pages.get(name, name or "?")
        _collected.errors.append(
            f"{page} line {message.get('lastLine', '?')}: {message['message']}"
            f"  [{directory / name}]"
        )
    if _collected.errors:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        shutil.rmtree(directory, ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:
    if not _collected.pages:
        return
    count = len(_collected.pages)
    if _collected.skipped:
        terminalreporter.write_line(
            f"SKIPPED HTML check of {count} pages: {_collected.skipped}", yellow=True
        )
    elif _collected.errors:
        terminalreporter.section("W3C Nu HTML Checker", red=True)
        for line in _collected.errors:
            terminalreporter.write_line(line)
        terminalreporter.write_line(
            f"FAILED HTML check: {len(_collected.errors)} errors in {count} pages",
            red=True,
        )
    else:
        terminalreporter.write_line(
            f"HTML check: {count} pages valid (W3C Nu HTML Checker)", green=True
        )
