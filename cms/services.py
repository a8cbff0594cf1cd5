"""Writes that span the CMS and the communities: creating a portal, setting up
the hub with the platform's own pages, and a resident's message to the
municipality."""

import logging

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from wagtail.coreutils import (
    find_available_slug,
    get_supported_content_language_variant,
)
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
)

from accounts.models import User
from communities import services as community_services
from communities.models import Community, Membership
from communities.selectors import AnyUser, is_municipal_staff
from hub import ratelimit
from hub.errors import Conflict
from hub.oncommit import on_commit

from . import defaults, selectors
from .models import (
    HubHomePage,
    MunicipalitySettings,
    PlatformPage,
    PortalIndexPage,
    PortalPage,
)
from .tasks import send_contact_email

logger = logging.getLogger(__name__)

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
MEDIA_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "choose_image"),
    ("wagtailimages", "change_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtaildocs", "change_document"),
)


class PortalError(community_services.MembershipError):
    default_message = _("The portal could not be created.")


def _grant_portal_permissions(community: Community, portal: PortalPage) -> Collection:
    """Let the editors group edit the portal's pages and its own collection of
    images and documents; return that collection."""
    group = community.editors_group
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
    )
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.create(
            group=group, page=portal, permission_type=codename.split("_")[0]
        )
    collection = Collection.get_first_root_node().add_child(name=community.name)
    for app_label, codename in MEDIA_PERMISSIONS:
        GroupCollectionPermission.objects.create(
            group=group,
            collection=collection,
            permission=Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            ),
        )
    return collection


def _documents_privacy_sync(portal: PortalPage) -> None:
    """Mirror the community's visibility on the portal's collection.

    A members-only portal's collection carries a login restriction, so Wagtail
    shows it as private and sends visitors to log in; the ``before_serve_document``
    hook (cms.wagtail_hooks) then lets only members, editors and staff through.
    """
    collection = portal.documents_collection
    if collection is None:
        return
    restrictions = CollectionViewRestriction.objects.filter(
        collection=collection, restriction_type=CollectionViewRestriction.LOGIN
    )
    if portal.community.is_public:
        restrictions.delete()
    elif not restrictions.exists():
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )


def _portal_page_publish(
    *,
    actor: User,
    parent: PortalIndexPage,
    community: Community,
    intro: str,
    theme_colour: str,
) -> PortalPage:
    """Add the portal page below ``parent`` with its editors' rights and collection,
    and publish it as its first revision: live, with no draft beside it."""
    portal = PortalPage(
        title=community.name,
        slug=community.slug,
        community=community,
        intro=intro,
        theme_colour=theme_colour,
        live=False,
    )
    parent.add_child(instance=portal)
    portal.documents_collection = _grant_portal_permissions(community, portal)
    portal.save(update_fields=["documents_collection"])
    # The caller checked that the actor is municipal staff, who may create portals
    # whether or not they hold Wagtail's publish permission on the section.
    portal.save_revision(user=actor, log_action=False).publish(
        user=actor, skip_permission_checks=True
    )
    portal.refresh_from_db()
    return portal


@transaction.atomic
def portal_create(
    *,
    actor: User,
    parent: PortalIndexPage,
    name: str,
    slug: str,
    kind: str,
    description: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    radius_km: int = 3,
    join_policy: str = Community.JoinPolicy.OPEN,
    visibility: str = Community.Visibility.PUBLIC,
    theme_colour: str = "",
    hostname: str = "",
    port: int = 80,
    organiser_email: str = "",
) -> PortalPage:
    """Create a community, its portal page, an optional site and its editors' rights,
    and invite the first organiser, all in one transaction. Municipal staff only."""
    if not is_municipal_staff(actor):
        raise community_services.NotPermitted
    if Community.objects.filter(slug=slug).exists():
        raise PortalError(_("A community with this address already exists."))
    if hostname and Site.objects.filter(hostname=hostname, port=port).exists():
        raise PortalError(_("This host name is already in use."))
    community = community_services.community_create(
        actor=actor,
        name=name,
        slug=slug,
        kind=kind,
        description=description,
        latitude=latitude,
        longitude=longitude,
        radius_km=radius_km,
        join_policy=join_policy,
        visibility=visibility,
    )
    portal = _portal_page_publish(
        actor=actor,
        parent=parent,
        community=community,
        intro=f"<p>{escape(description)}</p>" if description else "",
        theme_colour=theme_colour,
    )
    _documents_privacy_sync(portal)
    if hostname:
        Site.objects.create(
            hostname=hostname, port=port, root_page=portal, site_name=name
        )
    if organiser_email:
        community_services.invitation_create(
            actor=actor,
            community=community,
            email=organiser_email,
            role=Membership.Role.ORGANISER,
        )
    logger.info("portal %s created by %s", slug, actor.pk)
    return portal


@transaction.atomic
def portal_visibility_set(
    *, actor: User, portal: PortalPage, visibility: str
) -> PortalPage:
    """Make a portal public or members-only, and its documents with it.

    Municipal staff only. The collection's view restriction follows in the same
    transaction, so documents are never more open than the portal's pages.
    """
    if not is_municipal_staff(actor):
        raise community_services.NotPermitted
    if visibility not in Community.Visibility.values:
        raise PortalError(_("Unknown visibility."))
    community = portal.community
    community.visibility = visibility
    community.save(update_fields=["visibility", "updated_at"])
    _documents_privacy_sync(portal)
    logger.info("portal %s made %s by %s", community.slug, visibility, actor.pk)
    return portal


