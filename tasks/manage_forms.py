"""Forms of the pages that manage an agreement (the invitation and its
answer, what it covers, who may act, the pre-approved times), a task's
crew, and a resident's problem report; the recurring jobs, their series and
one-off tasks are in plan_forms.py. They build the services' input; the
services decide.

Where a service names a field differently from the form, ``SERVICE_FIELDS``
says which field its refusal belongs beside (see ``refuse``).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from agenda.facility_forms import NativeTimeInput, weekday_choices
from agenda.facility_selectors import facilities
from agenda.models import Facility
from communities.models import Community, Membership
from hub.errors import ApplicationError
from hub.refusals import add_refusal

from .models import Agreement, AgreementActor, Crew, Side, WorkKind


def refuse(form: forms.Form, exc: ApplicationError) -> None:
    """The refusal beside the field it is about, by this form's names."""
    names = getattr(form, "SERVICE_FIELDS", {})
    exc.errors = {names.get(name, name): texts for name, texts in exc.errors.items()}
    add_refusal(form, exc)


class SiteChoice(forms.TypedChoiceField):
    """One of the agreement's sites, from the list the page already read."""

    def __init__(self, *, sites: list[Facility], blank: str | None = None, **kwargs):
        self.sites = {str(s.pk): s for s in sites}
        choices = [("", blank)] if blank is not None else []
        choices += [(key, s.name) for key, s in self.sites.items()]
        kwargs.setdefault("error_messages", {"required": _("Please choose a site.")})
        super().__init__(
            choices=choices, coerce=self.sites.get, empty_value=None, **kwargs
        )


# --- the agreement itself


class AgreementForm(forms.Form):
    """What the association asks of the contractor: a name, the terms, the
    sites and the kinds of work."""

    title = forms.CharField(
        label=_("Name of the agreement"),
        max_length=120,
        error_messages={"required": _("Please give the agreement a name.")},
    )
    terms = forms.CharField(
        label=_("What is agreed (optional)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Prices, standards, whom to call: what both sides should know."),
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"),
        queryset=Facility.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    work_kinds = forms.MultipleChoiceField(
        label=_("Kinds of work"),
        choices=WorkKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = facilities()

    @classmethod
    def initial_of(cls, agreement: Agreement) -> dict:
        return {
            "title": agreement.title,
            "terms": agreement.terms,
            "sites": [s.pk for s in agreement.sites.all()],
            "work_kinds": list(agreement.work_kinds),
        }


class InviteForm(AgreementForm):
    contractor = forms.ModelChoiceField(
        label=_("Contractor"),
        queryset=Community.objects.none(),
        empty_label=_("Choose a contractor"),
        error_messages={"required": _("Please choose a contractor.")},
    )

    field_order = ["contractor", "title", "terms", "sites", "work_kinds"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contractor"].queryset = Community.objects.filter(
            kind=Community.Kind.CONTRACTOR
        ).order_by("name")


class AnswerForm(forms.Form):
    """The contractor's answer; the page shows one button per choice."""

    prefix = "answer"

    answer = forms.ChoiceField(
        choices=[
            ("accept", pgettext_lazy("agreement", "Accept")),
            ("decline", pgettext_lazy("agreement", "Decline")),
        ],
        error_messages={"required": _("Please choose to accept or decline.")},
    )

    def accepted(self) -> bool:
        return self.cleaned_data["answer"] == "accept"


class ShareForm(forms.Form):
    prefix = "share"

    shared = forms.TypedChoiceField(
        choices=[("1", _("Share")), ("0", _("Stop sharing"))],
        coerce=lambda value: value == "1",
    )


class EndForm(forms.Form):
    prefix = "end"

    reason = forms.CharField(
        label=pgettext_lazy("agreement", "Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Both sides see it in the history of each cancelled task."),
    )


# --- who may act, and when work needs no answer


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.public_name


class ActorForm(forms.Form):
    """Name someone of one side's community who may act on the tasks: its
    members and staff not named yet (organisers may act anyway)."""

    user = _PersonChoice(
        label=_("Person"),
        queryset=User.objects.none(),
        empty_label=_("Choose a person"),
        error_messages={
            "required": _("Please choose a person."),
            "invalid_choice": _("Please choose one of the community's members."),
        },
    )

    def __init__(
        self,
        *args,
        agreement: Agreement,
        side: str,
        actors: list[AgreementActor],
        **kwargs,
    ) -> None:
        kwargs.setdefault("prefix", f"actor_{side}")
        super().__init__(*args, **kwargs)
        self.side = side
        community_id = (
            agreement.client_id if side == Side.CLIENT else agreement.contractor_id
        )
        self.fields["user"].queryset = (
            User.objects.filter(
                is_active=True,
                memberships__community_id=community_id,
                memberships__state=Membership.State.ACTIVE,
                memberships__role__in=[Membership.Role.MEMBER, Membership.Role.STAFF],
            )
            .exclude(pk__in=[a.user_id for a in actors])
            .order_by("display_name", "pk")
        )


class WindowForm(forms.Form):
    prefix = "window"

    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=weekday_choices, coerce=int
    )
    opens = forms.TimeField(label=_("From"), widget=NativeTimeInput())
    closes = forms.TimeField(label=_("Until"), widget=NativeTimeInput())

    def __init__(self, *args, sites: list[Facility], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"] = SiteChoice(
            label=_("Site"), sites=sites, blank=_("Every site"), required=False
        )


# --- a task's crew, a resident's report


class CrewChoice(forms.ModelChoiceField):
    """One of a contractor's crews, by its name."""

    def label_from_instance(self, obj: Crew) -> str:
        return obj.name


class CrewForm(forms.Form):
    prefix = "crew"

    crew = CrewChoice(
        label=_("Crew"),
        queryset=Crew.objects.none(),
        required=False,
        empty_label=_("No crew"),
    )

    def __init__(self, *args, contractor_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crew"].queryset = Crew.objects.filter(contractor_id=contractor_id)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of problem is it?"),
        choices=[("", _("Choose one")), *WorkKind.choices],
        error_messages={"required": _("Please choose what kind of problem it is.")},
    )
    description = forms.CharField(
        label=_("What is wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Where exactly, and what you saw. Please name no one."),
        error_messages={"required": _("Please say what is wrong.")},
    )
