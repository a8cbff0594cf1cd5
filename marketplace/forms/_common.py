"""What several forms share: the tag input, the choices, a point and its place."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from ..services import LocationUnknown, Place, resolve_place

TAG_INPUT = {
    "list": "tag-options",
    "autocomplete": "off",
    # With htmx, suggestions follow the typing; without it the list is preset.
    "data-hx-get": reverse_lazy("marketplace:tags"),
    "data-hx-trigger": "input changed delay:250ms",
    "data-hx-target": "#tag-options",
    "data-hx-swap": "innerHTML",
}
RADIUS_CHOICES = [(2, "2 km"), (5, "5 km"), (10, "10 km"), (25, "25 km"), (50, "50 km")]
SORT_CHOICES = [("distance", _("Nearest first")), ("newest", _("Newest first"))]


def point_fields(form: forms.Form) -> None:
    form.fields["latitude"] = forms.FloatField(
        label=_("Latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    form.fields["longitude"] = forms.FloatField(
        label=_("Longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        help_text=_("Optional: pick a point on the map, or type its coordinates."),
    )


def resolve(form: forms.Form, cleaned: dict, *, field: str = "address") -> None:
    """Geocode the address (or take the picked point); keep the result or an error."""
    lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
    if (lat is None) != (lon is None):
        form.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return
    try:
        point = resolve_place(Place(cleaned.get(field, ""), lat, lon))
    except LocationUnknown as exc:
        form.add_error(field, exc.message)
        form.location_failed = True
        return
    cleaned["place"] = Place(cleaned.get(field, ""), point.latitude, point.longitude)
