"""Forms that plan an agreement's work: a recurring job, a series of its
tasks at a site, a one-off task. They build the services' input; the
services decide (``manage_forms.refuse`` puts a refusal beside its field).
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from agenda import recurrence
from agenda.facility_forms import NativeTimeInput, weekday_choices
from agenda.models import Category, Event, Facility
from hub.widgets import NativeDateInput, NativeDateTimeInput

from .manage_forms import CrewChoice, SiteChoice
from .models import Agreement, Crew, TaskSeries, TaskTemplate, WorkKind
from .services.work import TaskFields


def _kind_choices(agreement: Agreement) -> list[tuple[str, str]]:
    return [(k, label) for k, label in WorkKind.choices if agreement.covers(k)]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


class TemplateForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        error_messages={"required": _("Please give the job a title.")},
    )
    kind = forms.ChoiceField(label=_("Kind of work"))
    checklist = forms.CharField(
        label=_("Checklist (optional)"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One thing to tick off per line."),
    )
    instructions = forms.CharField(
        label=_("Instructions (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    duration = forms.IntegerField(
        label=_("Time it takes (minutes)"),
        min_value=10,
        max_value=24 * 60,
        initial=120,
    )
    blocks_site = forms.BooleanField(
        label=_("The site cannot be used meanwhile"), required=False
    )

    def __init__(self, *args, agreement: Agreement, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(agreement)

    @classmethod
    def initial_of(cls, template: TaskTemplate) -> dict:
        return {
            "title": template.title,
            "kind": template.kind,
            "checklist": "\n".join(template.checklist),
            "instructions": template.instructions,
            "duration": int(template.duration.total_seconds() // 60),
            "blocks_site": template.blocks_site,
        }

    def template_fields(self) -> dict:
        """The cleaned form as template_save and template_update take it."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "checklist": _lines(data["checklist"]),
            "instructions": data["instructions"],
            "duration": timedelta(minutes=data["duration"]),
            "blocks_site": data["blocks_site"],
        }


