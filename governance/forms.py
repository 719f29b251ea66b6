from operator import itemgetter
from typing import cast

from django import forms

from leadership.audit import ACTION_LABELS
from leadership.forms import FixedChoiceField


class AuditFilterForm(forms.Form):
    """Filters for the audit trail page. ``cohort`` offers only cohorts the viewer
    administers (its cleaned value is the cohort's id); ``action`` every action recorded, by
    its label."""

    cohort = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    person = forms.CharField(
        required=False, max_length=200, help_text="Part of a name or e-mail: who did it or whom."
    )
    # Sorted, normalised and written out once, here (``FixedChoiceField``): giving a hundred
    # choices to the field on every view (Django normalises them, for the field and again for
    # its widget), copying them into each form and writing their options each cost more than
    # the audit trail's query.
    action = FixedChoiceField(
        required=False,
        choices=[("", "Any action"), *sorted(ACTION_LABELS.items(), key=itemgetter(1))],
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, cohorts, **kwargs):
        """``cohorts``: the viewer's cohorts (evaluated once, here, into the choices)."""
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["cohort"]).choices = [
            ("", "Any cohort"),
            *((cohort.pk, str(cohort)) for cohort in cohorts),
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
