from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Community, Membership


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisers (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Leave empty to make a link you can share."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    max_uses = forms.IntegerField(
        label=_("How many people may use the link"),
        min_value=1,
        max_value=500,
        initial=20,
        required=False,
    )

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [Membership.Role.MEMBER, Membership.Role.ORGANISER]
        if community.kind == Community.Kind.CONTRACTOR:
            roles.append(Membership.Role.STAFF)
        self.fields["role"].choices = [
            (value, label) for value, label in Membership.Role.choices if value in roles
        ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
