from django import forms
from django.utils.translation import gettext_lazy as _

from .models import HOUSE_RULES_MAX_LENGTH, Community, Membership

ACCEPT_RULES_LABEL = _("I have read and accept the house rules")


class JoinForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisers (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Required only by the service, and only where the community has house rules.
    accept_rules = forms.BooleanField(label=ACCEPT_RULES_LABEL, required=False)


class InvitationAcceptForm(forms.Form):
    """Accepting an invitation: the house rules' checkbox, when there are any."""

    accept_rules = forms.BooleanField(label=ACCEPT_RULES_LABEL)

    def __init__(self, *args, community: Community, **kwargs):
        super().__init__(*args, **kwargs)
        if not community.house_rules:
            del self.fields["accept_rules"]


class HouseRulesForm(forms.Form):
    # No max_length here: the service counts a line break as one character, as
    # the browser does, and refuses longer rules beside this field.
    house_rules = forms.CharField(
        label=_("House rules"),
        required=False,
        help_text=_(
            "What you ask of everyone here, on top of the platform's rules. New "
            "members read and accept them on joining. Leave empty for none."
        ),
        widget=forms.Textarea(attrs={"rows": 12, "maxlength": HOUSE_RULES_MAX_LENGTH}),
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
