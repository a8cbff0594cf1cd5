from django.core.management.base import BaseCommand

from marketplace.tasks import expire_listings, send_watch_digests


class Command(BaseCommand):
    help = "Expire listings past their date and send watch digests (run from cron)."

    def handle(self, *args, **options):
        expire_listings.enqueue()
        send_watch_digests.enqueue()
        self.stdout.write("Enqueued listing expiry and watch digests.")
