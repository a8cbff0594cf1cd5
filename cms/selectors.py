"""Reads for page templates, scoped by what the viewer may see.

The page types call these selectors as they render, so the selectors do not import
``cms.models`` (that would be a cycle): they take the page types from the app
registry when they run (``_page_type``), and name them for type checkers only.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.images import get_image_model
from wagtail.models import Collection, Page, Site
from wagtail.permissions import page_permission_policy, policy_registry

from agenda import selectors as agenda_selectors
from communities.models import Community, Membership
from communities.selectors import (
    AnyUser,
    active_community_ids,
    can_view_community,
    community_member_count,
    is_municipal_staff,
)
from hub import geo
from hub.geo import haversine_km

if TYPE_CHECKING:
    from .models import (
        EventPage,
        MunicipalitySettings,
        NewsPage,
        PlatformPage,
        PortalPage,
    )

PAGE_EDITING_ACTIONS = {"add", "change", "publish"}


def _page_type(name: str) -> type[Page]:
    """This app's page type called ``name`` (``"PortalPage"``), from the registry."""
    return apps.get_model("cms", name)


def _with_pictures(qs: QuerySet) -> QuerySet:
    """Pages with their picture and its renditions: two queries for a whole list
    of cards (none when no page has a picture), instead of two per card."""
    renditions = get_image_model().get_rendition_model().objects.all()
    return qs.select_related("image").prefetch_related(
        Prefetch("image__renditions", queryset=renditions)
    )


def hidden_portal_paths(user: AnyUser) -> list[str]:
    """Tree paths of members-only portals that ``user`` may not enter."""
    if is_municipal_staff(user):
        return []
    qs = _page_type("PortalPage").objects.filter(
        community__visibility=Community.Visibility.MEMBERS
    )
    member_of = active_community_ids(user)
    if member_of:
        qs = qs.exclude(community_id__in=member_of)
    return list(qs.values_list("path", flat=True))


def _outside(paths: list[str]) -> Q:
    if not paths:
        return Q()
    return ~reduce(or_, (Q(path__startswith=path) for path in paths))


def portal_for_page(page: Page) -> PortalPage | None:
    """The portal a page belongs to (the page itself or its ancestor), if any."""
    prefixes = _path_prefixes(page.path, Page.steplen)
    return (
        _page_type("PortalPage")
        .objects.filter(path__in=prefixes)
        .select_related("community")
        .first()
    )


def _path_prefixes(path: str, steplen: int) -> list[str]:
    return [path[:i] for i in range(steplen, len(path) + 1, steplen)]


def portal_for_collection(collection: Collection) -> PortalPage | None:
    """The portal whose collection holds ``collection`` (or is it), if any."""
    return (
        _page_type("PortalPage")
        .objects.filter(
            documents_collection__path__in=_path_prefixes(
                collection.path, Collection.steplen
            )
        )
        .select_related("community")
        .order_by("-documents_collection__depth")
        .first()
    )


def can_read_portal_document(
    *, user: AnyUser, portal: PortalPage, document: AbstractDocument
) -> bool:
    """Documents of a public portal are for everyone; of a members-only portal, for
    its active members (organisers among them), its editors, municipal staff, and
    whoever may edit the document in the admin."""
    community = portal.community
    if can_view_community(user=user, community=community):
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    if (
        community.editors_group_id is not None
        and user.groups.filter(pk=community.editors_group_id).exists()
    ):
        return True
    policy = policy_registry.get_by_type(get_document_model())
    return policy.user_has_any_permission_for_instance(user, ["change"], document)


def hub_url_from_portal_host(request: HttpRequest) -> str:
    """The hub home's absolute address when ``request`` came to a portal's own
    host name (a site other than the default one); "" on the hub's site.

    Wagtail has found (and cached) the request's site to serve the page, so only a
    portal's own host costs a query."""
    site = Site.find_for_request(request)
    if site is None or site.is_default_site:
        return ""
    hub = _page_type("HubHomePage").objects.live().first()
    return (hub.get_url(request) or "") if hub is not None else ""


def can_edit_pages(user: AnyUser) -> bool:
    """Whether the Wagtail admin would let ``user`` in and edit at least one page.

    One query for most people (their groups' page permissions, which Wagtail then
    keeps on the user object); the admin-access check follows only for editors."""
    if not (user.is_authenticated and user.is_active):
        return False
    return page_permission_policy.user_has_any_permission(
        user, PAGE_EDITING_ACTIONS
    ) and user.has_perm("wagtailadmin.access_admin")


