from typing import cast

from django import forms


class AuditFilterForm(forms.Form):
    """Filters for the audit trail page. ``cohort`` offers only cohorts the viewer
    administers (its cleaned value is the cohort's id)."""

    cohort = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    person = forms.CharField(
        required=False, max_length=200, help_text="Part of a name or e-mail: who did it or whom."
    )
    action = forms.ChoiceField(required=False)
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, cohorts, actions: dict[str, str], **kwargs):
        """``cohorts``: the viewer's cohorts (evaluated once, here, into the choices)."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cohort"]).choices = [
            ("", "Any cohort"),
            *((cohort.pk, str(cohort)) for cohort in cohorts),
        ]
        cast(forms.ChoiceField, self.fields["action"]).choices = [
            ("", "Any action"),
            *sorted(actions.items(), key=lambda item: item[1]),
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data


class EraseConfirmForm(forms.Form):
    confirm = forms.CharField(
        label="Type the person's e-mail address to confirm",
        max_length=254,
        help_text="Erasure cannot be undone.",
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip().lower()
        if typed != self.person.email.lower():
            raise forms.ValidationError("That is not this person's e-mail address.")
        return typed
