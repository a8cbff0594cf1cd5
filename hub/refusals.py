"""The one way a page shows a service's refusal (``hub.errors.ApplicationError``).

A view catches ``ApplicationError`` around its service call and hands it here:
with a form, the refusal is shown beside the fields it names (or on top of the
form) and the view renders the form again; without one, it becomes an error
message shown on the page the view redirects to. The API maps the same errors
once in ``hub.api``.
"""

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from hub.errors import ApplicationError


def show_refusal(
    request: HttpRequest,
    exc: ApplicationError,
    *,
    form: forms.Form | None = None,
    field: str | None = None,
) -> None:
    """Show ``exc`` on ``form`` when given, else as an error message.

    ``field`` is where on the form a refusal naming no field is shown (the
    message box of a message form, say); on top of the form by default."""
    if form is None:
        messages.error(request, str(exc.message))
        return
    add_refusal(form, exc, field=field)


def add_refusal(
    form: forms.Form, exc: ApplicationError, *, field: str | None = None
) -> None:
    """Put ``exc`` on ``form``: beside each visible field it names, else on top
    (or beside ``field`` when it names none).

    A field that already shows an error is not told twice."""
    if not exc.errors:
        form.add_error(field, str(exc.message))
        return
    for name, field_messages in exc.errors.items():
        shown = name in form.fields and not form[name].is_hidden
        target = name if shown else None
        if target is None or not form.has_error(target):
            for message in field_messages:
                form.add_error(target, message)
