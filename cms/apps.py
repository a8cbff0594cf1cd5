from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Pages")

    def ready(self):
        # Sign-up (accounts, a lower layer) links to the privacy notice and
        # records its version: the notice is one of this app's pages.
        from accounts import privacy

        from . import agenda_sync, moderation, selectors

        privacy.privacy_notice_register(
            privacy.NoticeSource(
                url=selectors.privacy_notice_url,
                version=selectors.privacy_notice_version,
            )
        )
        moderation.register_reportables()
        agenda_sync.connect()
