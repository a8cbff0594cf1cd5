import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community

from .models import MESSAGE_MAX_CHARS


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        help_text=_("Links become clickable. Mention someone with @name."),
    )
    client_id = forms.CharField(max_length=64, widget=forms.HiddenInput)
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("client_id", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=MESSAGE_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ChannelForm(forms.Form):
    title = forms.CharField(label=_("Name"), max_length=80)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    is_restricted = forms.BooleanField(
        label=_("Restricted: only people added to the channel take part"),
        required=False,
    )
    shared_with = forms.ModelMultipleChoiceField(
        label=_("Share with"),
        queryset=Community.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Their organisers are asked first. Once they accept, their members "
            "can read and write too."
        ),
    )

    def __init__(self, *args, community: Community, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].queryset = Community.objects.exclude(
            pk=community.pk
        ).order_by("kind", "name")


class PeopleForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("People"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = choices
        self.fields["people"].label_from_instance = lambda u: u.public_name


class AddPersonForm(forms.Form):
    """Add someone to a conversation, choosing deliberately what they read."""

    user = forms.ModelChoiceField(label=_("Add a person"), queryset=None)
    share_history = forms.TypedChoiceField(
        label=_("May they read the earlier messages?"),
        choices=[
            ("yes", _("Yes, they read the whole conversation")),
            ("no", _("No, only the messages from now on")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text=_("Everyone in the conversation sees what you chose."),
    )

    def __init__(self, *args, choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = choices
        self.fields["user"].label_from_instance = lambda u: u.public_name
