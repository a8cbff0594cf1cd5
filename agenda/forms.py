"""The organiser's event form: what an event is, when, where, for whom, and how
it repeats.

Dates and times are typed in the municipality's time zone (settings.TIME_ZONE)
and made aware in it. The repetition is chosen from a few plain choices that
``recurrence.Simple`` turns into an RFC 5545 rule, or written as the rule itself
("advanced"), which then wins. The form hands the services one
``EventFields`` (``event_fields()``) and starts from an event with
``EventForm.editing()``.
"""

import hashlib
from collections.abc import Sequence
from datetime import date, datetime, time

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Community
from hub.errors import ApplicationError
from hub.refusals import add_refusal
from hub.widgets import NativeDateInput

from . import recurrence
from .clashes import Clash
from .errors import AgendaError
from .models import Audience, Category, Event, Facility, Occurrence, Signup
from .services.bookings import Slot
from .services.events import EventFields, Scope, series_first
from .services.signups import MAX_GUESTS


class NativeTimeInput(forms.TimeInput):
    """A time input whose value is always one the browser's picker accepts
    (as ``hub.widgets`` does for dates)."""

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


class Repeat:
    """The form's ways of repeating (the field ``repeat``)."""

    ONCE = ""
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY_DATE = "monthly_date"
    MONTHLY_WEEKDAY = "monthly_weekday"
    CHOICES = (
        (ONCE, _("Does not repeat")),
        (WEEKLY, _("Every week, on the weekdays ticked below")),
        (MONTHLY_DATE, _("Every month on the same date")),
        (MONTHLY_WEEKDAY, _("Every month on the first, second … or last weekday")),
        (DAILY, _("Every day")),
    )


WEEKDAY_CHOICES = (
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
)
POSITION_CHOICES = (
    ("1", pgettext_lazy("weekday of the month", "first")),
    ("2", pgettext_lazy("weekday of the month", "second")),
    ("3", pgettext_lazy("weekday of the month", "third")),
    ("4", pgettext_lazy("weekday of the month", "fourth")),
    ("-1", pgettext_lazy("weekday of the month", "last")),
)
ENDS_CHOICES = (
    ("until", _("On a date")),
    ("count", _("After a number of times")),
)
SCOPE_CHOICES = (
    (Scope.THIS, _("Only this date")),
    (Scope.FOLLOWING, _("This and the following dates")),
    (Scope.ALL, _("All dates")),
)
# The fields that say how the event repeats; when none of them changed, an
# edit keeps the stored rule exactly as it is.
REPEAT_FIELDS = frozenset(
    {"repeat", "interval", "weekdays", "position", "ends", "until", "count", "rrule"}
)
# Where on the form a service's refusal of a field is shown.
SERVICE_FIELDS = {"starts_at": "date", "ends_at": "end_time"}


