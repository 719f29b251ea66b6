from html import escape
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from .models import Notification


def option_element(value: object, label: object, *, selected: bool) -> str:
    """One ``<option>`` of a filter form's select (``{% filter_field %}``), value and label
    escaped."""
    chosen = " selected" if selected else ""
    return f'<option value="{escape(str(value))}"{chosen}>{escape(str(label))}</option>'


class FixedChoiceField(forms.ChoiceField):
    """A choice field whose choices are set once, where the form class is defined, and are
    the same for every viewer (the audit trail's hundred actions). Each form instance shares
    them rather than deep-copying them (what ``ChoiceField`` does, a copy a view), and their
    ``<option>`` elements are written once per process (``written_options``, read by
    ``{% filter_field %}``): both cost more on every view than the page's query."""

    def __init__(self, *, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(choices=choices, **kwargs)
        # Each choice's value (as the form's data compares it) and its element, unselected and
        # selected.
        self.written_options: list[tuple[str, str, str]] = [
            (
                str(value),
                option_element(value, label, selected=False),
                option_element(value, label, selected=True),
            )
            for value, label in cast(list[tuple[str, str]], self.choices)
        ]

    def __deepcopy__(self, memo):
        # ``Field.__deepcopy__`` copies the field and its widget; the choices (and their
        # written options) are shared, never changed after ``__init__``.
        return forms.Field.__deepcopy__(self, memo)


class NotificationFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *Notification.Kind.choices], required=False)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Notification.Status.choices], required=False
    )
    person = forms.CharField(
        required=False, max_length=200, label="Person", help_text="Part of a name or e-mail."
    )

    def cleaned(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value}


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on ``form``: next to the field it names when the
    form has that field, otherwise at the top of the form. Every app's views use this."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
