"""Answering a listing, and what the two sides of a match say."""

from django import forms
from django.utils.translation import gettext_lazy as _


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
