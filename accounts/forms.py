import re

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm as WagtailBaseCreationForm
from wagtail.users.forms import UserEditForm as WagtailBaseEditForm

from . import privacy, tokens
from .models import User
from .validators import validate_display_name

# C0 controls HTML cannot carry (all but tab, line feed and carriage return).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class NameInput(forms.TextInput):
    """Shows a refused name's control characters as U+FFFD when the form comes back:
    a page may not contain them, and the error names them."""

    def format_value(self, value):
        value = super().format_value(value)
        return None if value is None else _CONTROL.sub("\ufffd", value)


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        widget=NameInput,
        help_text=_("The name other residents see, for example “Karen from Skovby”."),
        # A plain form: the model's validators do not run by themselves.
        validators=[validate_display_name],
    )

    privacy_accepted = forms.BooleanField(
        label=_("I have read the privacy notice and accept it"),
        error_messages={
            "required": _(
                "To sign up, read the privacy notice and tick the box to accept it."
            )
        },
    )

    field_order = [
        "display_name",
        "email",
        "password1",
        "password2",
        "privacy_accepted",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = privacy.privacy_notice_url()
        if url:
            self.fields["privacy_accepted"].help_text = format_html(
                '<a href="{}">{}</a>',
                url,
                _("Read the privacy notice: what we keep about you, and why"),
            )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.preferred_language = getattr(request, "LANGUAGE_CODE", "") or ""
        user.privacy_accepted_at = timezone.now()
        user.privacy_notice_version = privacy.privacy_notice_version()
        user.save(
            update_fields=[
                "display_name",
                "preferred_language",
                "privacy_accepted_at",
                "privacy_notice_version",
            ]
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "preferred_language", "home_community", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4}), "display_name": NameInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["preferred_language"].choices = [
            ("", _("Follow my browser")),
            *settings.LANGUAGES,
        ]


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, and when it stops working. The service
    (accounts.tokens.token_create) checks the values; the form reads them."""

    name = forms.CharField(
        label=_("Name"),
        max_length=tokens.NAME_MAX_LENGTH,
        widget=NameInput(attrs={"autocomplete": "off"}),
        help_text=_("What will use the token, for example “Planning system”."),
        error_messages={"required": tokens.NAME_REQUIRED},
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        # The range is the service's to check, with its message; these only
        # tell the browser's keyboard and the reader.
        widget=forms.NumberInput(
            attrs={"min": 1, "max": tokens.MAX_EXPIRY_DAYS, "inputmode": "numeric"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filled in here, in the request's language (a lazy message filled in at
        # import would be in the language of the moment it was imported).
        self.fields["expires_in_days"].help_text = gettext(
            "Leave it empty for a token that works until you revoke it, or give "
            "a number of days from 1 to %(count)d."
        ) % {"count": tokens.MAX_EXPIRY_DAYS}


def _admin_display_name() -> forms.CharField:
    return forms.CharField(
        label=_("Display name"), max_length=80, validators=[validate_display_name]
    )


class WagtailUserEditForm(WagtailBaseEditForm):
    display_name = _admin_display_name()


class WagtailUserCreationForm(WagtailBaseCreationForm):
    display_name = _admin_display_name()
