"""The one way a service schedules a side effect: after commit, never raising.

A write that committed stands. What follows it (an e-mail enqueued, a live event
broadcast, a task started) runs once the transaction commits; when it fails, the
failure is logged with what it was and the user's request still succeeds: the
write is saved, and the side effect is retried by whatever catches up (a digest,
a client reloading over HTTP). Modelled on Zulip's ``send_event_on_commit``.
"""

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def on_commit(fn: Callable[[], object], *, what: str) -> None:
    """Run ``fn`` after the current transaction commits (at once outside one).

    Any exception ``fn`` raises is logged with ``what`` and never reaches the
    caller."""

    def run() -> None:
        try:
            fn()
        except Exception:  # a side effect must never undo or fail the write
            logger.exception("side effect after commit failed: %s", what)

    transaction.on_commit(run)
