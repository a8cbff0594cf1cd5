from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        # communities sits below moderation: it calls what is registered here.
        from communities import adapters

        from . import reportables, trust
        from .audit import record_membership_change

        adapters.register_membership_changed(record_membership_change)
        adapters.register_member_standing(trust.standing_of_members)
        reportables.register_reportables()
