"""The browser and the server agree on what each close code means."""

import re
from pathlib import Path

from django.conf import settings

from messaging import closecodes, consumers

JS = Path(settings.BASE_DIR) / "static" / "js" / "close-codes.js"


def test_the_browser_knows_every_close_code_the_server_uses():
    exported = {
        name: int(value)
        for name, value in re.findall(
            r"^export const (\w+) = (\d+);", JS.read_text(), re.M
        )
    }

    assert exported == closecodes.CLOSE_CODES


def test_the_socket_closes_with_the_shared_codes():
    used = {
        consumers.CLOSE_RECONNECT,
        consumers.CLOSE_ANONYMOUS,
        consumers.CLOSE_DEACTIVATED,
        *consumers.CLOSE_FOR.values(),
    }

    assert used <= set(closecodes.CLOSE_CODES.values())
