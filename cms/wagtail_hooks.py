from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from communities.selectors import (
    can_view_community,
    is_municipal_staff,
    membership_get,
)

from . import selectors
from .views import portal_create_view


@hooks.register("before_serve_page")
def members_only_portals(page, request, serve_args, serve_kwargs):
    """Pages of a members-only portal are shown to its members only."""
    portal = selectors.portal_for_page(page)
    if portal is None or can_view_community(
        user=request.user, community=portal.community
    ):
        return None
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    return TemplateResponse(
        request,
        "communities/members_only.html",
        {
            "community": portal.community,
            "page": page,
            "membership": membership_get(user=request.user, community=portal.community),
        },
        status=403,
    )


@hooks.register("register_admin_urls")
def register_portal_urls():
    return [path("portals/new/", portal_create_view, name="cms_portal_create")]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return is_municipal_staff(request.user)


@hooks.register("register_admin_menu_item")
def register_portal_menu_item():
    return StaffMenuItem(
        _("New portal"), reverse("cms_portal_create"), icon_name="site", order=250
    )
