from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from hub.colour import passes_aa_with_white_text

from .models import PortalIndexPage


class PortalCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=80,
        help_text=_("Used in the address, e.g. skovby."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Community.Kind.choices)
    parent = forms.ModelChoiceField(
        label=_("Section"), queryset=PortalIndexPage.objects.all(), empty_label=None
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    join_policy = forms.ChoiceField(
        label=_("Who can join"), choices=Community.JoinPolicy.choices
    )
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Community.Visibility.choices
    )
    latitude = forms.FloatField(
        label=_("Latitude"), required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        label=_("Longitude"), required=False, min_value=-180, max_value=180
    )
    radius_km = forms.IntegerField(
        label=_("Radius (km)"), min_value=1, max_value=200, initial=3
    )
    theme_colour = forms.RegexField(
        label=_("Theme colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        required=False,
        error_messages={"invalid": _("Use a colour like #1f6f43.")},
    )
    hostname = forms.CharField(
        label=_("Own host name (optional)"),
        required=False,
        max_length=255,
        help_text=_(
            "For example skovby.example.dk. Leave empty to use the hub's address."
        ),
    )
    port = forms.IntegerField(label=_("Port"), initial=80, min_value=1, max_value=65535)
    organiser_email = forms.EmailField(
        label=_("First organiser's e-mail"), required=False
    )

    def clean_theme_colour(self) -> str:
        colour = self.cleaned_data["theme_colour"]
        if colour and not passes_aa_with_white_text(colour):
            raise forms.ValidationError(
                _("White text on this colour is hard to read. Choose a darker colour.")
            )
        return colour

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(
                _("Give both latitude and longitude, or neither.")
            )
        return data
