"""Forms: validate what people type; the services decide what may happen."""

import uuid

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community, Membership
from hub import geo

from . import images, selectors
from .models import Category, Listing
from .services import (
    ListingFields,
    ListingInvalid,
    LocationUnknown,
    Place,
    PlaceUnknown,
    resolve_place,
)

TAG_INPUT = {
    "list": "tag-options",
    "autocomplete": "off",
    # With htmx, suggestions follow the typing; without it the list is preset.
    "hx-get": reverse_lazy("marketplace:tags"),
    "hx-trigger": "input changed delay:250ms",
    "hx-target": "#tag-options",
    "hx-swap": "innerHTML",
}
RADIUS_CHOICES = [(2, "2 km"), (5, "5 km"), (10, "10 km"), (25, "25 km"), (50, "50 km")]
SORT_CHOICES = [("distance", _("Nearest first")), ("newest", _("Newest first"))]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > images.MAX_PHOTOS:
            raise ValidationError(_("Choose at most 4 photos."))
        for upload in files:
            try:
                images.check_photo(upload)
            except images.PhotoInvalid as exc:
                raise ValidationError(
                    _("%(name)s: %(problem)s")
                    % {"name": upload.name, "problem": exc.message}
                ) from exc
        return files


def _point_fields(form: forms.Form) -> None:
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


def _resolve(form: forms.Form, cleaned: dict, *, field: str = "address") -> None:
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


class ListingForm(forms.Form):
    kind = forms.ChoiceField(label=_("What is it?"), choices=Listing.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=300,
        help_text=_("Separate with commas, for example: trailer, moving"),
        widget=forms.TextInput(attrs=TAG_INPUT),
    )
    communities = forms.ModelMultipleChoiceField(
        label=_("Share in"),
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    everyone_nearby = forms.BooleanField(label=_("Everyone nearby"), required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=255,
        required=False,
        help_text=_(
            "Only shown to the person you agree with. Others see an area of a few "
            "hundred metres and a rounded distance."
        ),
    )
    starts_at = forms.DateTimeField(
        label=_("From (optional)"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
    )
    ends_at = forms.DateTimeField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("The listing expires then, or after 30 days."),
    )
    helpers_needed = forms.IntegerField(
        label=_("Helpers needed"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("Only for a call for volunteers."),
    )
    photos = PhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("Up to 4 JPEG, PNG or WebP photos of at most 8 MB each."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_description = forms.CharField(
        label=_("Describe the new photos (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "Read aloud to people who cannot see the photos, for example "
            "“Small red trailer with a tarpaulin”."
        ),
    )

    client_id = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, author: User, listing: Listing | None = None, **kwargs):
        # A new id per empty form: posting the same form twice finds the first.
        kwargs.setdefault("initial", {}).setdefault("client_id", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.location_failed = False
        self.listing = listing
        self.editing = listing is not None
        self.fields["communities"].queryset = Community.objects.filter(
            memberships__user=author, memberships__state=Membership.State.ACTIVE
        ).order_by("name")
        _point_fields(self)
        if self.editing:
            del self.fields["kind"]
            del self.fields["client_id"]

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return [t.strip() for t in raw.split(",") if t.strip()]

    def clean(self):
        cleaned = super().clean()
        self._check_listing_fields(cleaned)
        changed = {"address", "latitude", "longitude"} & set(self.changed_data)
        if not self.editing or changed:
            if (
                not (cleaned.get("address") or "").strip()
                and cleaned.get("latitude") is None
            ):
                self.add_error(
                    "address", _("Type an address or pick a point on the map.")
                )
            else:
                _resolve(self, cleaned)
        return cleaned

    def _check_listing_fields(self, cleaned: dict) -> None:
        """The services' own validation, its errors shown beside the fields
        (where a field already has one of its own, that one is enough)."""
        fields = ListingFields(
            kind=self.listing.kind if self.editing else cleaned.get("kind", ""),
            title=cleaned.get("title", ""),
            description=cleaned.get("description", ""),
            category=cleaned.get("category", ""),
            starts_at=cleaned.get("starts_at"),
            ends_at=cleaned.get("ends_at"),
            helpers_needed=cleaned.get("helpers_needed") or 1,
            communities=cleaned.get("communities") or (),
            everyone_nearby=cleaned.get("everyone_nearby", False),
        )
        self.add_refusal(ListingInvalid(fields.errors()))

    def add_refusal(self, exc: Exception) -> None:
        """Show a service's refusal: beside the fields it names, else on top."""
        errors = getattr(exc, "errors", None)
        if errors is None:
            self.add_error(None, str(getattr(exc, "message", exc)))
            return
        for name, messages in errors.items():
            target = name if name in self.fields else None
            if target is None or not self.has_error(target):
                for message in messages:
                    self.add_error(target, message)


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


class RespondForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say when you could help or pick it up."),
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("A few words (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DoneForm(forms.Form):
    thanks = forms.CharField(
        label=_("Say thank you (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What happened? (optional)"), max_length=500, required=False
    )


class BookingForm(forms.Form):
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    message = forms.CharField(
        label=_("Message (optional)"), max_length=500, required=False
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day is before the first day."))
        return cleaned


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
        _point_fields(self)

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
        _resolve(self, cleaned)
        return cleaned
