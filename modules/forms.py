"""Forms for the schedule and attendance. They check shape; the services check the rules
(holidays, ranges, seats) and their errors are put back next to the field that caused them."""

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


def _braced(value: str) -> str:
    """``value`` escaped for HTML, with its braces doubled for ``str.format``."""
    return escape(value).replace("{", "{{").replace("}", "}}")


def _radios(choices: list[tuple[str, str]]) -> dict[str | None, str]:
    """A person's radio buttons as markup for each status that can be ticked (``None``: none
    is, for a posted value that is no choice), the control's name left as ``{name}``."""
    return {
        ticked: "".join(
            f'<input type="radio" name="{{name}}" value="{_braced(value)}" class="btn-check" '
            f'id="id_{{name}}_{index}"{" checked" if value == ticked else ""}>'
            f'<label class="btn btn-outline-secondary" for="id_{{name}}_{index}">'
            f"{_braced(str(label))}</label>"
            for index, (value, label) in enumerate(choices)
        )
        for ticked in [None, *(value for value, _label in choices)]
    }


class AttendanceRegisterForm(forms.Form):
    """One status (radio buttons, default "not recorded") and an optional note per person."""

    STATUS_CHOICES = [("", "Not recorded"), *Attendance.Status.choices]
    # A person's radio buttons as markup, escaped once for every register rather than once a
    # person (``_radios``).
    _RADIOS = _radios(STATUS_CHOICES)

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

    def fieldsets(self) -> SafeString:
        """Every person's fieldset (legend, status radio buttons, note, errors) as markup, in
        one pass: 250 widgets through Django's widget templates, then 50 rows of template
        variables, then a dataclass and a dozen escapes a person were, each in turn, most of
        the register's time. Each value is escaped once: the person's name (legend and the
        note's label), the note shown, the errors; the controls' names and ids are made of the
        form's prefix (escaped) and the person's id, the radio buttons written once for all
        (``_RADIOS``)."""
        errors = self.errors if self.is_bound else {}
        prefix = f"{escape(self.prefix)}-" if self.prefix else ""
        parts = []
        for person in self.people:
            status, note = f"status_{person.pk}", f"note_{person.pk}"
            name = f"{prefix}{status}"
            radios = self._RADIOS.get(self._value(status), self._RADIOS[None]).format(name=name)
            parts.append(
                '<fieldset class="register-row">\n'
                f"    <legend>{(who := escape(str(person)))}</legend>\n"
                f'    <div class="register-choices">{radios}</div>\n'
            )
            if status_errors := errors.get(status):
                parts.append(
                    f'    <div class="text-danger small" id="id_{name}-errors">'
                    f"{escape(' '.join(str(error) for error in status_errors))}</div>\n"
                )
            note_name = f"{prefix}{note}"
            note_errors = errors.get(note)
            invalid = " is-invalid" if note_errors else ""
            described = f' aria-describedby="id_{note_name}-errors"' if note_errors else ""
            parts.append(
                f'    <label class="visually-hidden" for="id_{note_name}">Note for {who}</label>\n'
                f'    <input type="text" class="form-control form-control-sm mt-1{invalid}"'
                f' name="{note_name}" id="id_{note_name}" value="{escape(self._value(note))}"'
                f' maxlength="500" placeholder="Note (optional)"{described}>\n'
            )
            if note_errors:
                parts.append(
                    f'    <div class="invalid-feedback" id="id_{note_name}-errors">'
                    f"{escape(' '.join(str(error) for error in note_errors))}</div>\n"
                )
            parts.append("  </fieldset>\n  ")
        return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped

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
