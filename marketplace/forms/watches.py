"""A saved search: categories and kinds within a distance of a place."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Category, Listing
from ..services import Place
from ._common import RADIUS_CHOICES, point_fields, resolve


class WatchForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=_("Categories"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    kinds = forms.MultipleChoiceField(
        label=_("Only these kinds (optional)"),
        choices=Listing.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    radius_km = forms.TypedChoiceField(
        label=_("Within"), choices=RADIUS_CHOICES, coerce=int, initial=5
    )
    address = forms.CharField(
        label=_("Around"),
        max_length=120,
        required=False,
        help_text=_("An address or a place. Empty: your home village."),
    )

    def __init__(self, *args, default_centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_centre = default_centre
        self.location_failed = False
        point_fields(self)

    def clean(self):
        cleaned = super().clean()
        if (
            not (cleaned.get("address") or "").strip()
            and cleaned.get("latitude") is None
        ):
            if self.default_centre is None:
                self.add_error("address", _("Type an address or a place."))
                return cleaned
            centre = self.default_centre
            cleaned["place"] = Place(centre.label, centre.latitude, centre.longitude)
            return cleaned
        resolve(self, cleaned)
        return cleaned
