"""Wagtail page types: the municipal hub, portals, news, events, information, and
the platform's own pages (accessibility, privacy, contact, who runs it).

Fields first, then panels, search fields, and parent and child page types.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.url_routing import RouteResult

from communities import selectors as community_selectors
from hub import theme
from hub.colour import passes_aa_with_white_text

from . import home, lists, selectors
from .blocks import ContentBlocks
from .contact import ContactForm


def _image_field():
    return models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )


def _image_alt_field():
    return models.CharField(
        _("image description"),
        max_length=250,
        blank=True,
        help_text=_(
            "What the picture shows, for people who cannot see it. Needed when "
            "the page has a picture."
        ),
    )


class PictureMixin:
    """A page with an optional picture (``image``) and the words that describe it
    (``image_alt``), which a page with a picture must have.

    The description belongs to the page, not the image, since one picture can
    say different things on different pages; an image's own description in the
    library is taken when the page has none."""

    image_panels = [FieldPanel("image"), FieldPanel("image_alt")]

    def clean(self):
        super().clean()
        self.image_alt = (self.image_alt or "").strip()
        if self.image is None or self.image_alt:
            return
        described = (getattr(self.image, "description", "") or "").strip()
        if described:
            self.image_alt = described
            return
        raise ValidationError(
            {
                "image_alt": _(
                    "Describe the picture in a few words, for people who cannot see it."
                )
            }
        )


class RoutesThroughMixin:
    """Routing through a page to one below it loads the page passed through in
    one query, without its own fields (routing needs only the tree fields);
    Wagtail's own route takes two, the second for the page's type."""

    def route(self, request, path_components):
        if len(path_components) < 2:
            return super().route(request, path_components)
        try:
            subpage = (
                self.get_children().specific(defer=True).get(slug=path_components[0])
            )
        except Page.DoesNotExist as e:
            raise Http404 from e
        subpage._cached_parent_obj = self
        return subpage.route(request, path_components[1:])


class HubHomePage(RoutesThroughMixin, Page):
    """The municipality's home page: portals, news and events from everywhere."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )
    body = StreamField(ContentBlocks(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.PortalIndexPage",
        "cms.NewsPage",
        "cms.EventPage",
        "cms.InformationPage",
        "cms.PlatformPage",
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("municipal hub home")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        hidden = selectors.hidden_portal_paths(request.user)
        context.update(
            portals=selectors.portals_for_listing(
                user=request.user, near=request.GET.get("near") == "1"
            ),
            news=selectors.latest_news(user=request.user, limit=6, hidden_paths=hidden),
            events=selectors.upcoming_events(
                user=request.user, limit=6, hidden_paths=hidden
            ),
            near=request.GET.get("near") == "1",
        )
        if request.user.is_authenticated:
            context["home"] = home.personal_home(
                user=request.user, portals=context["portals"]
            )
        return context

    def get_template(self, request, *args, **kwargs):
        """A resident who is logged in gets her own home; a visitor the hub's."""
        if request.user.is_authenticated:
            return "cms/home_personal.html"
        return super().get_template(request, *args, **kwargs)


class PortalIndexPage(RoutesThroughMixin, Page):
    """A section of the hub that holds portals, such as "Villages"."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["cms.HubHomePage"]
    subpage_types = ["cms.PortalPage"]

    class Meta:
        verbose_name = _("portal section")

    def route(self, request, path_components):
        # The portal itself or one of its lists (news/, events/).
        if not (
            len(path_components) == 1
            or (len(path_components) == 2 and path_components[1] in lists.LISTS)
        ):
            return super().route(request, path_components)
        # The portal with its community and member count, in one query.
        portal = selectors.portal_for_route(parent=self, slug=path_components[0])
        if portal is None:
            raise Http404
        portal._cached_parent_obj = self
        return portal.route(request, path_components[1:])

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["portals"] = selectors.portals_for_listing(
            user=request.user, parent=self
        )
        return context


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f6f43."))


class PortalPage(PictureMixin, RoutesThroughMixin, Page):
    """The home of one village or association, tied to its community."""

    community = models.OneToOneField(
        "communities.Community",
        on_delete=models.PROTECT,
        related_name="portal_page",
        verbose_name=_("community"),
    )
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )
    body = StreamField(ContentBlocks(), blank=True, verbose_name=_("body"))
    theme_colour = models.CharField(
        _("theme colour"),
        max_length=7,
        blank=True,
        validators=[hex_colour],
        help_text=_("Used behind white text, so it must be dark enough to read."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo"),
    )
    image = _image_field()
    image_alt = _image_alt_field()
    # Where the portal's editors upload images and documents. Documents in it (and
    # below it) of a members-only portal are served to its members only.
    documents_collection = models.ForeignKey(
        "wagtailcore.Collection",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("collection"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(PictureMixin.image_panels, heading=_("Picture")),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("theme_colour"), FieldPanel("logo")], heading=_("Look")
        ),
    ]
    settings_panels = [
        *Page.settings_panels,
        FieldPanel("community", permission="superuser"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["cms.PortalIndexPage"]
    subpage_types = ["cms.NewsPage", "cms.EventPage", "cms.InformationPage"]
    # A copy would share the original's documents (and its members-only rule).
    exclude_fields_in_copy = ["documents_collection"]

    class Meta:
        verbose_name = _("portal")

    def with_content_json(self, content):
        """Publishing or previewing a revision keeps the portal's collection: it is
        set by the services, not edited, so an older revision must not undo it."""
        obj = super().with_content_json(content)
        obj.documents_collection_id = self.documents_collection_id
        return obj

    def clean(self):
        super().clean()
        if self.theme_colour and not passes_aa_with_white_text(self.theme_colour):
            raise ValidationError(
                {
                    "theme_colour": _(
                        "White text on this colour is hard to read (WCAG AA needs a "
                        "contrast of 4.5:1). Choose a darker colour."
                    )
                }
            )

    @property
    def safe_theme_colour(self) -> str:
        """The theme colour, or "" when white text on it would fail AA contrast."""
        return self.theme_colour if passes_aa_with_white_text(self.theme_colour) else ""

    @property
    def theme_tokens(self) -> str:
        """The theme colour as the design system's accent tokens: declarations
        for a :root rule (hub.theme), or "" when the portal has no usable colour."""
        colour = self.safe_theme_colour
        return theme.accent_declarations(colour) if colour else ""

    def route(self, request, path_components):
        """news/ and events/ are the portal's own lists (cms.lists)."""
        if len(path_components) == 1 and path_components[0] in lists.LISTS:
            if not self.live:
                raise Http404
            return RouteResult(self, kwargs={"portal_list": path_components[0]})
        return super().route(request, path_components)

    def get_template(self, request, *args, portal_list=None, **kwargs):
        if portal_list is not None:
            return lists.LISTS[portal_list].template
        return super().get_template(request, *args, **kwargs)

    def get_context(self, request, *args, portal_list=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if portal_list is not None:
            context["portal"] = self
            context.update(lists.list_context(request, portal=self, name=portal_list))
            return context
        community = self.community
        membership = community_selectors.membership_get(
            user=request.user, community=community
        )
        context.update(
            portal=self,
            news=selectors.portal_news(self, limit=5),
            events=selectors.portal_coming_up(self, viewer=request.user, limit=5),
            # Titles and URLs only: the generic pages need no .specific() query.
            info_pages=self.get_children().live().type(InformationPage),
            members_count=selectors.portal_member_count(
                viewer=request.user, portal=self
            ),
            membership=membership,
            # An active organiser needs no further query; others may be staff.
            can_manage=(membership is not None and membership.is_organiser)
            or community_selectors.is_municipal_staff(request.user),
        )
        return context


class InPortalMixin:
    """Pages that may live inside a portal show its name and colours."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["portal"] = selectors.portal_for_page(self)
        return context


class NewsPage(PictureMixin, InPortalMixin, Page):
    """A news item of the municipality or of one portal."""

    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.CharField(_("summary"), max_length=300, blank=True)
    image = _image_field()
    image_alt = _image_alt_field()
    body = StreamField(ContentBlocks(), blank=True, verbose_name=_("body"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        MultiFieldPanel(PictureMixin.image_panels, heading=_("Picture")),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["cms.HubHomePage", "cms.PortalPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")


class EventPage(PictureMixin, InPortalMixin, Page):
    """Something that happens at a place and time."""

    start_at = models.DateTimeField(_("starts"))
    end_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200)
    description = RichTextField(
        _("description"), features=["bold", "italic", "link", "ol", "ul"]
    )
    image = _image_field()
    image_alt = _image_alt_field()
    # Its date, sign-ups and feeds in the calendar (cms/agenda_sync.py).
    agenda_event = models.OneToOneField(
        "agenda.Event",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="page",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("start_at"), FieldPanel("end_at"), FieldPanel("place")],
            heading=_("When and where"),
        ),
        MultiFieldPanel(PictureMixin.image_panels, heading=_("Picture")),
        FieldPanel("description"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("description"),
        index.SearchField("place"),
    ]

    parent_page_types = ["cms.HubHomePage", "cms.PortalPage"]
    subpage_types: list[str] = []
    # A copy is a new event: it gets its own calendar event when published.
    exclude_fields_in_copy = ["agenda_event"]

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        point = selectors.event_point(self, context["portal"])
        if point is not None:
            context["map_config"] = {
                "tiles": settings.NABOLAG_MAP_TILE_URL,
                "attribution": settings.NABOLAG_MAP_TILE_ATTRIBUTION,
                "point": [point.latitude, point.longitude],
                "title": self.place,
            }
        return context

    def clean(self):
        super().clean()
        if self.start_at and self.end_at and self.end_at < self.start_at:
            raise ValidationError(
                {"end_at": _("An event cannot end before it starts.")}
            )


class InformationPage(InPortalMixin, Page):
    """Practical information: opening hours, rules, documents."""

    intro = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(ContentBlocks(), blank=True, verbose_name=_("body"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["cms.HubHomePage", "cms.PortalPage", "cms.InformationPage"]
    subpage_types = ["cms.InformationPage"]

    class Meta:
        verbose_name = _("information page")


class PlatformPage(Page):
    """A page about the platform itself, kept by the municipality: the
    accessibility statement, the privacy notice, the contact page, the page on
    who runs Nabolag and the rules for everyone. Each has a stable role the
    footer and sign-up find it by, whatever staff call it or wherever they move
    it; pages without a role are further pages of the same kind (terms of use,
    say)."""

    class Role(models.TextChoices):
        ACCESSIBILITY = "accessibility", _("Accessibility statement")
        PRIVACY = "privacy", _("Privacy notice")
        CONTACT = "contact", _("Contact")
        ABOUT = "about", _("Who runs Nabolag")
        RULES = "rules", _("Rules for everyone")

    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text=_(
            "What the page is for. The footer and sign-up link to the page with "
            "each role; only one page can have a role."
        ),
    )
    intro = models.CharField(_("summary"), max_length=300, blank=True)
    body = StreamField(ContentBlocks(), blank=True, verbose_name=_("body"))
    prepared_on = models.DateField(_("prepared on"), null=True, blank=True)
    reviewed_on = models.DateField(
        _("last reviewed on"),
        null=True,
        blank=True,
        help_text=_("Change it each time you check that the text is still right."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("prepared_on"), FieldPanel("reviewed_on")],
            heading=_("Dates shown on the page"),
        ),
    ]
    settings_panels = [
        *Page.settings_panels,
        FieldPanel("role", permission="superuser"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["cms.HubHomePage"]
    subpage_types: list[str] = []
    # A copy is a new page: the role stays with the original.
    exclude_fields_in_copy = ["role"]

    class Meta:
        verbose_name = _("platform page")
        constraints = [
            models.UniqueConstraint(
                fields=["role"],
                condition=~Q(role=""),
                name="cms_platformpage_one_page_per_role",
                violation_error_message=_("Another page already has this role."),
            )
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.role in (self.Role.CONTACT, self.Role.PRIVACY):
            context["municipality"] = selectors.municipality_contact(request)
        if self.role == self.Role.CONTACT:
            context.setdefault("form", ContactForm.for_user(request.user))
        return context


@register_setting(icon="site")
class MunicipalitySettings(BaseGenericSetting):
    """How residents reach the municipality that runs the platform. The contact
    page and the privacy notice show them; the contact form writes to ``email``."""

    address = models.TextField(
        _("postal address"),
        blank=True,
        help_text=_("The town hall's address, as it is written on a letter."),
    )
    email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("Where the contact form sends residents' messages."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_hours = models.CharField(
        _("phone hours"),
        max_length=120,
        blank=True,
        help_text=_("For example: Monday to Friday 9-15."),
    )
    dpo_email = models.EmailField(
        _("data protection officer's e-mail"),
        blank=True,
        help_text=_("Shown in the privacy notice."),
    )

    panels = [
        FieldPanel("address"),
        FieldPanel("email"),
        FieldPanel("phone"),
        FieldPanel("phone_hours"),
        FieldPanel("dpo_email"),
    ]

    class Meta:
        verbose_name = _("municipality's contact details")
