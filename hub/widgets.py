"""Date and time inputs whose value is always one the browser's picker accepts.

Browsers submit a native date or datetime-local field only in its ISO form, so
anything else came from a hand-made request; rendered back, it would make the
page invalid HTML (a ``value`` the input type forbids) and show nothing anyway.
Such a value is dropped and the form's own error says what was wrong.
"""

from datetime import date, datetime

from django import forms


class NativeDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                date.fromisoformat(value)
            except ValueError:
                return None
            return value
        return super().format_value(value)


class NativeDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, str):
            try:
                datetime.fromisoformat(value)
            except ValueError:
                return None
            return value if "T" in value else None
        return super().format_value(value)
