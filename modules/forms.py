"""Forms for the schedule and attendance. They check shape; the services check the rules
(holidays, ranges, seats) and their errors are put back next to the field that caused them."""

from django import forms

from cohorts.models import Programme
from leadership.models import User

from .models import Attendance, ModuleTemplate, Session

OVERRIDE_LABEL = "Schedule on a weekend or holiday anyway"


class ScheduleGenerateForm(forms.Form):
    replace = forms.BooleanField(
        required=False,
        label="Replace the part of the schedule that has not happened yet",
        help_text="Past sessions and anything with attendance or sign-ups are kept.",
    )


class ModuleMoveForm(forms.Form):
    starts_on = forms.DateField(
        label="New first day", widget=forms.DateInput(attrs={"type": "date"})
    )
    cascade = forms.BooleanField(
        required=False, label="Move every later module by the same number of days"
    )
    allow_non_working = forms.BooleanField(required=False, label=OVERRIDE_LABEL)


class ModuleForm(forms.Form):
    title = forms.CharField(max_length=200)
    theme = forms.CharField(max_length=200, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    venue_name = forms.CharField(label="Venue", max_length=200, required=False)
    venue_address = forms.CharField(
        label="Venue address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    venue_for_sessions = forms.BooleanField(
        required=False, label="Use this venue for all of the module's sessions"
    )
    facilitators = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, facilitators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitators"].queryset = facilitators


class SessionForm(forms.Form):
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="Starts", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="Ends", widget=forms.TimeInput(attrs={"type": "time"}))
    title = forms.CharField(max_length=200, required=False)
    venue_name = forms.CharField(label="Venue", max_length=200, required=False)
    venue_address = forms.CharField(
        label="Venue address", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    facilitator = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    what_to_prepare = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="What to prepare"
    )
    seat_limit = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="Only for a short course people sign up to; leave empty otherwise.",
    )
    status = forms.ChoiceField(choices=Session.Status.choices)
    allow_non_working = forms.BooleanField(required=False, label=OVERRIDE_LABEL)

    def __init__(self, *args, facilitators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facilitator"].queryset = facilitators


class ApologyForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Seen by the programme team and faculty.",
    )


class AttendanceRegisterForm(forms.Form):
    """One status (radio buttons, default "not recorded") and an optional note per person."""

    STATUS_CHOICES = [("", "Not recorded"), *Attendance.Status.choices]

    def __init__(self, *args, rows: list[tuple[User, Attendance | None]], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = [person for person, _row in rows]
        for person, row in rows:
            self.fields[f"status_{person.pk}"] = forms.ChoiceField(
                choices=self.STATUS_CHOICES,
                required=False,
                initial=row.status if row else "",
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                label=f"Attendance of {person}",
            )
            self.fields[f"note_{person.pk}"] = forms.CharField(
                max_length=500,
                required=False,
                initial=row.note if row else "",
                label=f"Note for {person}",
            )

    def rows(self):
        for person in self.people:
            yield person, self[f"status_{person.pk}"], self[f"note_{person.pk}"]

    def entries(self) -> dict[int, tuple[str, str]]:
        """Person id → (status, note) for each person the submitted register included (someone
        added to the cohort after the page was loaded is left alone)."""
        return {
            person.pk: (
                self.cleaned_data[f"status_{person.pk}"],
                self.cleaned_data[f"note_{person.pk}"].strip(),
            )
            for person in self.people
            if f"status_{person.pk}" in self.data
        }


def module_template_formset(data=None, *, programme: Programme):
    """The programme's module sequence as a formset: edit, add one, delete."""
    formset_class: type[forms.BaseModelFormSet] = forms.modelformset_factory(
        ModuleTemplate,
        fields=["title", "theme", "kind", "length_half_days", "offset_weeks", "phase"],
        extra=1,
        can_delete=True,
    )
    return formset_class(
        data,
        queryset=programme.module_templates.order_by("position"),
        prefix="modules",
    )
