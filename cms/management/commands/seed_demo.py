from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms import demo


class Command(BaseCommand):
    help = "Build the demo municipality with portals, residents, news and events."

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="The port the demo is served on; the portals' own host names use it.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Never on a real deployment: demo passwords.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with known passwords; dev only."
            )
        counts = demo.seed(port=options["port"])
        summary = ", ".join(f"{value} {name}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {summary}."))
