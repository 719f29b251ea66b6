"""Forms for programmes, cohorts and people. They validate input; services do the writing."""

import datetime
import re
from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from leadership.models import User, normalise_email

from .imports import MAX_FILE_BYTES
from .models import Cohort, Enrolment, Programme, days_in_words


class LinesField(forms.CharField):
    """A list of short texts, one per line (phases, project kinds)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str]:  # type: ignore[override]  # lines, not one string
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class DaysField(forms.CharField):
    """A reminder rule typed as "14, 2": whole days, in the order they are sent (largest first
    before a date, smallest first after it). Its range and repeats are checked by the model
    field's ``ReminderDaysValidator``, so the message shows next to this field."""

    def __init__(self, *, before: bool, **kwargs) -> None:
        self.before = before
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return ", ".join(str(d) for d in value) if isinstance(value, list) else value

    def to_python(self, value) -> list[int]:  # type: ignore[override]  # days, not one string
        text = super().to_python(value) or ""
        days = []
        for part in re.split(r"[,;\s]+|\band\b", text):
            if not part:
                continue
            try:
                days.append(int(part))
            except ValueError as exc:
                raise ValidationError(
                    "Give whole numbers of days separated by commas, e.g. 14, 2.", code="invalid"
                ) from exc
        return sorted(days, reverse=self.before)


def _site_default(days: list[int], when: str) -> str:
    in_order = sorted(days, reverse=when == "before")
    return f" Empty: the site's default, {days_in_words(in_order)} {when}."


