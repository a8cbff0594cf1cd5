"""What a person says about a listing, and its one validation.

``ListingFields`` is the input of ``listing_create`` and ``listing_update``: the
listing form builds it (``ListingForm.listing_fields``), the JSON API builds it
from its payload, and an edit starts from ``ListingFields.from_listing``. Every
adapter checks a listing here, so a listing the form refuses cannot be created
another way, and each names the same field with the same words.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from marketplace.models import Category, Listing, ListingLocation

from ._common import ListingInvalid

TITLE_MAX = Listing._meta.get_field("title").max_length
DESCRIPTION_MAX = Listing._meta.get_field("description").max_length
HELPERS_MAX = 100
TAG_MAX, TAGS_MAX = 50, 10
ENDED = _("The end has passed. Choose a later end, or none.")


@dataclass(frozen=True)
class Place:
    """Where a listing is: a typed address, a picked point, or both."""

    address: str = ""
    latitude: float | None = None
    longitude: float | None = None


def as_aware(moment: datetime | None) -> datetime | None:
    """A time without a zone is taken in the current one, as the form does."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags in lower case with single spaces, each once, at most ten."""
    cleaned: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split())[:TAG_MAX].lower()
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return tuple(cleaned[:TAGS_MAX])


@dataclass(frozen=True)
class ListingFields:
    """A listing's kind, texts, time window, helpers, audience, tags and place.

    Texts are stripped, times made aware and tags cleaned on construction;
    ``errors`` then names each wrong field with the message to show beside it.
    ``place`` is None when the place is not given (an edit that keeps it).
    """

    kind: str
    title: str
    description: str
    category: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    helpers_needed: int = 1
    communities: Sequence[Community] = field(default=())
    everyone_nearby: bool = False
    tags: Sequence[str] = field(default=())
    place: Place | None = None

    def __post_init__(self) -> None:
        # Normalising a frozen dataclass: the values are settled only once, here.
        object.__setattr__(self, "title", (self.title or "").strip())
        object.__setattr__(self, "description", (self.description or "").strip())
        object.__setattr__(self, "starts_at", as_aware(self.starts_at))
        object.__setattr__(self, "ends_at", as_aware(self.ends_at))
        object.__setattr__(self, "communities", tuple(self.communities))
        object.__setattr__(self, "tags", clean_tags(self.tags))

    @classmethod
    def from_listing(
        cls, listing: Listing, *, location: ListingLocation | None = None
    ) -> "ListingFields":
        """What ``listing`` says now: where an edit starts.

        The place comes only from ``location``, the private point, which only
        ``selectors.private_location`` reads; without it the place is None.
        """
        place = None
        if location is not None:
            place = Place(location.address, location.latitude, location.longitude)
        tags = [tag.name for tag in listing.tags.all()]
        return cls(
            kind=listing.kind,
            title=listing.title,
            description=listing.description,
            category=listing.category,
            starts_at=listing.starts_at,
            ends_at=listing.ends_at,
            helpers_needed=listing.helpers_needed,
            communities=list(listing.communities.all()),
            everyone_nearby=listing.everyone_nearby,
            tags=tags,
            place=place,
        )

    def errors(self, *, now: datetime | None = None) -> dict[str, list[str]]:
        """Each wrong field and what is wrong with it; empty when all is well."""
        found: dict[str, list[str]] = {}

        def add(name: str, message) -> None:
            found.setdefault(name, []).append(str(message))

        if self.kind not in Listing.Kind.values:
            add("kind", _("Choose what kind of listing this is."))
        if not self.title:
            add("title", _("Give your listing a title."))
        elif len(self.title) > TITLE_MAX:
            add("title", _("A title can be at most 120 characters."))
        if not self.description:
            add("description", _("Say a few words about what it is."))
        elif len(self.description) > DESCRIPTION_MAX:
            add("description", _("A description can be at most 4000 characters."))
        if self.category not in Category.values:
            add("category", _("Choose a category."))
        self._check_window(add, now or timezone.now())
        self._check_helpers(add)
        if not self.communities and not self.everyone_nearby:
            add(
                "communities",
                _("Choose at least one of your communities, or everyone nearby."),
            )
        return found

    def _check_window(self, add, now: datetime) -> None:
        start, end = self.starts_at, self.ends_at
        if start and end and end < start:
            add("ends_at", _("The end is before the start."))
        elif end and end <= now:
            add("ends_at", ENDED)

    def _check_helpers(self, add) -> None:
        if not 1 <= self.helpers_needed <= HELPERS_MAX:
            add("helpers_needed", _("Ask for between 1 and 100 helpers."))
        elif self.kind != Listing.Kind.VOLUNTEER and self.helpers_needed != 1:
            add(
                "helpers_needed",
                _("Only a call for volunteers asks for several helpers."),
            )

    def check(self) -> "ListingFields":
        """These fields, or ListingInvalid naming every wrong one."""
        errors = self.errors()
        if errors:
            raise ListingInvalid(errors)
        return self
