"""Forms for the schedule and attendance. They check shape; the services check the rules
(holidays, ranges, seats) and their errors are put back next to the field that caused them."""

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe

from cohorts.models import Programme
from leadership.models import User

from .models import Attendance, ModuleTemplate, Session
from .selectors import RegisterMark

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


@dataclass(frozen=True)
class RegisterChoice:
    id: str
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class RegisterControl:
    """One person's status (with ``choices``) or note on the register, as plain values."""

    name: str
    id: str
    label: str
    value: str
    errors: list[str]
    choices: tuple[RegisterChoice, ...] = ()

    @property
    def radios(self) -> SafeString:
        """The status's radio buttons and their labels as markup, every value escaped: five
        a person written here rather than by a template loop or ``format_html``, which cost
        most of a 50-person register's time."""
        name = escape(self.name)
        return mark_safe(  # noqa: S308 — every value below is escaped
            "".join(
                f'<input type="radio" name="{name}" value="{escape(choice.value)}" '
                f'class="btn-check" id="{ident}"{" checked" if choice.checked else ""}>'
                f'<label class="btn btn-outline-secondary" for="{ident}">'
                f"{escape(str(choice.label))}</label>"
                for choice in self.choices
                for ident in (escape(choice.id),)
            )
        )


@dataclass(frozen=True)
class RegisterRow:
    """One person on the register: their status and note controls, and the row's markup.
    Unpacks as (person, status, note)."""

    person: User
    status: RegisterControl
    note: RegisterControl

    def __iter__(self) -> Iterator:
        return iter((self.person, self.status, self.note))

    @property
    def fieldset(self) -> SafeString:
        """The person's fieldset (legend, radio buttons, note, errors) as markup, every value
        escaped: written here in one pass, as ``radios`` are, because 50 rows of a dozen
        template variables each were most of the register's time."""
        person, status, note = self.person, self.status, self.note
        note_id = escape(note.id)
        parts = [
            '<fieldset class="register-row">\n'
            f"    <legend>{escape(person.get_full_name() or person.email)}</legend>\n"
            f'    <div class="register-choices">{status.radios}</div>\n'
        ]
        if status.errors:
            parts.append(
                f'    <div class="text-danger small" id="{escape(status.id)}-errors">'
                f"{escape(' '.join(status.errors))}</div>\n"
            )
        invalid = " is-invalid" if note.errors else ""
        described = f' aria-describedby="{note_id}-errors"' if note.errors else ""
        parts.append(
            f'    <label class="visually-hidden" for="{note_id}">{escape(note.label)}</label>\n'
            f'    <input type="text" class="form-control form-control-sm mt-1{invalid}"'
            f' name="{escape(note.name)}" id="{note_id}" value="{escape(note.value)}"'
            f' maxlength="500" placeholder="Note (optional)"{described}>\n'
        )
        if note.errors:
            parts.append(
                f'    <div class="invalid-feedback" id="{note_id}-errors">'
                f"{escape(' '.join(note.errors))}</div>\n"
            )
        parts.append("  </fieldset>")
        return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped


class AttendanceRegisterForm(forms.Form):
    """One status (radio buttons, default "not recorded") and an optional note per person."""

    STATUS_CHOICES = [("", "Not recorded"), *Attendance.Status.choices]

    def __init__(self, *args, rows: list[tuple[User, RegisterMark | None]], **kwargs):
        initial = {}
        for person, row in rows:
            initial[f"status_{person.pk}"] = row.status if row else ""
            initial[f"note_{person.pk}"] = row.note if row else ""
        super().__init__(*args, **{**kwargs, "initial": initial})
        self.people = [person for person, _row in rows]
        # One field of each kind serves every person (fields only clean values; what differs
        # per person, the recorded status and note, is the form's ``initial``): building 100
        # fields with their widgets was a fifth of the register's time.
        status = forms.ChoiceField(
            choices=self.STATUS_CHOICES,
            required=False,
            widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            label="Attendance",
        )
        note = forms.CharField(max_length=500, required=False, label="Note")
        for person in self.people:
            self.fields[f"status_{person.pk}"] = status
            self.fields[f"note_{person.pk}"] = note

    def rows(self) -> Iterator[RegisterRow]:
        """Each person's ``RegisterRow`` (person, status control, note control) for the
        template, as plain values: rendering 50 people's 250 radio buttons through Django's
        widget templates was most of the page's time."""
        errors = self.errors if self.is_bound else {}
        for person in self.people:
            status, note = f"status_{person.pk}", f"note_{person.pk}"
            chosen = self._value(status)
            yield RegisterRow(
                person,
                RegisterControl(
                    name=self.add_prefix(status),
                    id=f"id_{self.add_prefix(status)}",
                    label=f"Attendance of {person}",
                    value=chosen,
                    errors=[str(error) for error in errors.get(status, [])],
                    choices=tuple(
                        RegisterChoice(
                            id=f"id_{self.add_prefix(status)}_{index}",
                            value=value,
                            label=label,
                            checked=value == chosen,
                        )
                        for index, (value, label) in enumerate(self.STATUS_CHOICES)
                    ),
                ),
                RegisterControl(
                    name=self.add_prefix(note),
                    id=f"id_{self.add_prefix(note)}",
                    label=f"Note for {person}",
                    value=self._value(note),
                    errors=[str(error) for error in errors.get(note, [])],
                ),
            )

    def _value(self, name: str) -> str:
        """What the control shows: what was posted, else what is recorded."""
        if self.is_bound:
            return str(self.data.get(self.add_prefix(name), ""))
        return self.initial.get(name) or ""

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
