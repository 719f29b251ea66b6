from django import forms

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
