"""Check the audit log's chain from its first row and say where it breaks."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from moderation.audit import verify


class Command(BaseCommand):
    help = "Check that no row of the audit log was changed, removed or slipped in."

    def handle(self, *args, **options):
        start = time.perf_counter()
        verdict = verify()
        seconds = time.perf_counter() - start
        if not verdict.intact:
            raise CommandError(
                _(
                    "The audit log is broken at row %(row)s: %(problem)s. "
                    "The %(rows)s rows before it are intact."
                )
                % {
                    "row": verdict.broken_at,
                    "problem": verdict.problem,
                    "rows": verdict.rows,
                }
            )
        self.stdout.write(
            _(
                "The audit log is intact: %(rows)s rows in %(seconds).1f s; last hash %(head)s"
            )
            % {"rows": verdict.rows, "seconds": seconds, "head": verdict.head}
        )
