"""The task board's daily round: series make their coming tasks, work done
48 hours ago is accepted by itself, and tasks whose window passed unconfirmed
or undone are missed. Says what it did."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import ngettext

from tasks.series import generate_all
from tasks.services.lifecycle import tasks_auto_accept, tasks_mark_missed


class Command(BaseCommand):
    help = (
        "Make the coming tasks of every series, accept work done "
        "NABOLAG_TASKS['AUTO_ACCEPT_HOURS'] ago that nobody answered, and mark "
        "tasks whose window has passed as missed (run from cron, hourly)."
    )

    def handle(self, *args, **options):
        made = generate_all()
        accepted = tasks_auto_accept()
        missed = tasks_mark_missed()
        with translation.override(settings.LANGUAGE_CODE):
            for text, count in (
                (ngettext("Made %(count)s task.", "Made %(count)s tasks.", made), made),
                (
                    ngettext(
                        "Accepted %(count)s task by itself.",
                        "Accepted %(count)s tasks by themselves.",
                        accepted,
                    ),
                    accepted,
                ),
                (
                    ngettext(
                        "Marked %(count)s task missed.",
                        "Marked %(count)s tasks missed.",
                        missed,
                    ),
                    missed,
                ),
            ):
                self.stdout.write(text % {"count": count})
