"""The moderators' queue in the Wagtail admin: its pages and a menu item that
shows how many cases are open."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem

from communities.selectors import is_municipal_staff

from . import admin_views, selectors


@hooks.register("register_admin_urls")
def register_moderation_urls():
    return [
        path("moderation/", admin_views.queue, name="moderation_admin_queue"),
        path(
            "moderation/<int:pk>/",
            admin_views.case_detail,
            name="moderation_admin_case",
        ),
    ]


class QueueMenuItem(MenuItem):
    """ "Reports (3)": the open cases, counted when the menu is drawn."""

    def is_shown(self, request):
        return is_municipal_staff(request.user)

    def render_component(self, request):
        count = selectors.queue_count(request.user)
        label = f"{self.label} ({count})" if count else str(self.label)
        return LinkMenuItem(
            self.name, label, self.url, icon_name=self.icon_name, attrs=self.attrs
        )


@hooks.register("register_admin_menu_item")
def register_queue_menu_item():
    return QueueMenuItem(
        _("Reports"),
        reverse("moderation_admin_queue"),
        name="moderation-reports",
        icon_name="warning",
        order=240,
    )
