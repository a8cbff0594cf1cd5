"""The W3C Nu HTML Checker over every page the tests render.

A pytest plugin (registered in tests/conftest.py). While the tests run it keeps
each HTML document and fragment they receive: the Django test client's answers with a
``text/html`` content type and a status from 200 to 499, and the browser tests'
pages after load (``record_html``, called from tests/browser/conftest.py). At the
end of the session it runs the checker (``vnu-jar`` from npm, one JVM for every
document) and fails the run, listing page, line and message, if it reports any
error.

Identical documents are checked once; CSRF tokens and CSP nonces, which differ on
every answer, are blanked first so they do not make every copy unique. A fragment
(an htmx partial: HTML that is not a whole document) is checked inside a minimal
document, in the element it is swapped into (``<option>``s in a ``<datalist>``,
``<li>``s in a ``<ul>``...), with lines counted from the fragment's own first line.
The Wagtail admin, which is Wagtail's own markup, is left out. Without Java or
``node_modules/vnu-jar`` the check is skipped with the reason in the summary;
``NABOLAG_HTML_CHECK=0`` turns it off.
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
_LEADING = rb"^\s*(<!--.*?-->\s*)*"
_DOCUMENT_START = re.compile(_LEADING + rb"<!doctype html", re.I | re.S)
# A whole document missing its doctype is checked as it is (and fails for that).
_HTML_START = re.compile(_LEADING + rb"<html[\s>]", re.I | re.S)
_FIRST_TAG = re.compile(_LEADING + rb"<([a-z][a-z0-9-]*)", re.I | re.S)
# The element a fragment starting with this tag is swapped into; body otherwise.
_FRAGMENT_PARENTS = {
    b"option": (b'<datalist id="fragment">', b"</datalist>"),
    b"optgroup": (b'<select aria-label="fragment">', b"</select>"),
    b"li": (b"<ul>", b"</ul>"),
    b"dt": (b"<dl>", b"</dl>"),
    b"dd": (b"<dl>", b"</dl>"),
    b"tr": (b"<table><tbody>", b"</tbody></table>"),
    b"td": (b"<table><tbody><tr>", b"</tr></tbody></table>"),
    b"th": (b"<table><tbody><tr>", b"</tr></tbody></table>"),
}
_FRAGMENT_HEAD = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8">'
    b"<title>fragment</title></head><body>"
)


@dataclass
class Collected:
    directory: Path | None = None
    pages: dict[str, str] = field(default_factory=dict)  # file name -> page URL
    fragments: set[str] = field(default_factory=set)  # file names of fragments
    errors: list[str] = field(default_factory=list)
    skipped: str = ""


_collected = Collected()


def as_document(fragment: bytes) -> bytes:
    """``fragment`` in a minimal document, inside the element it belongs in; the
    fragment starts on the document's second line."""
    first = _FIRST_TAG.match(fragment)
    tag = first.group(2).lower() if first else b""
    opening, closing = _FRAGMENT_PARENTS.get(tag, (b"", b""))
    return b"".join(
        [_FRAGMENT_HEAD, opening, b"\n", fragment, b"\n", closing, b"</body></html>"]
    )


def record_html(url: str, content: bytes | str) -> None:
    """Keep one rendered document or fragment for the end-of-session check."""
    if isinstance(content, str):
        content = content.encode()
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else "/"
    if path.startswith(SKIPPED_PREFIXES) or not content.strip():
        return
    fragment = not (_DOCUMENT_START.match(content) or _HTML_START.match(content))
    if fragment:
        content = as_document(content)
    for pattern, replacement in _VOLATILE:
        content = pattern.sub(replacement, content)
    name = hashlib.sha256(content).hexdigest()[:20] + ".html"
    if name in _collected.pages:
        return
    if _collected.directory is None:
        _collected.directory = Path(tempfile.mkdtemp(prefix="nabolag-html-"))
    (_collected.directory / name).write_bytes(content)
    _collected.pages[name] = url
    if fragment:
        _collected.fragments.add(name)


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


def errors_of(messages: list[dict]) -> list[str]:
    """The checker's errors as lines naming the page (or fragment) and its line."""
    errors = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        name = message.get("url", "").rsplit("/", 1)[-1]
        page = _collected.pages.get(name, name or "?")
        line = message.get("lastLine", "?")
        if name in _collected.fragments:
            page += " (fragment)"
            line = line - 1 if isinstance(line, int) else line
        errors.append(
            f"{page} line {line}: {message['message']}  [{_collected.directory / name}]"
        )
    return errors


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
    _collected.errors = errors_of(_run_checker(sorted(directory.glob("*.html"))))
    if _collected.errors:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        shutil.rmtree(directory, ignore_errors=True)


def pytest_terminal_summary(terminalreporter) -> None:
    if not _collected.pages:
        return
    fragments = len(_collected.fragments)
    count = f"{len(_collected.pages) - fragments} pages and {fragments} fragments"
    if _collected.skipped:
        terminalreporter.write_line(
            f"SKIPPED HTML check of {count}: {_collected.skipped}", yellow=True
        )
    elif _collected.errors:
        terminalreporter.section("W3C Nu HTML Checker", red=True)
        for line in _collected.errors:
            terminalreporter.write_line(line)
        terminalreporter.write_line(
            f"FAILED HTML check: {len(_collected.errors)} errors in {count}",
            red=True,
        )
    else:
        terminalreporter.write_line(
            f"HTML check: {count} valid (W3C Nu HTML Checker)", green=True
        )
