"""Forms of the facility pages: a facility with its opening hours, and a
booking request. They build the services' input; the services decide."""

from datetime import date, datetime, time

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from hub.widgets import NativeDateInput

from . import recurrence
from .models import Facility
from .services.facilities import OWNER_KINDS, FacilityFields, Hours

MUNICIPALITY = "municipality"


class NativeTimeInput(forms.TimeInput):
    """A browser's time picker; a value it could not have sent is dropped (see
    hub.widgets)."""

    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%H:%M")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                time.fromisoformat(value)
            except ValueError:
                return None
            return value
        return super().format_value(value)


def weekday_choices() -> list[tuple[int, str]]:
    return [(number, WEEKDAYS[number]) for number in range(7)]


class FacilityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=Facility.Kind.choices)
    owner = forms.ChoiceField(label=_("Owner"))
    village = forms.ModelChoiceField(
        label=_("Village (optional)"),
        queryset=Community.objects.none(),
        required=False,
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What it offers, how to get in, whom to call."),
    )
    capacity = forms.IntegerField(
        label=_("Capacity (people, optional)"), min_value=1, required=False
    )
    policy = forms.ChoiceField(
        label=_("Bookings"),
        choices=Facility.Policy.choices,
        initial=Facility.Policy.AUTOMATIC,
        widget=forms.RadioSelect,
    )
    setup_minutes = forms.IntegerField(
        label=_("Set-up (minutes before)"),
        min_value=0,
        max_value=240,
        initial=0,
        help_text=_("Kept free before each booking."),
    )
    cleanup_minutes = forms.IntegerField(
        label=_("Clean-up (minutes after)"),
        min_value=0,
        max_value=240,
        initial=0,
        help_text=_("Kept free after each booking."),
    )

    def __init__(self, *args, owners: list[Community], staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(MUNICIPALITY, _("The municipality"))] if staff else []
        choices += [(str(c.pk), c.name) for c in owners if c.kind in OWNER_KINDS]
        self.fields["owner"].choices = choices
        self._owners = {str(c.pk): c for c in owners}
        self.fields["village"].queryset = Community.objects.filter(
            kind=Community.Kind.VILLAGE
        ).order_by("name")

    @classmethod
    def initial_of(cls, facility: Facility) -> dict:
        return {
            "name": facility.name,
            "kind": facility.kind,
            "owner": str(facility.owner_id) if facility.owner_id else MUNICIPALITY,
            "village": facility.village_id,
            "address": facility.address,
            "description": facility.description,
            "capacity": facility.capacity,
            "policy": facility.policy,
            "setup_minutes": facility.setup_minutes,
            "cleanup_minutes": facility.cleanup_minutes,
        }

    def facility_fields(self) -> FacilityFields:
        data = self.cleaned_data
        return FacilityFields(
            name=data["name"],
            kind=data["kind"],
            owner=self._owners.get(data["owner"]),
            village=data["village"],
            address=data["address"],
            description=data["description"],
            capacity=data["capacity"],
            policy=data["policy"],
            setup_minutes=data["setup_minutes"],
            cleanup_minutes=data["cleanup_minutes"],
        )


class HoursForm(forms.Form):
    """One open period; both times empty: no period (a row left blank)."""

    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=weekday_choices, coerce=int
    )
    opens = forms.TimeField(label=_("Opens"), required=False, widget=NativeTimeInput())
    closes = forms.TimeField(
        label=_("Closes"), required=False, widget=NativeTimeInput()
    )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if self.errors:
            return cleaned
        if opens is None and closes is None:
            return cleaned
        if opens is None:
            self.add_error("opens", _("When does it open?"))
        elif closes is None:
            self.add_error("closes", _("When does it close?"))
        elif closes <= opens:
            self.add_error("closes", _("It must close after it opens."))
        return cleaned

    def hours(self) -> Hours | None:
        data = self.cleaned_data
        if data.get("opens") is None or data.get("closes") is None:
            return None
        return Hours(
            weekday=data["weekday"], opens=data["opens"], closes=data["closes"]
        )


class BaseHoursFormSet(forms.BaseFormSet):
    def hours(self) -> list[Hours]:
        return [h for form in self.forms if (h := form.hours()) is not None]


HoursFormSet = forms.formset_factory(
    HoursForm, formset=BaseHoursFormSet, extra=2, max_num=28, validate_max=True
)


def hours_formset(data=None, *, facility: Facility | None = None) -> BaseHoursFormSet:
    """The opening hours' rows: a facility's periods, or one row per weekday
    for a new one; two blank rows more."""
    if facility is not None:
        initial = [
            {"weekday": h.weekday, "opens": h.opens, "closes": h.closes}
            for h in facility.opening_hours.all()
        ]
    else:
        initial = [{"weekday": number} for number in range(7)]
    return HoursFormSet(data, initial=initial, prefix="hours")


class BookingForm(forms.Form):
    community = forms.ChoiceField(label=_("Booked for"))
    title = forms.CharField(label=_("What for"), max_length=140)
    day = forms.DateField(label=_("Date"), widget=NativeDateInput())
    starts = forms.TimeField(label=_("From"), widget=NativeTimeInput())
    ends = forms.TimeField(label=_("Until"), widget=NativeTimeInput())
    repeat_until = forms.DateField(
        label=_("Repeat weekly until (optional)"),
        required=False,
        widget=NativeDateInput(),
        help_text=_(
            "For a season: the same weekday and time every week, up to and "
            "including this date."
        ),
    )
    is_public = forms.BooleanField(
        label=_("Show in the public calendar"), required=False, initial=True
    )

    # The services' names for what this form calls otherwise.
    SERVICE_FIELDS = {"starts_at": "starts", "ends_at": "ends", "rrule": "repeat_until"}

    def __init__(self, *args, communities: list[Community], staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(MUNICIPALITY, _("The municipality"))] if staff else []
        choices += [(str(c.pk), c.name) for c in communities]
        self.fields["community"].choices = choices
        self._communities = {str(c.pk): c for c in communities}

    def clean(self):
        cleaned = super().clean()
        day, until = cleaned.get("day"), cleaned.get("repeat_until")
        if day and until and until < day:
            self.add_error(
                "repeat_until", _("The last date cannot come before the first.")
            )
        return cleaned

    def chosen_community(self) -> Community | None:
        return self._communities.get(self.cleaned_data["community"])

    def starts_at(self) -> datetime:
        return _at(self.cleaned_data["day"], self.cleaned_data["starts"])

    def ends_at(self) -> datetime:
        return _at(self.cleaned_data["day"], self.cleaned_data["ends"])

    def rrule(self) -> str:
        until = self.cleaned_data.get("repeat_until")
        if not until:
            return ""
        rule = recurrence.Simple(freq="WEEKLY", until=until)
        return rule.to_rule(self.starts_at())


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=recurrence.zone())


def typed_with_slot(data, slot: str) -> dict | None:
    """What was typed (``data``, a POST), with the times of a free slot
    ("HH:MM-HH:MM") put in; None when the slot is not one."""
    opens, _sep, closes = slot.partition("-")
    try:
        time.fromisoformat(opens)
        time.fromisoformat(closes)
    except ValueError:
        return None
    typed = {name: data.get(name, "") for name in BookingForm.base_fields}
    typed["is_public"] = "is_public" in data
    typed["starts"], typed["ends"] = opens, closes
    return typed
