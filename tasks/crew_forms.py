"""The form of the crew pages (tasks/views/crews.py): a crew's name and who is
in it, chosen among the contractor's active members. It builds the services'
input (services.agreements.crew_create, crew_update); the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Membership

from .models import Crew


class _People(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.public_name


class CrewForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the crew"),
        max_length=80,
        error_messages={"required": _("Please give the crew a name.")},
    )
    members = _People(
        label=_("Who is in it"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The people of the firm who go out with this crew."),
        error_messages={
            "invalid_choice": _("Please choose among the firm's own people."),
        },
    )

    def __init__(self, *args, contractor_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(
            is_active=True,
            memberships__community_id=contractor_id,
            memberships__state=Membership.State.ACTIVE,
        ).order_by("display_name", "pk")

    @classmethod
    def initial_of(cls, crew: Crew) -> dict:
        return {"name": crew.name, "members": [m.pk for m in crew.members.all()]}
