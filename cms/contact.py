"""The contact page's form: a resident writes to the municipality's moderators.

Apart from cms.forms because the contact page builds it, and cms.forms reads the
page types (a cycle)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.selectors import AnyUser


class ContactForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("The moderators answer you here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    @classmethod
    def for_user(cls, user: AnyUser) -> "ContactForm":
        """An empty form, with a logged-in person's name and address filled in."""
        if not user.is_authenticated:
            return cls()
        return cls(initial={"name": user.public_name, "email": user.email})

    def clean_name(self) -> str:
        # One line: the name goes into the e-mail's text beside the address.
        return " ".join(self.cleaned_data["name"].split())
