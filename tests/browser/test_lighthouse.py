"""Lighthouse's accessibility audit scores 100 on the pages residents use most:
the hub home, a portal, the listing search and a conversation.

Lighthouse (npm's `lighthouse`, a dev dependency in package.json) runs offline
against the live server with the system Chromium, on its default phone-sized
emulation; a signed-in page gets the resident's session cookie as a header."""

import json
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from cms.models import PortalPage
from communities.models import Community
from messaging.models import Conversation

from .conftest import CHROMIUM

pytestmark = pytest.mark.browser

LIGHTHOUSE = Path(settings.BASE_DIR) / "node_modules" / ".bin" / "lighthouse"


def _accessibility(url: str, cookie: str = "") -> tuple[float, list[str]]:
    """Lighthouse's accessibility score of ``url`` and the audits that failed."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--only-categories=accessibility",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--chrome-path={CHROMIUM}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    run = subprocess.run(  # noqa: S603 (our own fixed command line)
        command, capture_output=True, text=True, timeout=150, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout)
    failed = [
        audit_id
        for audit_id, audit in report["audits"].items()
        if audit.get("score") is not None
        and audit["score"] < 1
        and audit.get("scoreDisplayMode") == "binary"
    ]
    return report["categories"]["accessibility"]["score"], failed


def test_the_most_used_pages_score_100_for_accessibility(
    live_daphne, transactional_db, mailoutbox
):
    if not LIGHTHOUSE.exists():
        pytest.skip("Lighthouse is not installed (make test-deps runs npm ci for it)")
    call_command(
        "seed_demo", "--force", "--port", str(urlsplit(live_daphne).port), verbosity=0
    )
    karen = User.objects.get(email="karen@demo.example")
    client = Client()
    client.force_login(karen)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    portal = urlsplit(PortalPage.objects.get(slug="skovby").url).path
    channel = Conversation.objects.filter(
        community=Community.objects.get(slug="skovby"), kind=Conversation.Kind.CHANNEL
    ).order_by("pk")[0]

    scores = {
        "hub home": _accessibility(f"{live_daphne}/"),
        "portal": _accessibility(f"{live_daphne}{portal}"),
        "listing search": _accessibility(f"{live_daphne}/help/?radius=25", cookie),
        "conversation": _accessibility(
            f"{live_daphne}/messages/c/{channel.pk}/", cookie
        ),
    }

    assert scores == {page: (1, []) for page in scores}
