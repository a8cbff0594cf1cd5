"""The form a site's owner answers a resident's report with. It builds the
service's input (``services.reports.report_answer``); the service decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ProblemReport
from .services.reports import ANSWER_LENGTH


class ReportAnswerForm(forms.Form):
    prefix = "answer"

    state = forms.ChoiceField(
        label=_("Your answer"),
        choices=[
            (ProblemReport.State.RESOLVED, _("It is put right")),
            (ProblemReport.State.DECLINED, _("We will not take it up")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose an answer.")},
    )
    answer = forms.CharField(
        label=_("A word for the resident"),
        max_length=ANSWER_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The resident who reported it gets this by e-mail."),
        error_messages={"required": _("Please write a few words for the resident.")},
    )
