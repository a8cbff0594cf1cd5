from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from cms import services
from communities.models import Community
from communities.services import MembershipError


class Command(BaseCommand):
    help = "Create a portal: community, portal page, optional site and first organiser."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("slug")
        parser.add_argument("--kind", choices=Community.Kind.values, default="village")
        parser.add_argument(
            "--actor", required=True, help="E-mail of the staff member."
        )
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--join-policy", choices=Community.JoinPolicy.values, default="open"
        )
        parser.add_argument(
            "--visibility", choices=Community.Visibility.values, default="public"
        )
        parser.add_argument("--lat", type=float)
        parser.add_argument("--lon", type=float)
        parser.add_argument("--radius-km", type=int, default=3)
        parser.add_argument("--colour", default="")
        parser.add_argument("--hostname", default="")
        parser.add_argument("--port", type=int, default=80)
        parser.add_argument("--organiser-email", default="")

    def handle(self, *args, **o):
        actor = User.objects.filter(email__iexact=o["actor"]).first()
        if actor is None:
            raise CommandError(f"No user with e-mail {o['actor']}.")
        parent = services.portal_index_for_kind(o["kind"])
        if parent is None:
            raise CommandError(
                "The hub has no portal section yet; run setup_hub first."
            )
        try:
            portal = services.portal_create(
                actor=actor,
                parent=parent,
                name=o["name"],
                slug=o["slug"],
                kind=o["kind"],
                description=o["description"],
                join_policy=o["join_policy"],
                visibility=o["visibility"],
                latitude=o["lat"],
                longitude=o["lon"],
                radius_km=o["radius_km"],
                theme_colour=o["colour"],
                hostname=o["hostname"],
                port=o["port"],
                organiser_email=o["organiser_email"],
            )
        except MembershipError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(self.style.SUCCESS(f"Portal created at {portal.url_path}"))
