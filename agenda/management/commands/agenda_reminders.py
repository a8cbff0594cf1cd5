"""Send the reminders of the dates coming up, and say how many went out."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import ngettext

from agenda.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail everyone going to a date that starts within the reminder window "
        "(NABOLAG_AGENDA['REMINDER_HOURS']), once each (run from cron, hourly)."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        # Whoever reads the cron log reads the project's language; each
        # reminder itself goes out in its recipient's own.
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(
                ngettext("Sent %(count)s reminder.", "Sent %(count)s reminders.", sent)
                % {"count": sent}
            )
