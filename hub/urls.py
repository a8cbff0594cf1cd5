import re

from django.conf import settings
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from hub.api import api, api_not_found
from hub.health import healthz
from hub.media import serve_media

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    re_path(r"^api/", api_not_found),  # not a page's 404, nor a slash redirect
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("calendar/", include("agenda.urls")),
    path("tasks/", include("tasks.urls")),
    path("communities/", include("communities.urls")),
    path("help/", include("marketplace.urls")),
    path("messages/", include("messaging.urls")),
    path("moderation/", include("moderation.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("site/", include("cms.urls")),
]

if settings.NABOLAG_SERVE_MEDIA and settings.MEDIA_URL.startswith("/"):
    # In every environment, so dev behaves as production: documents never raw.
    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve_media,
            name="media",
        )
    )

urlpatterns.append(path("", include(wagtail_urls)))
