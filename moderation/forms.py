"""The report form and the moderator's decision form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Decision, Reason, Sanction
from .services import AppealInput, DecisionInput, ReportInput


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Reason.choices, widget=forms.RadioSelect
    )
    legal_ground = forms.CharField(
        label=_("Which law does it break?"),
        help_text=_("Only for “Illegal”: in your own words, which law and why."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    details = forms.CharField(
        label=_("Anything the moderators should know"),
        help_text=_("Optional. The person you report will not learn who you are."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == Reason.ILLEGAL and not data.get("legal_ground"):
            self.add_error(
                "legal_ground",
                _("Say which law you believe it breaks, in your own words."),
            )
        return data

    def to_input(self) -> ReportInput:
        data = self.cleaned_data
        return ReportInput(
            reason=data["reason"],
            details=data["details"],
            legal_ground=data["legal_ground"],
        )


class DecisionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Action.choices, widget=forms.RadioSelect
    )
    ground = forms.ChoiceField(label=_("Ground"), choices=Decision.Ground.choices)
    rule = forms.CharField(
        label=_("The rule or law"),
        help_text=_("Quote or name the rule, e.g. “House rule 2: no advertising”."),
        required=False,
        max_length=300,
    )
    facts = forms.CharField(
        label=_("The facts"),
        help_text=_(
            "What the item says or does that the decision rests on. "
            "The author reads this."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    sanction = forms.ChoiceField(
        label=_("Sanction on the author"),
        help_text=_("Counts as a strike on their record. Optional."),
        choices=[("", _("None")), *Sanction.Kind.choices],
        required=False,
    )
    days = forms.IntegerField(
        label=_("For how many days"),
        help_text=_("For a silence or a suspension."),
        min_value=1,
        max_value=365,
        required=False,
    )
    everywhere = forms.BooleanField(
        label=_("Everywhere on the platform, not only in this space"),
        required=False,
    )

    def __init__(self, *args, actions: list[str] | None = None, law: bool = True, **kw):
        super().__init__(*args, **kw)
        if not law:  # organisers: within their space, and no suspensions
            del self.fields["everywhere"]
            self.fields["sanction"].choices = [
                c
                for c in self.fields["sanction"].choices
                if c[0] != Sanction.Kind.SUSPENSION
            ]
        if actions is not None:
            self.fields["action"].choices = [
                c for c in Decision.Action.choices if c[0] in actions
            ]
        if not law:
            self.fields["ground"].choices = [
                c for c in Decision.Ground.choices if c[0] != Decision.Ground.LAW
            ]

    def to_input(self) -> DecisionInput:
        data = self.cleaned_data
        return DecisionInput(
            action=data["action"],
            ground=data["ground"],
            rule=data["rule"],
            facts=data["facts"],
            sanction=data.get("sanction") or "",
            days=data.get("days") or 0,
            everywhere=bool(data.get("everywhere")),
        )


class AppealForm(forms.Form):
    grounds = forms.CharField(
        label=_("Why is the decision wrong?"),
        help_text=_(
            "A different moderator than the one who decided reads this and "
            "decides again."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("The appeal"),
        choices=[
            ("1", _("Upheld: reverse the decision")),
            ("0", _("Rejected: the decision stands")),
        ],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    ground = forms.ChoiceField(
        label=_("Ground (when the reversal hides the item)"),
        choices=Decision.Ground.choices,
        required=False,
    )
    rule = forms.CharField(
        label=_("The rule or law (when the reversal hides the item)"),
        required=False,
        max_length=300,
    )
    facts = forms.CharField(
        label=_("The facts"),
        help_text=_("Both the author and the appellant read this."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def to_input(self) -> AppealInput:
        data = self.cleaned_data
        return AppealInput(
            upheld=data["upheld"],
            facts=data["facts"],
            ground=data["ground"] or Decision.Ground.NONE,
            rule=data["rule"],
        )


class WordListForm(forms.Form):
    words = forms.CharField(
        label=_("Words and phrases"),
        help_text=_(
            "One per line; letter case does not matter. A post that contains one "
            "goes to the review queue and stays visible until someone decides."
        ),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class VisitorReportForm(forms.Form):
    """Someone not signed in reports illegal content, with an address they
    confirm from an e-mail."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send you a link to confirm the report, and later the outcome."),
    )
    legal_ground = forms.CharField(
        label=_("Which law does it break?"),
        help_text=_("In your own words: which law, and why."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    details = forms.CharField(
        label=_("Anything the moderators should know"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