class ProgrammeForm(forms.ModelForm):
    phases = LinesField(required=False, help_text="One per line, in order, e.g. Trimester 1.")
    project_kinds = LinesField(
        required=False, help_text="One per line, e.g. Care redesign, QI project per pair."
    )
    session_reminder_days = DaysField(label="Session reminders (days before)", before=True)
    assignment_reminder_days = DaysField(
        label="Assignment reminders (days before due)", before=True
    )
    assignment_overdue_days = DaysField(label="Overdue notices (days after due)", before=False)

    class Meta:
        model = Programme
        fields = [
            "name",
            "description",
            "organisation",
            "default_capacity",
            "phases",
            "project_kinds",
            "completion_min_attendance_percent",
            "completion_requires_final_assignment",
            "pairs_avoid_same_team",
            "session_reminder_days",
            "assignment_reminder_days",
            "assignment_overdue_days",
            "email_greeting",
            "email_sign_off",
            "decimal_comma",
        ]

    # Who is reminded when, the site default it falls back to, and that a change reaches every
    # cohort of the programme for reminders not yet sent.
    RULES = {
        "session_reminder_days": (
            "Days before each session that everyone expected gets a reminder, e.g. 14, 2.",
            "SESSION_REMINDER_DAYS",
            "before",
        ),
        "assignment_reminder_days": (
            "Days before an assignment is due that those who have not handed it in are "
            "reminded, e.g. 7, 1.",
            "ASSIGNMENT_REMINDER_DAYS",
            "before",
        ),
        "assignment_overdue_days": (
            "Days after an assignment was due that those who have not handed it in are told "
            "it is overdue, e.g. 1, 7.",
            "ASSIGNMENT_OVERDUE_DAYS",
            "after",
        ),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, (what, setting, when) in self.RULES.items():
            self.fields[name].help_text = (
                what
                + _site_default(getattr(settings, setting), when)
                + " A change applies to every cohort of the programme, for reminders not yet sent."
            )

    def clean_completion_min_attendance_percent(self) -> int:
        # Said next to the field (the database's check would only say "constraint violated").
        value = self.cleaned_data["completion_min_attendance_percent"]
        if value > 100:
            raise ValidationError("A share of sessions: at most 100 %.")
        return value


class CohortCreateForm(forms.ModelForm):
    sponsor_emails = forms.CharField(
        label="Sponsoring clinical leaders",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Their e-mail addresses, one per line. They must already have an account.",
    )

    class Meta:
        model = Cohort
        fields = [
            "programme",
            "name",
            "starts_on",
            "capacity",
            "time_zone",
            "holiday_region",
            "venue_name",
            "venue_address",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "venue_address": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"capacity": "Leave empty to use the programme's default."}

    def __init__(self, *args, programmes, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        programme_field = cast(forms.ModelChoiceField, self.fields["programme"])
        programme_field.queryset = programmes
        programme_field.empty_label = None
        self.fields["capacity"].required = False

    def clean_starts_on(self) -> datetime.date:
        starts_on = self.cleaned_data["starts_on"]
        if starts_on < self.today:
            raise ValidationError("A new cohort cannot start in the past.")
        return starts_on

    def clean_capacity(self) -> int | None:
        capacity = self.cleaned_data["capacity"]
        if capacity is not None and capacity < 1:
            raise ValidationError("A cohort takes at least one participant.")
        return capacity

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_sponsor_emails(self) -> list[User]:
        emails = [
            normalise_email(line)
            for line in self.cleaned_data["sponsor_emails"].splitlines()
            if line.strip()
        ]
        people = {p.email: p for p in User.objects.filter(email__in=emails)}
        unknown = [email for email in emails if email not in people]
        if unknown:
            raise ValidationError(
                f"No account has the address {', '.join(unknown)}. Enrol them from the cohort "
                "page once it exists."
            )
        return list(dict.fromkeys(people[email] for email in emails))

    def clean(self):
        cleaned = super().clean()
        programme, name = cleaned.get("programme"), cleaned.get("name")
        if programme and name and programme.cohorts.filter(name__iexact=name).exists():
            self.add_error("name", f"{programme.name} already has a cohort called {name}.")
        return cleaned

    def _post_clean(self):
        # The capacity default comes from the programme in the service; the model's own
        # validation runs there too (full_clean), so skip the instance round trip here.
        pass


class CohortEditForm(forms.ModelForm):
    """A cohort's details. ``version`` carries the version the editor started from, so a save
    made over someone else's newer one is refused (``services.cohort_update``)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Cohort
        fields = [
            "name",
            "capacity",
            "venue_name",
            "venue_address",
            "peer_review_enabled",
            "peer_review_shows_feedback",
            "peer_review_shows_individual_work",
        ]
        widgets = {"venue_address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_capacity(self) -> int:
        capacity = self.cleaned_data["capacity"]
        if capacity < 1:
            raise ValidationError("A cohort takes at least one participant.")
        return capacity

    def _post_clean(self):
        # The service validates against the row as it is when saved (locked), not this copy.
        pass


class CohortStatusForm(forms.Form):
    status = forms.ChoiceField(label="New status", choices=Cohort.Status.choices)


class EnrolForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Enrolment.Role.choices, initial=Enrolment.Role.PARTICIPANT)
    first_name = forms.CharField(
        max_length=150, required=False, help_text="Needed only for someone without an account."
    )
    last_name = forms.CharField(max_length=150, required=False)
    profession = forms.ChoiceField(choices=User.Profession.choices, initial=User.Profession.OTHER)
    grade = forms.ChoiceField(
        label="Grade or seniority",
        choices=[("", "Not stated"), *User.Grade.choices],
        required=False,
        help_text=User._meta.get_field("grade").help_text,
    )
    job_title = forms.CharField(max_length=200, required=False)
    department = forms.CharField(label="Department or service", max_length=200, required=False)
    organisation = forms.CharField(max_length=200, required=False)


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(
        label="Date of withdrawal", widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Participant list",
        help_text=(
            "A CSV file or an Excel workbook (.xlsx) with a header row: e-mail, first name, "
            "last name, profession, and optionally grade, job title, department and organisation."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise ValidationError("Upload a .csv or .xlsx file.")
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError("The file is larger than 5 MB.")
        return upload
