"""Portal pages as moderation sees them: registered with ``moderation.registry``.

A page is reported as its published revision; hiding unpublishes it (Wagtail
keeps every revision, so nothing is lost) and restoring publishes that revision
again. A page of a portal is moderated by the portal's organisers, one of the hub
by the municipality. A portal page itself is reported as its community.
"""

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Revision

from accounts.models import User
from communities.selectors import can_view_community
from moderation.registry import Reportable, register

from . import selectors


def _space(page: Page):
    portal = selectors.portal_for_page(page)
    return portal.community if portal is not None else None


def _can_see(user: User, page: Page) -> bool:
    if not page.live:
        return False
    portal = selectors.portal_for_page(page)
    return portal is None or can_view_community(user=user, community=portal.community)


def _excerpt(page: Page) -> str:
    specific = page.specific
    intro = strip_tags(str(getattr(specific, "intro", "") or ""))
    return f"{page.title}\n\n{intro or page.search_description}".strip()


def _hide(page: Page) -> None:
    page.specific.unpublish(log_action="wagtail.unpublish")


def _restore(page: Page) -> None:
    revision = (
        Revision.page_revisions.filter(object_id=str(page.pk))
        .order_by("-created_at", "-id")
        .first()
    )
    if revision is not None:
        revision.publish()


def register_reportables() -> None:
    register(
        Reportable(
            kind="page",
            model=Page,
            label=_("page"),
            author=lambda page: page.owner,
            space=_space,
            revision=lambda page: str(page.live_revision_id or page.latest_revision_id),
            excerpt=_excerpt,
            url=lambda page: page.url or "",
            can_see=_can_see,
            hide=_hide,
            restore=_restore,
        )
    )
