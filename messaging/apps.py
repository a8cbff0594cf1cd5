from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from communities import adapters

        from . import hooks, moderation
        from .services.participants import participants_drop_for_ended_membership

        hooks.connect()
        moderation.register_reportables()
        adapters.register_membership_ended(participants_drop_for_ended_membership)
