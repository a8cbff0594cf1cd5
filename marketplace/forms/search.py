"""The search form: filters, and the centre of a radius search."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from hub import geo

from .. import selectors
from ..models import Category, Listing
from ..services import PlaceUnknown
from ._common import RADIUS_CHOICES, SORT_CHOICES, TAG_INPUT


def _coordinate_field(low: int, high: int, message) -> forms.FloatField:
    """A hidden coordinate: a finite number in range, or the one clear message."""
    errors = {"invalid": message, "min_value": message, "max_value": message}
    return forms.FloatField(
        required=False,
        min_value=low,
        max_value=high,
        widget=forms.HiddenInput,
        error_messages=errors,
    )


class SearchForm(forms.Form):
    """The search filters; ``clean`` also finds the centre of a radius search."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    near = forms.CharField(
        label=_("Near"),
        required=False,
        max_length=120,
        help_text=_("An address or a place. Empty: your home village."),
    )
    radius = forms.TypedChoiceField(
        label=_("Within"),
        choices=RADIUS_CHOICES,
        coerce=int,
        initial=10,
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *Listing.Kind.choices],
        required=False,
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *Category.choices],
        required=False,
    )
    tag = forms.CharField(
        label=_("Tag"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs=TAG_INPUT),
    )
    community = forms.ModelChoiceField(
        label=_("Shared in"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("Any community"),
        to_field_name="slug",
    )
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)
    lat = _coordinate_field(
        -90, 90, _("The point's latitude must be a number from -90 to 90.")
    )
    lon = _coordinate_field(
        -180, 180, _("The point's longitude must be a number from -180 to 180.")
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("Choose a page number from 1 up."),
            "min_value": _("Choose a page number from 1 up."),
        },
    )

    PRIMARY = ("q", "near", "radius")

    def __init__(self, *args, communities, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.viewer = viewer

    def clean(self):
        cleaned = super().clean()
        if self.has_error("lat") or self.has_error("lon"):
            return cleaned
        lat, lon = cleaned.get("lat"), cleaned.get("lon")
        near = (cleaned.get("near") or "").strip()
        if (lat is None) != (lon is None):
            self.add_error(None, _("Give both latitude and longitude, or neither."))
        elif lat is not None:
            cleaned["centre"] = geo.GeoPoint(lat, lon, _("the chosen point"))
        elif near:
            cleaned["centre"] = geo.geocode(
                near, extra_places=selectors.community_places()
            )
            if cleaned["centre"] is None:
                self.add_error("near", PlaceUnknown(near).message)
        return cleaned

    def search_filters(self) -> dict:
        """The arguments of ``selectors.listing_search``: every filter that is valid.

        A place or point that failed gives no centre (never a silent other one);
        the other filters still apply. Unbound: around the viewer's home village.
        """
        if not self.is_bound:
            centre = selectors.user_centre(self.viewer)
            data = {}
        else:
            self.is_valid()
            data = self.cleaned_data
            located = not (
                self.has_error("lat")
                or self.has_error("lon")
                or self.has_error("near")
                or self.has_error(NON_FIELD_ERRORS)
            )
            centre = data.get("centre") if located else None
            if located and "centre" not in data:
                centre = selectors.user_centre(self.viewer)
        return {
            "latitude": centre.latitude if centre else None,
            "longitude": centre.longitude if centre else None,
            "centre": centre,
            "radius_km": data.get("radius") or 10,
            "text": data.get("q", ""),
            "kind": data.get("kind", ""),
            "category": data.get("category", ""),
            "tag": data.get("tag", ""),
            "community": data.get("community"),
            "sort": data.get("sort") or "distance",
            "page": data.get("page") or 1,
        }

    def primary_fields(self) -> list:
        return [self[name] for name in self.PRIMARY]

    def more_fields(self) -> list:
        """The filters behind "More filters", folded away until one is used."""
        return [f for f in self.visible_fields() if f.name not in self.PRIMARY]

    def hidden_errors(self) -> list[str]:
        """Errors of the hidden point and page, shown with the form's own errors."""
        return [e for f in self.hidden_fields() for e in f.errors]

    @property
    def more_in_use(self) -> bool:
        for bound in self.more_fields():
            if bound.errors:
                return True
            value = self.data.get(bound.name, "") if self.is_bound else ""
            choices = getattr(bound.field, "choices", None)
            default = str(next(iter(choices))[0]) if choices else ""
            if value not in ("", default):
                return True
        return False
