"""Asking to borrow a thing, or keeping it on some days."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hub.widgets import NativeDateInput


class BookingForm(forms.Form):
    starts_on = forms.DateField(label=_("First day"), widget=NativeDateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=NativeDateInput())
    message = forms.CharField(
        label=_("Message (optional)"), max_length=500, required=False
    )

    def __init__(self, *args, **kwargs):
        # Its own ids: it shares the listing page with the answer form.
        kwargs.setdefault("auto_id", "booking_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The last day is before the first day."))
        return cleaned
