"""A portal's lists of its news and of its events, with paging: /<portal>/news/
and /<portal>/events/.

The portal page answers these two addresses itself (``PortalPage.route``), so
they need no page of their own in the tree and editors cannot forget them; a
child page with the slug "news" or "events" would be hidden behind them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import selectors

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import PortalPage

PER_PAGE = 10


@dataclass(frozen=True)
class PortalList:
    template: str
    title: str
    items: object  # (portal, viewer) -> QuerySet, the list's items in order


LISTS = {
    "news": PortalList(
        "cms/news_list.html", _("News from %(portal)s"), selectors.portal_news_all
    ),
    "events": PortalList(
        "cms/event_list.html",
        _("Events in %(portal)s"),
        selectors.portal_dates_coming,
    ),
}


def list_context(
    request: HttpRequest, *, portal: PortalPage, name: str
) -> dict[str, object]:
    """The page of the list ``name`` that ``?page=`` asks for (the first, or the
    last when it asks beyond), ``PER_PAGE`` at a time: two queries, the count and
    the page."""
    portal_list = LISTS[name]
    items: QuerySet = portal_list.items(portal, request.user)
    paginator = Paginator(items, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return {
        "list_name": name,
        "list_title": portal_list.title % {"portal": portal.title},
        "page_obj": page_obj,
        "items": page_obj.object_list,
        "page_range": paginator.get_elided_page_range(
            page_obj.number, on_each_side=2, on_ends=1
        ),
        "ellipsis": Paginator.ELLIPSIS,
    }
