from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_display_name


class EmailUserManager(UserManager):
    """Users log in with their e-mail address; there is no username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person (or an organisation's staff member) with a public profile."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_("The name other residents see."),
        validators=[validate_display_name],
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
    )
    home_community = models.ForeignKey(
        "communities.Community",
        verbose_name=_("home village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"kind": "village"},
    )
    bio = models.TextField(_("about me"), max_length=500, blank=True)
    # When the person accepted the privacy notice at sign-up, and which version
    # (the id of the notice page's live revision then). Empty for accounts made
    # before sign-up asked, or made by staff in the admin.
    privacy_accepted_at = models.DateTimeField(
        _("privacy notice accepted"), null=True, blank=True, editable=False
    )
    privacy_notice_version = models.PositiveBigIntegerField(
        _("privacy notice version"), null=True, blank=True, editable=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.email.split("@", 1)[0]

    # Wagtail's admin asks for these.
    def get_full_name(self) -> str:
        return self.public_name

    def get_short_name(self) -> str:
        return self.public_name


class ApiToken(models.Model):
    """A personal access token for the JSON API, for a person's own programs (a
    contractor's planning system, say), sent as ``Authorization: Bearer <secret>``.

    The secret is shown once when the token is made (accounts.tokens) and never
    kept: only its SHA-256 digest is. ``prefix`` is the secret's public part, so
    a person can tell their tokens apart."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        # Not "api_tokens": Wagtail's own APIToken (its content API's) has that.
        related_name="access_tokens",
    )
    name = models.CharField(
        _("name"),
        max_length=80,
        help_text=_("What uses the token, for example “Planning system”."),
    )
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name
