"""The listing form: what a listing says, where it is, its photos.

A new listing's kind is chosen first (``KindForm``); the form then asks only
what that kind needs (``KIND_FIELDS``). The place is an address or place name
the server resolves, or a point picked on the map into hidden inputs.
It starts from a listing with ``ListingFields.from_listing`` and hands the
services ``listing_fields()``: the same dataclass the JSON API builds.
"""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community, Membership
from hub import images
from hub.refusals import add_refusal
from hub.widgets import NativeDateTimeInput

from .. import selectors
from ..models import Category, Listing
from ..services import ListingFields, ListingInvalid, Place
from ._common import TAG_INPUT, point_fields, resolve


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


# The fields only some kinds use; a kind not named here gets them all.
WINDOW = frozenset({"starts_at", "ends_at"})
BY_KIND = frozenset({"starts_at", "ends_at", "helpers_needed"})
KIND_FIELDS = {
    Listing.Kind.REQUEST: WINDOW,
    Listing.Kind.OFFER: WINDOW,
    Listing.Kind.LEND: frozenset(),
    Listing.Kind.GIVE: frozenset(),
    Listing.Kind.VOLUNTEER: BY_KIND,
}
KIND_HINTS = {
    Listing.Kind.REQUEST: _("You need a hand with something."),
    Listing.Kind.OFFER: _("You can help others with something."),
    Listing.Kind.LEND: _("A thing others may borrow for some days."),
    Listing.Kind.GIVE: _("A thing you would like to pass on for free."),
    Listing.Kind.VOLUNTEER: _("Your association needs helpers for a task."),
}


def kind_or_none(value: object) -> str | None:
    """``value`` if it names a kind of listing."""
    return value if value in Listing.Kind.values else None


class KindForm(forms.Form):
    """The first step of a new listing: what kind it is."""

    kind = forms.ChoiceField(
        label=_("What would you like to post?"),
        choices=Listing.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of listing this is.")},
    )

    def kind_choices(self) -> list[tuple[str, str, str]]:
        """Each kind as (value, label, hint) for the choice cards."""
        return [(v, label, KIND_HINTS.get(v, "")) for v, label in Listing.Kind.choices]


class ListingForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=Listing.Kind.choices,
        widget=forms.HiddenInput,
    )
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
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
        label=_("Address or place name"),
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
        widget=NativeDateTimeInput(),
    )
    ends_at = forms.DateTimeField(
        label=_("Until (optional)"),
        required=False,
        widget=NativeDateTimeInput(),
        help_text=_("The listing expires then, or after 30 days."),
    )
    helpers_needed = forms.IntegerField(
        label=_("Helpers needed"),
        min_value=1,
        max_value=100,
        initial=1,
    )
    photos = PhotosField(
        label=_("Photos"),
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
        """A new listing's form, or with ``listing`` its edit form, which starts
        from what the listing says and where it is."""
        initial = {}
        if listing is not None:
            location = selectors.private_location(viewer=author, listing=listing)
            initial = self.initial_from(
                ListingFields.from_listing(listing, location=location)
            )
        # A new id per empty form: posting the same form twice finds the first.
        initial["client_id"] = uuid.uuid4().hex
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.location_failed = False
        self.listing = listing
        self.editing = listing is not None
        self.fields["communities"].queryset = Community.objects.filter(
            memberships__user=author, memberships__state=Membership.State.ACTIVE
        ).order_by("name")
        point_fields(self)
        for name in ("latitude", "longitude"):  # filled by the map, never typed
            self.fields[name].widget = forms.HiddenInput()
        if self.editing:
            self.kind = listing.kind
            del self.fields["kind"]
            del self.fields["client_id"]
        else:
            self.kind = kind_or_none(self["kind"].value())
        if self.kind is not None:
            for name in BY_KIND - KIND_FIELDS.get(self.kind, BY_KIND):
                del self.fields[name]

    def map_centre(self) -> tuple[float, float] | None:
        """Where the map starts without a point: the author's first community
        with a centre (one query)."""
        first = (
            self.fields["communities"]
            .queryset.exclude(latitude=None)
            .values_list("latitude", "longitude")
            .first()
        )
        return tuple(first) if first else None

    @property
    def asks_window(self) -> bool:
        return "starts_at" in self.fields

    @property
    def asks_helpers(self) -> bool:
        return "helpers_needed" in self.fields

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
                resolve(self, cleaned)
        for name in ("latitude", "longitude"):  # hidden: say it by the address
            for message in self.errors.pop(name, []):
                self.add_error("address", message)
        return cleaned

    def _check_listing_fields(self, cleaned: dict) -> None:
        """The services' own validation, its errors shown beside the fields
        (where a field already has one of its own, that one is enough)."""
        if errors := self._fields_from(cleaned).errors():
            add_refusal(self, ListingInvalid(errors))

    def _fields_from(self, cleaned: dict) -> ListingFields:
        # While cleaning, a field with its own error is missing: the defaults
        # stand in so that the other fields are still checked.
        return ListingFields(
            kind=self.kind or cleaned.get("kind", ""),
            title=cleaned.get("title", ""),
            description=cleaned.get("description", ""),
            category=cleaned.get("category", ""),
            # A field this kind does not ask for keeps what the listing says.
            starts_at=cleaned.get("starts_at", self.initial.get("starts_at")),
            ends_at=cleaned.get("ends_at", self.initial.get("ends_at")),
            helpers_needed=cleaned.get(
                "helpers_needed", self.initial.get("helpers_needed")
            )
            or 1,
            communities=cleaned.get("communities") or (),
            everyone_nearby=cleaned.get("everyone_nearby", False),
            tags=cleaned.get("tags") or (),
            place=cleaned.get("place"),
        )

    def listing_fields(self) -> ListingFields:
        """A valid form as the services' input. The place is None on an edit
        that left the address and the point as they were."""
        return self._fields_from(self.cleaned_data)

    def photo_descriptions(self) -> dict[int, str]:
        """The posted ``photo_alt_<id>`` fields of the edit form by photo id;
        the service checks that each photo is the listing's own."""
        found = {}
        for name, value in self.data.items():
            if name.startswith("photo_alt_") and name[10:].isdigit():
                found[int(name[10:])] = value
        return found

    @staticmethod
    def initial_from(fields: ListingFields) -> dict:
        """``fields`` as this form's initial data."""
        place = fields.place or Place()
        return {
            "title": fields.title,
            "description": fields.description,
            "category": fields.category,
            "tags": ", ".join(fields.tags),
            "communities": list(fields.communities),
            "everyone_nearby": fields.everyone_nearby,
            "address": place.address,
            "latitude": place.latitude,
            "longitude": place.longitude,
            "starts_at": fields.starts_at,
            "ends_at": fields.ends_at,
            "helpers_needed": fields.helpers_needed,
        }
