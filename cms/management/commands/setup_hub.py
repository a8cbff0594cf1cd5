from django.conf import settings
from django.core.management.base import BaseCommand

from cms import services


class Command(BaseCommand):
    help = "Create the municipal hub home and its portal sections if they are missing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--title", default=f"Nabolag · {settings.NABOLAG_MUNICIPALITY_NAME}"
        )
        parser.add_argument("--hostname", default="localhost")
        parser.add_argument("--port", type=int, default=80)

    def handle(self, *args, **o):
        hub = services.hub_ensure(
            title=o["title"], hostname=o["hostname"], port=o["port"]
        )
        self.stdout.write(self.style.SUCCESS(f"Hub home: {hub.title}"))
