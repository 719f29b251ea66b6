from django import forms
from django.core.exceptions import ValidationError

from .models import Notification


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