def _active_members() -> Count:
    return Count(
        "community__memberships",
        filter=Q(community__memberships__state=Membership.State.ACTIVE),
    )


def portal_for_route(*, parent: Page, slug: str) -> PortalPage | None:
    """The portal ``slug`` below ``parent`` with its community and its active
    member count (``members_count``), in one query; None if there is none.

    Routing only: whether the viewer may see the page is Wagtail's view
    restriction, and whether she may see the count is portal_member_count."""
    return _with_pictures(
        _page_type("PortalPage")
        .objects.child_of(parent)
        .filter(slug=slug)
        .select_related("community")
        .annotate(members_count=_active_members())
    ).first()


def portal_member_count(*, viewer: AnyUser, portal: PortalPage) -> int:
    """How many active members the portal's community has (0 for a viewer who may
    not see the community), from the count the route loaded when it did."""
    counted = getattr(portal, "members_count", None)
    if counted is None:
        return community_member_count(viewer=viewer, community=portal.community)
    return counted if can_view_community(user=viewer, community=portal.community) else 0


def portals_for_listing(
    *, user: AnyUser, near: bool = False, parent: Page | None = None
) -> list[PortalPage]:
    """Live portals with their community and active member count.

    With ``near`` and a home village that has a location, nearest first.
    """
    qs: QuerySet[PortalPage] = _with_pictures(
        _page_type("PortalPage")
        .objects.live()
        .select_related("community", "logo")
        .annotate(members_count=_active_members())
        .annotate(
            kind_order=Case(
                When(community__kind=Community.Kind.VILLAGE, then=Value(0)),
                When(community__kind=Community.Kind.ASSOCIATION, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("kind_order", "title")
    )
    if parent is not None:
        qs = qs.child_of(parent)
    portals = list(qs)
    home = _home_point(user)
    if near and home is not None:
        far_away = float("inf")
        for portal in portals:
            c = portal.community
            portal.distance_km = (
                haversine_km(home[0], home[1], c.latitude, c.longitude)
                if c.has_point
                else far_away
            )
        portals.sort(key=lambda p: p.distance_km)
    return portals


def _home_point(user: AnyUser) -> tuple[float, float] | None:
    if not user.is_authenticated or user.home_community_id is None:
        return None
    home = (
        Community.objects.filter(pk=user.home_community_id)
        .only("latitude", "longitude")
        .first()
    )
    if home is None or not home.has_point:
        return None
    return home.latitude, home.longitude


def latest_news(
    *, user: AnyUser, limit: int, hidden_paths: list[str] | None = None
) -> list[NewsPage]:
    """Newest news from the hub and every portal the user may see.

    ``hidden_paths`` (from hidden_portal_paths) saves its queries when known."""
    if hidden_paths is None:
        hidden_paths = hidden_portal_paths(user)
    return list(
        _with_pictures(
            _page_type("NewsPage")
            .objects.live()
            .defer_streamfields()
            .filter(_outside(hidden_paths))
            .order_by("-date", "-pk")
        )[:limit]
    )


def upcoming_events(
    *, user: AnyUser, limit: int, hidden_paths: list[str] | None = None
) -> list[EventPage]:
    """Events not yet over, soonest first, from everywhere the user may see."""
    if hidden_paths is None:
        hidden_paths = hidden_portal_paths(user)
    return list(
        _with_pictures(
            _page_type("EventPage")
            .objects.live()
            .filter(_outside(hidden_paths), end_at__gte=timezone.now())
            .order_by("start_at")
        )[:limit]
    )


def portal_news(portal: PortalPage, *, limit: int) -> list[NewsPage]:
    return list(
        _with_pictures(
            _page_type("NewsPage")
            .objects.live()
            .defer_streamfields()
            .child_of(portal)
            .order_by("-date", "-pk")
        )[:limit]
    )


def portal_upcoming_events(portal: PortalPage, *, limit: int) -> list[EventPage]:
    return list(
        _with_pictures(
            _page_type("EventPage")
            .objects.live()
            .child_of(portal)
            .filter(end_at__gte=timezone.now())
            .order_by("start_at")
        )[:limit]
    )


def portal_coming_up(portal: PortalPage, *, viewer: AnyUser, limit: int) -> list:
    """The next dates in the calendar of the portal's community (its event pages
    among them, each with its page), soonest first: what "Coming up" lists."""
    return list(portal_dates_coming(portal, viewer)[:limit])


def portal_dates_coming(portal: PortalPage, viewer: AnyUser) -> QuerySet:
    """Every date not yet over in the calendar of the portal's community that
    ``viewer`` may see, each with its event and the event's page, soonest first:
    the portal's event list (/<portal>/events/)."""
    return agenda_selectors.coming_for_community(
        viewer, portal.community
    ).select_related("event__page")


def _in_portals(model: str, portals: list[PortalPage]) -> QuerySet:
    """Live pages of type ``model`` directly below any of ``portals``."""
    return (
        _page_type(model)
        .objects.live()
        .filter(
            reduce(
                or_,
                (Q(path__startswith=p.path, depth=p.depth + 1) for p in portals),
            )
        )
    )


def _with_portals(pages: list[Page], portals: list[PortalPage]) -> list[Page]:
    """``pages`` with the portal each lives in as ``in_portal``, from ``portals``
    (a page's parent's path is its own without the last step)."""
    by_path = {p.path: p for p in portals}
    for page in pages:
        page.in_portal = by_path.get(page.path[: -Page.steplen])
    return pages


def news_in_portals(portals: list[PortalPage], *, limit: int) -> list[NewsPage]:
    """The newest news of ``portals`` (already chosen for the viewer), each with
    ``in_portal``; one query, none without portals."""
    if not portals:
        return []
    news = _with_pictures(_in_portals("NewsPage", portals).defer_streamfields())
    return _with_portals(list(news.order_by("-date", "-pk")[:limit]), portals)


def events_in_portals(portals: list[PortalPage], *, limit: int) -> list[EventPage]:
    """The next events of ``portals`` not yet over, soonest first, each with
    ``in_portal``; one query, none without portals."""
    if not portals:
        return []
    events = _with_pictures(
        _in_portals("EventPage", portals).filter(end_at__gte=timezone.now())
    )
    return _with_portals(list(events.order_by("start_at", "pk")[:limit]), portals)


def portal_news_all(portal: PortalPage, viewer: AnyUser) -> QuerySet[NewsPage]:
    """Every live news item of the portal, newest first, for its news list
    (the same for every ``viewer`` who may see the portal)."""
    return _with_pictures(
        _page_type("NewsPage")
        .objects.live()
        .defer_streamfields()
        .child_of(portal)
        .order_by("-date", "-pk")
    )


def event_point(event: EventPage, portal: PortalPage | None) -> geo.GeoPoint | None:
    """Where the event's place is, when its text says: coordinates typed as the
    place, or a place the offline gazetteer or the portal's own village knows by
    name ("Forsamlingshuset, Skovby"). No query and no network: a page never
    waits for a geocoder, and a place nobody knows simply has no map."""
    point = geo.parse_coordinates(event.place)
    if point is not None:
        return point
    community = portal.community if portal is not None else None
    extra = (
        [geo.GeoPoint(community.latitude, community.longitude, community.name)]
        if community is not None and community.has_point
        else []
    )
    return geo.gazetteer_lookup(event.place, extra)


# --- the platform's own pages


def platform_page(role: str) -> PlatformPage | None:
    """The live page with ``role`` (PlatformPage.Role), or None."""
    return _page_type("PlatformPage").objects.live().filter(role=role).first()


def platform_page_url(role: str) -> str:
    """An address of the page with ``role`` that needs no query and works on every
    host: it sends the visitor on to the page, wherever staff have put it."""
    return reverse("cms:platform_page", args=[role])


def privacy_notice_url() -> str:
    return platform_page_url("privacy")


def privacy_notice_version() -> int | None:
    """The id of the live revision of the privacy notice, or None without one."""
    return (
        _page_type("PlatformPage")
        .objects.live()
        .filter(role="privacy")
        .values_list("live_revision_id", flat=True)
        .first()
    )


def municipality_contact(request: HttpRequest | None = None) -> MunicipalitySettings:
    """The municipality's contact details (kept on ``request`` once read)."""
    return apps.get_model("cms", "MunicipalitySettings").load(request_or_site=request)