def portal_index_for_kind(kind: str) -> PortalIndexPage | None:
    """The section where portals of ``kind`` live (by the section's slug)."""
    slug = {
        Community.Kind.VILLAGE: "villages",
        Community.Kind.ASSOCIATION: "associations",
        Community.Kind.CONTRACTOR: "contractors",
    }.get(kind)
    return (
        PortalIndexPage.objects.filter(slug=slug).first()
        or PortalIndexPage.objects.first()
    )


MUNICIPAL_STAFF_GROUP = "Municipal staff"
MUNICIPAL_PAGE_PERMISSIONS = (
    "add",
    "change",
    "publish",
    "bulk_delete",
    "lock",
    "unlock",
)


def municipal_staff_group_ensure() -> Group:
    """The group that makes its members municipal staff. Idempotent.

    ``communities.manage_all`` lets them manage every community; Wagtail's own
    permissions on the page tree's root and the root collection let them edit every
    page, image and document. Add staff to it in the admin's user settings.
    """
    group, _created = Group.objects.get_or_create(name=MUNICIPAL_STAFF_GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label="communities", codename="manage_all")
            | Q(content_type__app_label="wagtailadmin", codename="access_admin")
            | Q(
                content_type__app_label="wagtailcore",
                codename__in=["add_site", "change_site"],
            )
        )
    )
    root = Page.get_first_root_node()
    for kind in MUNICIPAL_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=root,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=f"{kind}_page"
            ),
        )
    # The municipality's contact details (Settings in the admin).
    group.permissions.add(
        Permission.objects.get(
            content_type__app_label="cms", codename="change_municipalitysettings"
        )
    )
    collection = Collection.get_first_root_node()
    for permission in Permission.objects.filter(
        content_type__app_label__in=["wagtailimages", "wagtaildocs"]
    ):
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )
    return group


HUB_SECTIONS = (
    ("villages", _("Villages")),
    ("associations", _("Associations")),
)


def _tree_roots_ensure() -> Page:
    """The page tree's root, with the default locale and the root collection.

    Wagtail's migrations create them, but a flushed database (``manage.py flush``,
    or the transactional tests of the browser suite) has none of them.
    """
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    return root


@transaction.atomic
def hub_ensure(
    *, title: str, hostname: str = "localhost", port: int = 80
) -> HubHomePage:
    """Make sure the site has a hub home, its portal sections and the municipal
    staff group. Idempotent.

    Replaces Wagtail's initial welcome page when it is still the untouched default.
    """
    hub = HubHomePage.objects.first()
    if hub is None:
        root = _tree_roots_ensure()
        for child in root.get_children():
            if child.specific_class is Page and child.get_children_count() == 0:
                Site.objects.filter(root_page=child).delete()
                child.delete()
        hub = HubHomePage(title=title, slug="home")
        root.add_child(instance=hub)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=hub,
            is_default_site=True,
            site_name=title,
        )
    elif site.root_page_id != hub.pk:
        site.root_page = hub
        site.site_name = title
        site.save()
    for slug, section_title in HUB_SECTIONS:
        if not PortalIndexPage.objects.child_of(hub).filter(slug=slug).exists():
            hub.add_child(instance=PortalIndexPage(title=str(section_title), slug=slug))
    platform_pages_ensure(hub=hub)
    MunicipalitySettings.load()  # its one row, so a page view never writes it
    municipal_staff_group_ensure()
    return hub


def platform_pages_ensure(*, hub: HubHomePage) -> list[PlatformPage]:
    """Give the hub each platform page it lacks (accessibility statement, privacy
    notice, contact, who runs Nabolag, the rules for everyone), with the default
    texts of cms.defaults in the active language, published as a first revision.
    Idempotent: a page with the role, live or not, wherever it is, is left as
    staff have made it."""
    have = set(PlatformPage.objects.exclude(role="").values_list("role", flat=True))
    today = timezone.localdate()
    made = []
    for text in defaults.platform_pages(
        municipality=settings.NABOLAG_MUNICIPALITY_NAME,
        contact_url=selectors.platform_page_url(PlatformPage.Role.CONTACT),
    ):
        if text.role in have:
            continue
        page = PlatformPage(
            role=text.role,
            title=text.title,
            slug=find_available_slug(hub, text.slug),
            intro=text.intro,
            body=text.body,
            prepared_on=today,
            reviewed_on=today,
            live=False,
        )
        hub.add_child(instance=page)
        page.save_revision(log_action=False).publish(skip_permission_checks=True)
        made.append(page)
    return made


# --- a resident writes to the municipality


class ContactUnavailable(Conflict):
    default_message = _(
        "The municipality has not given an address for messages yet. Please call "
        "or write to it instead."
    )


def contact_message_send(
    *, sender: AnyUser, name: str, email: str, message: str
) -> None:
    """E-mail a message from the contact page to the municipality's contact
    address (its settings), after commit, with the sender's address to reply to.

    Counted per person (``contact-send``): by account when logged in, else by
    the address given; visitors together have a limit of their own
    (``contact-send-visitors``), so a script cannot fill the moderators' inbox
    by making up addresses."""
    to = selectors.municipality_contact().email
    if not to:
        raise ContactUnavailable
    if sender.is_authenticated:
        ratelimit.hit("contact-send", key=f"user:{sender.pk}")
    else:
        ratelimit.hit("contact-send", key=f"email:{email.strip().lower()}")
        ratelimit.hit("contact-send-visitors", key="all")
    account = sender.email if sender.is_authenticated else ""
    on_commit(
        lambda: send_contact_email.enqueue(
            to=to, name=name, email=email, message=message, account=account
        ),
        what="contact message e-mail",
    )
    logger.info(
        "contact message from %s", f"user {sender.pk}" if account else "a visitor"
    )