def aware(day: date, moment: time) -> datetime:
    """``day`` at ``moment`` on the municipality's clock."""
    return datetime.combine(day, moment, tzinfo=recurrence.zone())


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=140)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    date = forms.DateField(label=_("Date"), widget=NativeDateInput())
    start_time = forms.TimeField(label=_("Starts"), widget=NativeTimeInput())
    end_time = forms.TimeField(
        label=_("Ends"),
        widget=NativeTimeInput(),
        help_text=_("On the same day."),
    )
    repeat = forms.ChoiceField(
        label=_("Repeats"),
        choices=Repeat.CHOICES,
        required=False,
        widget=forms.RadioSelect,
    )
    weekdays = forms.MultipleChoiceField(
        label=_("On these weekdays"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the weekday of the date."),
    )
    position = forms.ChoiceField(
        label=_("Which weekday of the month"),
        choices=POSITION_CHOICES,
        required=False,
        initial="1",
        help_text=_(
            "Of the weekday of the date: “first” on a Monday is the first "
            "Monday of every month."
        ),
    )
    interval = forms.IntegerField(
        label=_("Interval"),
        required=False,
        min_value=1,
        max_value=52,
        initial=1,
        help_text=_("1: every day, week or month; 2: every other; and so on."),
    )
    ends = forms.ChoiceField(
        label=_("The repetition ends"),
        choices=ENDS_CHOICES,
        required=False,
        initial="until",
        widget=forms.RadioSelect,
    )
    until = forms.DateField(
        label=_("Last date"), required=False, widget=NativeDateInput()
    )
    count = forms.IntegerField(
        label=_("Number of times"), required=False, min_value=1, max_value=600
    )
    rrule = forms.CharField(
        label=_("Repetition rule (RFC 5545)"),
        required=False,
        max_length=500,
        help_text=_(
            "For example FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270531T215959Z. When "
            "filled in, it is used instead of the choices above."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "off"}),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        help_text=_("An address or a place everyone knows."),
    )
    facility = forms.ModelChoiceField(
        label=_("Facility to book"),
        queryset=Facility.objects.none(),
        required=False,
        empty_label=_("No facility"),
        help_text=_("It is booked for every date, with its set-up and clean-up."),
    )
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("No village"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    audience = forms.ChoiceField(label=_("For whom"), choices=Audience.choices)
    expected_attendance = forms.IntegerField(
        label=_("Expected attendance"),
        required=False,
        min_value=0,
        max_value=1_000_000,
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        max_value=100_000,
        help_text=_(
            "Empty: no limit. When the places are taken, people join a waiting list."
        ),
    )
    signup_open = forms.BooleanField(
        label=_("People can sign up"), required=False, initial=True
    )
    is_public = forms.BooleanField(
        label=_("Show in the public calendar"),
        required=False,
        initial=True,
        help_text=_("Otherwise only the members see it."),
    )
    scope = forms.ChoiceField(
        label=_("Change"),
        choices=SCOPE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose which dates to change.")},
    )
    confirm = forms.BooleanField(required=False)
    # The warnings the organiser saw when ticking "anyway" (their digest).
    warned = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        community: Community | None,
        event: Event | None = None,
        occurrence: Occurrence | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        self.event = event
        self.occurrence = occurrence
        self.editing = event is not None
        self.stored_rule = event.rrule if event is not None else ""
        self.fields["facility"].queryset = Facility.objects.order_by("name")
        self.fields["village"].queryset = Community.objects.filter(
            kind=Community.Kind.VILLAGE
        ).order_by("name")
        self.fields["confirm"].label = (
            _("Save anyway") if self.editing else _("Create anyway")
        )
        if not (self.editing and event.is_series and occurrence is not None):
            del self.fields["scope"]
        if not self.is_bound and not self.editing:
            self.initial.setdefault(
                "village",
                community.pk
                if community is not None and community.kind == Community.Kind.VILLAGE
                else None,
            )
        # Set by the view: what the clash check found.
        self.warnings: list[Clash] = []
        self.facility_clashes: list[Clash] = []
        self.free_slots: list[Slot] = []
        self.clash_facility: Facility | None = None
        self.warnings_changed = False

    # --- starting from an event

    @classmethod
    def editing_form(
        cls,
        data=None,
        *,
        event: Event,
        occurrence: Occurrence | None = None,
    ) -> "EventForm":
        """The form of ``event`` as it stands (at ``occurrence``, when one date
        of a series is edited), its rule as the plain choices where they can
        say it, else as the rule itself."""
        fields = EventFields.of(event, occurrence)
        # The rule is read from the series' first date, not from a date moved.
        initial = cls.initial_from(fields, series_start=event.starts_at)
        if occurrence is not None and event.is_series:
            initial["scope"] = Scope.THIS
        return cls(
            data,
            community=event.community,
            event=event,
            occurrence=occurrence,
            initial=initial,
        )

    @staticmethod
    def initial_from(
        fields: EventFields, *, series_start: datetime | None = None
    ) -> dict:
        """The form's values for ``fields``; their rule read as the plain
        choices from the series' first date, ``series_start`` (by default the
        date shown)."""
        starts = recurrence.local(fields.starts_at)
        initial = {
            "title": fields.title,
            "description": fields.description,
            "date": starts.date(),
            "start_time": starts.time().replace(second=0, microsecond=0),
            "end_time": recurrence.local(fields.ends_at)
            .time()
            .replace(second=0, microsecond=0),
            "place": fields.place,
            "facility": fields.facility.pk if fields.facility else None,
            "village": fields.village.pk if fields.village else None,
            "category": fields.category,
            "audience": fields.audience,
            "expected_attendance": fields.expected_attendance,
            "capacity": fields.capacity,
            "signup_open": fields.signup_open,
            "is_public": fields.is_public,
        }
        simple = recurrence.Simple.from_rule(fields.rrule, series_start or starts)
        if simple is None:
            initial["rrule"] = fields.rrule
            return initial
        if simple.freq == "DAILY":
            initial["repeat"] = Repeat.DAILY
        elif simple.freq == "WEEKLY":
            initial["repeat"] = Repeat.WEEKLY
            initial["weekdays"] = list(simple.weekdays)
        elif simple.freq == "MONTHLY":
            initial["repeat"] = (
                Repeat.MONTHLY_WEEKDAY if simple.position else Repeat.MONTHLY_DATE
            )
            if simple.position:
                initial["position"] = str(simple.position)
        initial["interval"] = simple.interval
        if simple.count:
            initial["ends"], initial["count"] = "count", simple.count
        elif simple.until:
            initial["ends"], initial["until"] = "until", simple.until
        return initial

    # --- checking

    def clean(self) -> dict:
        cleaned = super().clean()
        day = cleaned.get("date")
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start is not None and end is not None and end < start:
            self.add_error("end_time", _("The event ends before it starts."))
        cleaned["rule"] = ""
        if day is not None and start is not None:
            try:
                cleaned["rule"] = self._rule(cleaned, aware(day, start))
            except AgendaError as exc:
                self.add_refusal(exc)
        return cleaned

    def _rule(self, cleaned: dict, starts_at: datetime) -> str:
        """The RFC 5545 rule the repetition fields say (normalised)."""
        if self.editing and not REPEAT_FIELDS & set(self.changed_data):
            return recurrence.normalise(self.stored_rule)
        typed = (cleaned.get("rrule") or "").strip()
        if typed:
            return recurrence.normalise(typed)
        repeat = cleaned.get("repeat") or Repeat.ONCE
        if repeat == Repeat.ONCE:
            return ""
        until = count = None
        if cleaned.get("ends") == "count":
            count = cleaned.get("count")
            if count is None:
                raise AgendaError(_("Say how many times."), field="count")
        else:
            until = cleaned.get("until")
            if until is None:
                raise AgendaError(_("Give the last date."), field="until")
            if until < starts_at.date():
                raise AgendaError(
                    _("The last date comes before the first."), field="until"
                )
        freq = {
            Repeat.DAILY: "DAILY",
            Repeat.WEEKLY: "WEEKLY",
            Repeat.MONTHLY_DATE: "MONTHLY",
            Repeat.MONTHLY_WEEKDAY: "MONTHLY",
        }[repeat]
        return recurrence.Simple(
            freq,
            interval=cleaned.get("interval") or 1,
            weekdays=tuple(cleaned.get("weekdays") or ()),
            position=int(cleaned.get("position") or 1)
            if repeat == Repeat.MONTHLY_WEEKDAY
            else 0,
            until=until,
            count=count,
        ).to_rule(self._series_start(cleaned, starts_at))

    def _series_start(self, cleaned: dict, starts_at: datetime) -> datetime:
        """Where the series of the typed ``starts_at`` starts, which gives the
        rule its weekday and day of the month: for all dates of a series edited
        at one of them, its own first date (moved as the typed date moved),
        never a date that was moved on its own."""
        if not self.editing:
            return starts_at
        return series_first(
            event=self.event,
            starts_at=starts_at,
            scope=cleaned.get("scope") or Scope.ALL,
            occurrence=self.occurrence,
        )

    @property
    def uses_rule(self) -> bool:
        """Whether the rule is written out (the advanced field)."""
        return bool((self["rrule"].value() or "").strip())

    def add_refusal(self, exc: ApplicationError) -> None:
        """Show a service's refusal beside the field it is about."""
        rule_field = "rrule" if self.uses_rule else "repeat"
        names = {**SERVICE_FIELDS, "rrule": rule_field}
        errors = {names.get(k, k): v for k, v in (exc.errors or {}).items()}
        add_refusal(self, ApplicationError(exc.message, errors=errors))

    # --- what the services take

    def event_fields(self) -> EventFields:
        """What the organiser typed, for ``event_create``/``event_update``."""
        data = self.cleaned_data
        day = data["date"]
        return EventFields(
            title=data["title"],
            starts_at=aware(day, data["start_time"]),
            ends_at=aware(day, data["end_time"]),
            description=data["description"],
            place=data["place"],
            category=data["category"],
            audience=data["audience"],
            expected_attendance=data["expected_attendance"],
            is_public=data["is_public"],
            rrule=data["rule"],
            capacity=data["capacity"],
            signup_open=data["signup_open"],
            facility=data["facility"],
            village=data["village"],
        )

    @property
    def chosen_scope(self) -> str:
        if "scope" not in self.fields:
            return Scope.ALL
        return self.cleaned_data.get("scope") or Scope.ALL

    # --- clash warnings

    @staticmethod
    def digest(warnings: Sequence[Clash]) -> str:
        """A short fingerprint of ``warnings``: ticking "anyway" confirms these,
        not others that appear meanwhile."""
        text = "|".join(
            f"{c.kind} {c.starts_at.isoformat()} {c.other_title} "
            f"{c.other_starts_at.isoformat()}"
            for c in warnings
        )
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def confirms(self, warnings: Sequence[Clash]) -> bool:
        """Whether the organiser ticked "anyway" for exactly ``warnings``."""
        if not self.cleaned_data.get("confirm"):
            return False
        if self.cleaned_data.get("warned") == self.digest(warnings):
            return True
        self.warnings_changed = True
        return False

    def show_warnings(self, warnings: Sequence[Clash]) -> None:
        """Ask again: the warnings above the form, "anyway" unticked."""
        self.warnings = list(warnings)
        data = self.data.copy()
        data["warned"] = self.digest(warnings)
        data.pop("confirm", None)
        self.data = data

    def show_facility_clashes(
        self, refused: Sequence[Clash], free: Sequence[Slot]
    ) -> None:
        """The facility is taken: say by what and when, beside the facility."""
        first = refused[0]
        self.clash_facility = self.cleaned_data["facility"]
        message = _(
            "%(facility)s is already booked on %(date)s: %(other)s. Choose "
            "another time or facility."
        ) % {
            "facility": self.clash_facility,
            "date": date_format(
                recurrence.local(first.other_starts_at), "DATETIME_FORMAT"
            ),
            "other": first.other_title,
        }
        self.facility_clashes = list(refused)
        self.free_slots = list(free)
        widget = self.fields["facility"].widget
        auto_id = self["facility"].auto_id
        widget.attrs["aria-describedby"] = (
            f"{auto_id}_helptext {auto_id}_error facility-clashes"
        )
        self.add_error("facility", message)


class SignupForm(forms.Form):
    """Going, maybe or not going to one date, with the guests brought along."""

    response = forms.ChoiceField(
        label=_("Your answer"),
        choices=Signup.Response.choices,
        widget=forms.RadioSelect,
    )
    guests = forms.IntegerField(
        label=_("Guests"),
        help_text=_(
            "How many people you bring along, not counting yourself. Only "
            "counted when you are going."
        ),
        min_value=0,
        max_value=MAX_GUESTS,
        required=False,
        initial=0,
    )

    def clean_guests(self) -> int:
        return self.cleaned_data.get("guests") or 0
