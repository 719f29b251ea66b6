"""Forms for measures, data points (one at a time or a CSV file), rebased limits, PDSA
cycles and a programme's chart rules. Forms validate and collect; services save (and run the
models' own checks, once the owner is set)."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.html import format_html

from redesign_projects.models import RedesignTeam

from . import services
from .charting import (
    MAX_PDSA_TEXT_CHARACTERS,
    MAX_POINTS_PER_MEASURE,
    MAX_ROWS,
    PDSA_TEXT_FIELDS,
)
from .models import ChartRuleSet, DataPoint, Measure, PdsaCycle
from .models import Rebase as MeasureRebase

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class DateInput(forms.DateInput):
    """A native date picker; typed dates may also be day/month/year."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_fields(form: forms.BaseForm, *names: str) -> None:
    for name in names:
        cast(forms.DateField, form.fields[name]).input_formats = DATE_FORMATS
        form.fields[name].widget = DateInput()


class MeasureForm(forms.ModelForm):
    """A measure's definition; ``measure_fields()`` is what the services take."""

    class Meta:
        model = Measure
        fields = list(services.MEASURE_FIELDS)
        widgets = {"operational_definition": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "target": "Optional. On an XmR chart it decides the assurance label.",
            "baseline_starts_on": "Optional: the period whose points set the centre line.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "baseline_starts_on", "baseline_ends_on")

    def _post_clean(self) -> None:
        """The model's own checks run in the service (its owner is set there), not here."""

    def measure_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.MEASURE_FIELDS}


class DataPointForm(forms.ModelForm):
    class Meta:
        model = DataPoint
        fields = ["period", "value", "annotation", "astronomical"]
        labels = {"astronomical": "Astronomical point"}

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "period")
        self.fields["period"].help_text = (
            "The first day of the month" if measure.frequency == Measure.Frequency.MONTHLY
            else "The first day of the week"
        ) + " it covers, e.g. 2025-03-01 or 1/3/2025."  # fmt: skip
        # Help text is rendered as markup (Django's and crispy's templates mark it safe).
        self.fields["value"].help_text = format_html("In {}.", measure.unit)

    def _post_clean(self) -> None:
        """Saved (and checked against the measure's other points) by the service."""

    def point_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DataPointImportForm(forms.Form):
    text = forms.CharField(
        label="Paste from a spreadsheet",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text="Copy the cells from Excel (or CSV text): a date and a value a row, with or "
        "without a header row naming “period” and “value” (and optionally “annotation”). "
        "Dates as 2025-03-01 or 1/3/2025 (day first). At most "
        f"{MAX_ROWS:,} rows at a time, and {MAX_POINTS_PER_MEASURE:,} points in a measure.",
    )
    upload = forms.FileField(
        label="Or upload a CSV file", required=False, help_text="At most 1 MB, UTF-8."
    )

    MAX_BYTES = 1024 * 1024

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if upload is not None:
            if upload.size > self.MAX_BYTES:
                raise ValidationError({"upload": "The file is larger than 1 MB."})
            try:
                cleaned["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ValidationError(
                    {"upload": "The file is not UTF-8 text: save it as “CSV UTF-8”."}
                ) from exc
        if not cleaned.get("text", "").strip():
            raise ValidationError({"text": "Paste some CSV or choose a file."})
        return cleaned


class RebaseForm(forms.ModelForm):
    class Meta:
        model = MeasureRebase
        fields = ["starts_on", "reason"]
        widgets = {"reason": forms.TextInput()}
        help_texts = {"starts_on": "The first period the new limits cover."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "starts_on")
        self.fields["reason"].help_text = (
            "Required: what changed in the process, e.g. “Nurse-led discharge started”. "
            "It is shown on the chart."
        )

    def _post_clean(self) -> None:
        """Checked against the measure's points by the service."""


class PdsaCycleForm(forms.ModelForm):
    class Meta:
        model = PdsaCycle
        fields = list(services.PDSA_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("plan", "prediction", "do", "study", "act")
        }
        labels = {"do": "Do", "act": "Act", "study": "Study", "plan": "Plan"}

    def __init__(self, *args, team: RedesignTeam, **kwargs):
        super().__init__(*args, **kwargs)
        _date_fields(self, "started_on", "ended_on")
        cast(forms.ModelChoiceField, self.fields["measure"]).queryset = team.measures.order_by(
            "position", "pk"
        )
        self.fields["measure"].help_text = "The measure whose chart shows this cycle (optional)."
        for name in PDSA_TEXT_FIELDS:
            field = self.fields[name]
            field.max_length = MAX_PDSA_TEXT_CHARACTERS  # type: ignore[attr-defined]
            field.validators.append(MaxLengthValidator(MAX_PDSA_TEXT_CHARACTERS))
            field.widget.attrs["maxlength"] = str(MAX_PDSA_TEXT_CHARACTERS)
            field.help_text += f" At most {MAX_PDSA_TEXT_CHARACTERS:,} characters."

    def _post_clean(self) -> None:
        """Saved and checked by the service."""

    def cycle_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.PDSA_FIELDS}


class ChartRuleSetForm(forms.ModelForm):
    class Meta:
        model = ChartRuleSet
        fields = ["shift", "trend", "min_points"]
        labels = {"shift": "Shift length", "trend": "Trend length"}

    def clean(self):
        cleaned = super().clean()
        for name, lowest in (("shift", 2), ("trend", 3), ("min_points", 2)):
            value = cleaned.get(name)
            if value is not None and value < lowest:
                self.add_error(name, f"At least {lowest}.")
        return cleaned

    def _post_clean(self) -> None:
        """Saved and checked by the service."""
