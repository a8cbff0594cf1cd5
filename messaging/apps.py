from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        from communities import adapters

        from . import hooks
        from .services.participants import participants_drop_for_ended_membership

        hooks.connect()
        adapters.register_membership_ended(participants_drop_for_ended_membership)
