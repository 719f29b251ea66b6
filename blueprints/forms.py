"""Forms of the blueprint pages. Each lists its fields; the services validate the rest."""

import datetime
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cohorts.models import Programme
from modules.models import CloseDown, MilestoneTemplate, ModuleTemplate
from redesign_projects.models import AcceptedType, AssignmentTemplate
from redesign_projects.services import parse_rubric


def _modules_of(form: forms.ModelForm, programme: Programme) -> None:
    field = cast(forms.ModelChoiceField, form.fields["module_template"])
    field.queryset = ModuleTemplate.objects.filter(programme=programme)
    field.empty_label = "None: count from the cohort's start"


class AssignmentTemplateForm(forms.ModelForm):
    accepted_types = forms.MultipleChoiceField(
        label="Accepted file types",
        choices=AcceptedType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AssignmentTemplate
        fields = [
            "title",
            "kind",
            "module_template",
            "due_offset_days",
            "due_time",
            "brief",
            "rubric",
            "accepted_types",
            "max_size_mb",
        ]
        widgets = {
            "due_time": forms.TimeInput(attrs={"type": "time"}),
            "brief": forms.Textarea(attrs={"rows": 4}),
            "rubric": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        _modules_of(self, programme)

    def clean_rubric(self) -> str:
        rubric = self.cleaned_data["rubric"]
        parse_rubric(rubric)  # a ValidationError shows next to the field
        return rubric


class MilestoneTemplateForm(forms.ModelForm):
    class Meta:
        model = MilestoneTemplate
        fields = ["name", "kind", "module_template", "offset_days", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        _modules_of(self, programme)


class CloseDownForm(forms.ModelForm):
    class Meta:
        model = CloseDown
        fields = ["name", "starts_on", "ends_on", "every_year"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day cannot be before the first.")
        return data


class CohortRerunForm(forms.Form):
    name = forms.CharField(max_length=200, help_text='e.g. "Cohort 4"')
    starts_on = forms.DateField(
        label="Start date",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Every date moves by the same number of days; a start on a weekend, "
        "holiday or close-down moves to the next working day.",
    )

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_starts_on(self) -> datetime.date:
        starts_on = self.cleaned_data["starts_on"]
        if starts_on < self.today:
            raise ValidationError("A new cohort cannot start in the past.")
        return starts_on
