from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
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
from .models import PortalPage
from .views import portal_create_view


def _refuse(request: HttpRequest, community, **context) -> HttpResponse:
    """Visitors log in first; logged-in strangers learn why and may ask to join."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return TemplateResponse(
        request,
        "communities/members_only.html",
        {
            "community": community,
            "membership": membership_get(user=request.user, community=community),
            **context,
        },
        status=403,
    )


@hooks.register("before_serve_page")
def members_only_portals(page, request, serve_args, serve_kwargs):
    """Pages of a members-only portal are shown to its members only."""
    portal = selectors.portal_for_page(page)
    if portal is None or can_view_community(
        user=request.user, community=portal.community
    ):
        return None
    return _refuse(request, portal.community, page=page)


@hooks.register("before_serve_document")
def members_only_documents(document, request):
    """Documents in a members-only portal's collection are served to its members,
    editors and municipal staff only (documents are served through Wagtail's view,
    WAGTAILDOCS_SERVE_METHOD = "serve_view", never straight from /media/)."""
    portal = selectors.portal_for_collection(document.collection)
    if portal is None or selectors.can_read_portal_document(
        user=request.user, portal=portal, document=document
    ):
        return None
    return _refuse(request, portal.community)


@hooks.register("before_create_page")
def portals_come_from_new_portal(request, parent_page, page_class):
    """A portal is more than a page (its community, editors, collection), made in
    one transaction by "New portal": Wagtail's own page editor leads there."""
    if issubclass(page_class, PortalPage):
        return redirect(f"{reverse('cms_portal_create')}?parent={parent_page.pk}")
    return None


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
