"""The municipal calendar's filters: the form (a date to go to, a village, an
association, a facility, a category, an audience), its choices read once per
page, and the filters as query conditions and as query parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import chain

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from communities.selectors import AnyUser, communities_visible_to
from hub.widgets import NativeDateInput

from .models import Audience, Category, Facility

# Dates outside these years are nobody's plan; they fall back to today.
FIRST_YEAR, LAST_YEAR = 1900, 2200
FILTERS = ("village", "association", "facility", "category", "audience")


def in_range(day: date | None) -> bool:
    return day is not None and FIRST_YEAR <= day.year <= LAST_YEAR


class CalendarFilterForm(forms.Form):
    """What the calendar shows: a date to go to and five filters. Each filter is
    a choice of slugs or values built from lists read once (``FilterOptions``);
    an invalid one is reported on its field and left out."""

    date = forms.DateField(
        label=_("Go to date"),
        required=False,
        widget=NativeDateInput,
        error_messages={"invalid": _("Enter a date such as 2026-03-31.")},
    )
    village = forms.ChoiceField(label=_("Village"), required=False)
    association = forms.ChoiceField(label=_("Association"), required=False)
    facility = forms.ChoiceField(label=_("Facility"), required=False)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Category.choices],
    )
    audience = forms.ChoiceField(
        label=_("Audience"),
        required=False,
        choices=[("", _("Any audience")), *Audience.choices],
    )

    def __init__(self, *args, options: FilterOptions, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["village"].choices = [
            ("", _("All villages")),
            *((c.slug, c.name) for c in options.villages),
        ]
        self.fields["association"].choices = [
            ("", _("All associations")),
            *((c.slug, c.name) for c in options.associations),
        ]
        self.fields["facility"].choices = [
            ("", _("All facilities")),
            *((f.slug, f.name) for f in options.facilities),
        ]

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day is not None and not in_range(day):
            raise forms.ValidationError(
                _("Choose a date from %(first)s to %(last)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
                code="out_of_range",
            )
        return day

    def _cleaned(self) -> dict:
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filters(self) -> Filters:
        """The valid filters; an invalid one counts as not given."""
        data = self._cleaned()
        by_slug = self.options.by_slug
        return Filters(
            village=by_slug["village"].get(data.get("village") or ""),
            association=by_slug["association"].get(data.get("association") or ""),
            facility=by_slug["facility"].get(data.get("facility") or ""),
            category=data.get("category") or "",
            audience=data.get("audience") or "",
        )

    def chosen_date(self) -> date | None:
        """The date asked for; None when none or an invalid one was given."""
        data = self._cleaned()
        return None if self.has_error("date") else data.get("date")

    def show_date(self, day: date) -> None:
        """Show the period's date in the field (so that a change of filters stays
        in the period), unless the one typed was refused: that stays, with its
        error."""
        if not self.is_bound:
            self.initial["date"] = day
        elif not self.has_error("date"):
            self.data = self.data.copy()
            self.data["date"] = day.isoformat()

    @property
    def filter_fields(self) -> list:
        return [self[name] for name in FILTERS]


@dataclass
class FilterOptions:
    """The choices of the filter form: villages and associations the viewer may
    see, and every facility. Two queries."""

    villages: list[Community]
    associations: list[Community]
    facilities: list[Facility]

    @classmethod
    def for_viewer(cls, viewer: AnyUser) -> FilterOptions:
        kinds = (Community.Kind.VILLAGE, Community.Kind.ASSOCIATION)
        communities = list(
            communities_visible_to(viewer)
            .filter(kind__in=kinds)
            .only("pk", "name", "slug", "kind")
            .order_by("name", "pk")
        )
        return cls(
            villages=[c for c in communities if c.kind == Community.Kind.VILLAGE],
            associations=[
                c for c in communities if c.kind == Community.Kind.ASSOCIATION
            ],
            facilities=list(
                Facility.objects.only("pk", "name", "slug").order_by("name", "pk")
            ),
        )

    @property
    def by_slug(self) -> dict[str, dict[str, object]]:
        return {
            "village": {c.slug: c for c in self.villages},
            "association": {c.slug: c for c in self.associations},
            "facility": {f.slug: f for f in self.facilities},
        }

    @property
    def community_ids(self) -> set[int]:
        return {c.pk for c in chain(self.villages, self.associations)}


@dataclass(frozen=True)
class Filters:
    village: Community | None = None
    association: Community | None = None
    facility: Facility | None = None
    category: str = ""
    audience: str = ""

    @property
    def count(self) -> int:
        return sum(1 for name in FILTERS if getattr(self, name))

    def query(self) -> dict[str, str]:
        """The filters as query parameters, for links that keep them."""
        values = {
            "village": self.village.slug if self.village else "",
            "association": self.association.slug if self.association else "",
            "facility": self.facility.slug if self.facility else "",
            "category": self.category,
            "audience": self.audience,
        }
        return {name: value for name, value in values.items() if value}

    def occurrences_q(self) -> Q:
        q = Q()
        if self.village:
            q &= (
                Q(event__village=self.village)
                | Q(event__community=self.village)
                | Q(event__village__isnull=True, event__facility__village=self.village)
            )
        if self.association:
            q &= Q(event__community=self.association)
        if self.facility:
            q &= Q(event__facility=self.facility)
        if self.category:
            q &= Q(event__category=self.category)
        if self.audience:
            q &= Q(event__audience=self.audience)
        return q

    def bookings_q(self) -> Q | None:
        """None when no booking can match (bookings have no category or
        audience)."""
        if self.category or self.audience:
            return None
        q = Q()
        if self.village:
            q &= Q(facility__village=self.village) | Q(community=self.village)
        if self.association:
            q &= Q(community=self.association)
        if self.facility:
            q &= Q(facility=self.facility)
        return q