class SeriesForm(forms.Form):
    """A template's tasks at a site: every week on one weekday until a date,
    or before or after the association's events there (one event's, or those
    of a category); given to one of the contractor's crews or to none."""

    SERVICE_FIELDS = {"starts_at": "first_day", "rrule": "until"}

    mode = forms.ChoiceField(
        label=_("How the tasks are planned"),
        choices=TaskSeries.Mode.choices,
        initial=TaskSeries.Mode.RULE,
        widget=forms.RadioSelect,
    )
    first_day = forms.DateField(
        label=_("First date"), required=False, widget=NativeDateInput()
    )
    first_time = forms.TimeField(
        label=_("From (time of day)"),
        required=False,
        initial=time(7),
        widget=NativeTimeInput(),
    )
    weekday = forms.TypedChoiceField(
        label=_("Every week on"),
        choices=weekday_choices,
        coerce=int,
        required=False,
        empty_value=None,
    )
    until = forms.DateField(
        label=_("Until (last date)"), required=False, widget=NativeDateInput()
    )
    event = forms.ModelChoiceField(
        label=_("Event (optional)"),
        queryset=Event.objects.none(),
        required=False,
        empty_label=_("Every event of the association at the site"),
    )
    event_category = forms.ChoiceField(
        label=_("Category of events (optional)"),
        choices=[("", _("Every category")), *Category.choices],
        required=False,
        help_text=_("When no one event is chosen: only events of this category."),
        error_messages={
            "invalid_choice": _("Please choose one of the calendar's categories.")
        },
    )
    offset = forms.IntegerField(
        label=_("Hours before or after the event"),
        min_value=0,
        max_value=14 * 24,
        initial=0,
    )
    window = forms.IntegerField(
        label=_("Days to do the work in"),
        min_value=1,
        max_value=31,
        initial=2,
        help_text=_(
            "On a schedule: from each date on. Before an event: the days up to "
            "it; after one: the days from it on."
        ),
    )

    crew = CrewChoice(
        label=_("Crew (optional)"),
        queryset=Crew.objects.none(),
        required=False,
        empty_label=_("No crew"),
        help_text=_("The contractor's crew its tasks are given to."),
        error_messages={
            "invalid_choice": _("Please choose one of the contractor's crews.")
        },
    )

    field_order = ["template", "site", "mode"]

    def __init__(self, *args, agreement: Agreement, sites: list[Facility], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = Crew.objects.filter(
            contractor_id=agreement.contractor_id
        )
        templates = {str(t.pk): t for t in agreement.templates.all()}
        self.fields["template"] = forms.TypedChoiceField(
            label=_("Recurring job"),
            choices=[(key, t.title) for key, t in templates.items()],
            coerce=templates.get,
            error_messages={"required": _("Please choose a recurring job.")},
        )
        self.fields["site"] = SiteChoice(label=_("Site"), sites=sites)
        self.fields["event"].queryset = (
            Event.objects.filter(
                community_id=agreement.client_id,
                facility__in=sites,
                cancelled_at__isnull=True,
            )
            .select_related("facility")
            .order_by("title", "pk")
        )
        self.fields["event"].label_from_instance = lambda e: (
            f"{e.title} · {e.facility.name}"
        )
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        if data.get("mode") != TaskSeries.Mode.RULE:
            return data
        for name, message in (
            ("first_day", _("Please give the first date.")),
            ("first_time", _("Please give the time of day.")),
            ("weekday", _("Please choose a weekday.")),
            ("until", _("Please give the last date.")),
        ):
            if data.get(name) is None and name not in self.errors:
                self.add_error(name, message)
        first, until = data.get("first_day"), data.get("until")
        if first and until and until < first:
            self.add_error("until", _("The last date cannot come before the first."))
        return data

    @classmethod
    def initial_of(cls, series: TaskSeries) -> dict:
        """The form's fields for a stored series; a rule on several weekdays
        shows its first (the form plans one a week)."""
        initial = {
            "template": str(series.template_id),
            "site": str(series.site_id),
            "mode": series.mode,
            "event": series.event_id,
            "event_category": series.event_category,
            "offset": int(series.offset.total_seconds() // 3600),
            "window": max(1, int(series.window.total_seconds() // 86400)),
            "crew": series.crew_id,
        }
        if series.mode != TaskSeries.Mode.RULE or series.starts_at is None:
            return initial
        start = recurrence.local(series.starts_at)
        simple = recurrence.Simple.from_rule(series.rrule, series.starts_at)
        weekday = start.weekday()
        if simple is not None and simple.weekdays:
            weekday = recurrence.WEEKDAYS.index(simple.weekdays[0])
        until = simple.until if simple is not None else None
        if until is None:
            dates = recurrence.expand(series.starts_at, series.rrule)
            until = recurrence.local(dates[-1]).date() if dates else None
        return initial | {
            "first_day": start.date(),
            "first_time": start.time(),
            "weekday": weekday,
            "until": until,
        }

    @property
    def by_rule(self) -> bool:
        return self.cleaned_data["mode"] == TaskSeries.Mode.RULE

    def starts_at(self) -> datetime | None:
        if not self.by_rule:
            return None
        data = self.cleaned_data
        return _at(data["first_day"], data["first_time"])

    def rrule(self) -> str:
        if not self.by_rule:
            return ""
        data = self.cleaned_data
        rule = recurrence.Simple(
            freq="WEEKLY",
            weekdays=(recurrence.WEEKDAYS[data["weekday"]],),
            until=data["until"],
        )
        return rule.to_rule(self.starts_at())

    def offset_delta(self) -> timedelta:
        return timedelta(hours=self.cleaned_data["offset"])

    def window_delta(self) -> timedelta:
        return timedelta(days=self.cleaned_data["window"])

    def series_fields(self) -> dict:
        """What series_save and series_update take from the form."""
        data = self.cleaned_data
        return {
            "template": data["template"],
            "site": data["site"],
            "mode": data["mode"],
            "starts_at": self.starts_at(),
            "rrule": self.rrule(),
            "event": data["event"],
            "event_category": data["event_category"],
            "offset": self.offset_delta(),
            "window": self.window_delta(),
            "crew": data["crew"],
        }


class SeriesStopForm(forms.Form):
    """Stopping a series: its tasks with an agreed time stay unless asked."""

    prefix = "stop"

    cancel_confirmed = forms.BooleanField(
        label=_("Also cancel the tasks whose time is agreed"),
        required=False,
        help_text=_("The site they hold is freed again."),
    )


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=recurrence.zone())


class TaskForm(forms.Form):
    """A one-off task: what, where, the time it may be done in."""

    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        error_messages={"required": _("Please give the task a title.")},
    )
    kind = forms.ChoiceField(label=_("Kind of work"))
    window_from = forms.DateTimeField(
        label=_("To be done from"), widget=NativeDateTimeInput()
    )
    window_until = forms.DateTimeField(
        label=_("No later than"), widget=NativeDateTimeInput()
    )
    duration = forms.IntegerField(
        label=_("Time it takes (minutes)"),
        min_value=10,
        max_value=24 * 60,
        initial=120,
    )
    instructions = forms.CharField(
        label=_("Instructions (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    checklist = forms.CharField(
        label=_("Checklist (optional)"),
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One thing to tick off per line."),
    )
    blocks_site = forms.BooleanField(
        label=_("The site cannot be used meanwhile"), required=False
    )

    field_order = ["title", "kind", "site"]

    def __init__(self, *args, agreement: Agreement, sites: list[Facility], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices(agreement)
        self.fields["site"] = SiteChoice(label=_("Site"), sites=sites)
        self.order_fields(self.field_order)

    def task_fields(self) -> TaskFields:
        data = self.cleaned_data
        return TaskFields(
            title=data["title"],
            kind=data["kind"],
            site=data["site"],
            window_from=data["window_from"],
            window_until=data["window_until"],
            duration=timedelta(minutes=data["duration"]),
            instructions=data["instructions"],
            checklist=tuple(_lines(data["checklist"])),
            blocks_site=data["blocks_site"],
        )
