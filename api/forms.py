import datetime

from django import forms
from django.utils import timezone

from cohorts.models import Cohort, Programme

from .models import ApiToken


class ApiTokenForm(forms.ModelForm):
    """A new token: what uses it, its scope and when it expires (a year at most)."""

    expires_on = forms.DateField(
        label="Expires on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="At most a year from today; create a new token before then.",
    )

    class Meta:
        model = ApiToken
        fields = ["name", "cohort", "scope", "contact_details"]

    def __init__(self, *args, programme: Programme, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cohort_field = self.fields["cohort"]
        assert isinstance(cohort_field, forms.ModelChoiceField)
        cohort_field.queryset = Cohort.objects.filter(programme=programme).order_by("-starts_on")
        cohort_field.empty_label = "Every cohort of the programme"
        self.fields["expires_on"].initial = timezone.localdate() + datetime.timedelta(days=90)

    def clean_expires_on(self) -> datetime.date:
        value = self.cleaned_data["expires_on"]
        if value > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError("Choose a date at most a year from today.")
        return value
