import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hub.models import Located, TimeStampedModel

# The longest house rules a community may have, in characters.
HOUSE_RULES_MAX_LENGTH = 5000


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Community(TimeStampedModel, Located):
    """A village, an association or a contractor organisation."""

    class Kind(models.TextChoices):
        VILLAGE = "village", _("Village")
        ASSOCIATION = "association", _("Association")
        CONTRACTOR = "contractor", _("Contractor")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Anyone can join")
        APPROVAL = "approval", _("Organisers approve requests")
        INVITATION = "invitation", _("By invitation only")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Members only")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("description"), blank=True)
    radius_km = models.PositiveIntegerField(
        _("radius (km)"), default=3, validators=[MaxValueValidator(200)]
    )
    join_policy = models.CharField(
        _("who can join"),
        max_length=16,
        choices=JoinPolicy.choices,
        default=JoinPolicy.OPEN,
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=16,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    house_rules = models.TextField(
        _("house rules"),
        max_length=HOUSE_RULES_MAX_LENGTH,
        blank=True,
        # In the database too: rows written by code that predates the column
        # (an older migration's model, a data migration) get no rules.
        db_default="",
        help_text=_(
            "What the organisers ask of everyone here, on top of the platform's "
            "rules. A new member reads and accepts them on joining."
        ),
    )
    house_rules_updated_at = models.DateTimeField(
        _("house rules updated at"), null=True, blank=True
    )
    editors_group = models.OneToOneField(
        "auth.Group",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="edited_community",
        help_text=_("Organisers are kept in this group; it may edit the portal."),
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]
        permissions = [
            ("manage_all", _("Can manage every community (municipal staff)"))
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="community_point_complete",
            ),
        ]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class Membership(TimeStampedModel):
    """One person's relation to one community, with its role and state."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        ORGANISER = "organiser", _("Organiser")
        STAFF = "staff", _("Staff")

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        REQUESTED = "requested", _("Requested")
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")
        REMOVED = "removed", _("Removed")
        DECLINED = "declined", _("Declined")

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("role"), max_length=16, choices=Role.choices, default=Role.MEMBER
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    # Set when an organiser removes the member, cleared only when a personal
    # invitation brings them back: it outlives later states such as "invited".
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    # When the member accepted the community's house rules on joining; None when
    # it had none then, or for members from before house rules.
    rules_accepted_at = models.DateTimeField(
        _("house rules accepted at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"], name="membership_unique_per_community"
            ),
        ]
        indexes = [
            models.Index(fields=["community", "state", "role"]),
            models.Index(fields=["user", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.role}, {self.state})"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def was_removed(self) -> bool:
        """Removed by an organiser and not brought back by a personal invitation,
        whatever state came after (invited, left)."""
        return self.state == self.State.REMOVED or self.removed_at is not None

    @property
    def is_organiser(self) -> bool:
        return self.is_active and self.role == self.Role.ORGANISER


class Invitation(TimeStampedModel):
    """An invitation by e-mail (to one address) or by link (to whoever holds it)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Membership.Role.choices,
        default=Membership.Role.MEMBER,
    )
    token = models.CharField(max_length=64, unique=True, default=_new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires"))
    max_uses = models.PositiveIntegerField(_("maximum uses"), default=1)
    uses = models.PositiveIntegerField(_("uses"), default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")),
                name="invitation_uses_bound",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community}: {self.email or 'link'}"

    @property
    def is_link(self) -> bool:
        return not self.email

    def get_absolute_url(self) -> str:
        return reverse("communities:invitation", kwargs={"token": self.token})
