"""The forms of a task's page, one per lifecycle step.

Each carries the task's ``version`` as read when the page was rendered, so a
step taken on an out-of-date page is refused (``TaskConflict``) instead of
undoing someone else's. Each has its own prefix: the page shows several at
once, and their fields' ids must not collide. Datetimes are typed on the
municipality's clock (the current time zone).
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hub.widgets import NativeDateTimeInput
from marketplace.forms import MultipleFileInput

from .models import Task, TaskSlot
from .services.lifecycle import Completion

PHOTO_TYPES = "image/jpeg,image/png,image/webp"


class StepForm(forms.Form):
    """A step with nothing to say: start, accept."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, task: Task, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("version", task.version)
        super().__init__(*args, **kwargs)
        self.task = task

    def refresh_version(self) -> None:
        """After a conflict: what was typed stays, the version becomes the
        task's current one, so sending it again is a choice made knowingly."""
        if self.is_bound:
            self.data = self.data.copy()
            self.data[self.add_prefix("version")] = str(self.task.version)


class ProposeForm(StepForm):
    prefix = "propose"
    START_FIELDS = ("start_1", "start_2", "start_3")

    start_1 = forms.DateTimeField(
        label=_("First time"), required=False, widget=NativeDateTimeInput()
    )
    start_2 = forms.DateTimeField(
        label=_("Second time (optional)"), required=False, widget=NativeDateTimeInput()
    )
    start_3 = forms.DateTimeField(
        label=_("Third time (optional)"), required=False, widget=NativeDateTimeInput()
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if not self.starts() and not any(
            name in self.errors for name in self.START_FIELDS
        ):
            self.add_error("start_1", _("Please offer at least one time."))
        return data

    def starts(self) -> list:
        data = getattr(self, "cleaned_data", {})
        return [data[name] for name in self.START_FIELDS if data.get(name)]


class ConfirmForm(StepForm):
    """One of the times the other side offered; the page shows a button per
    time, each sending its slot."""

    prefix = "confirm"

    slot = forms.TypedChoiceField(label=_("Time"), coerce=int, choices=())

    def __init__(self, *args, slots: list[TaskSlot], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.pk: slot for slot in slots}
        self.fields["slot"].choices = [
            (pk, str(slot)) for pk, slot in self.slots.items()
        ]
        self.fields["slot"].error_messages["invalid_choice"] = _(
            "This time is no longer offered."
        )

    def chosen(self) -> TaskSlot:
        return self.slots[self.cleaned_data["slot"]]


class TaskPhotosField(forms.FileField):
    """Several photos from one file input; the service checks and re-encodes
    them (and refuses more than the task may carry)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        limit = settings.NABOLAG_TASKS["MAX_PHOTOS"]
        if len(files) > limit:
            raise ValidationError(
                _("Choose at most %(count)s photos.") % {"count": limit}
            )
        return files


class CompleteForm(StepForm):
    prefix = "complete"

    checked = forms.TypedMultipleChoiceField(
        label=_("Done"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    minutes_on_site = forms.IntegerField(
        label=_("Minutes on site (optional)"),
        required=False,
        min_value=1,
        max_value=24 * 60,
    )
    photos = TaskPhotosField(
        label=_("Photos (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Their location data is removed."),
        widget=MultipleFileInput(attrs={"accept": PHOTO_TYPES}),
    )
    photo_description = forms.CharField(
        label=_("What the photos show (optional)"),
        required=False,
        max_length=200,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checked"].choices = list(enumerate(self.task.checklist))
        if not self.task.checklist:
            del self.fields["checked"]

    def completion(self) -> Completion:
        data = self.cleaned_data
        return Completion(
            checked=data.get("checked", []),
            note=data["note"],
            minutes_on_site=data["minutes_on_site"],
            photos=data["photos"],
            photo_description=data["photo_description"],
        )


class DisputeForm(StepForm):
    prefix = "dispute"

    reason = forms.CharField(
        label=_("What is not right"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _(
                "Please say what is not right, so the contractor can put it right."
            )
        },
    )


class CancelForm(StepForm):
    prefix = "cancel"

    reason = forms.CharField(
        label=pgettext_lazy("task", "Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StartForm(StepForm):
    prefix = "start"


class AcceptForm(StepForm):
    prefix = "accept"


FORMS: dict[str, type[StepForm]] = {
    "propose": ProposeForm,
    "confirm": ConfirmForm,
    "start": StartForm,
    "complete": CompleteForm,
    "accept": AcceptForm,
    "dispute": DisputeForm,
    "cancel": CancelForm,
}
