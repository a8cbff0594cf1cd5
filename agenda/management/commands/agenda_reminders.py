from django.core.management.base import BaseCommand

from agenda.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "E-mail everyone going to a date that starts within the reminder window "
        "(NABOLAG_AGENDA['REMINDER_HOURS']), once each (run from cron, hourly)."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
