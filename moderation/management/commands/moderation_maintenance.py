from django.core.management.base import BaseCommand

from moderation import sanctions


class Command(BaseCommand):
    help = "Reactivate accounts whose suspension has ended (run from cron)."

    def handle(self, *args, **options):
        count = sanctions.expire()
        self.stdout.write(f"Reactivated {count} account(s) after their suspension.")
