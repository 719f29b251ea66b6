"""Forms for teams, the team formation page, assignments, extensions, submissions, feedback
and peer comments. Forms validate and collect; services save."""

import uuid
from typing import cast

from django import forms
from django.core.exceptions import ValidationError

from leadership.models import User
from modules.selectors import modules_in_date_order

from . import selectors, services
from .models import (
    MAX_FEEDBACK_CHARACTERS,
    AcceptedType,
    Assignment,
    Feedback,
    PeerComment,
    PeerReview,
    RedesignTeam,
    Submission,
)
from .uploads import check_upload


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        details = ", ".join(part for part in (obj.get_profession_display(), obj.department) if part)
        return f"{obj} ({details})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return PersonChoiceField.label_from_instance(cast(PersonChoiceField, self), obj)


class TeamForm(forms.ModelForm):
    """A team's details and members. The clinical lead must be a clinician — the model says
    so next to the field when someone picks a manager."""

    members = PeopleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="Hold Ctrl (⌘ on a Mac) to choose several. The clinical lead is added too.",
    )

    class Meta:
        model = RedesignTeam
        fields = [
            "name",
            "focus_kind",
            "focus",
            "aim",
            "clinical_lead",
            "manager_partner",
            "executive_sponsor",
        ]
        field_classes = {
            "clinical_lead": PersonChoiceField,
            "manager_partner": PersonChoiceField,
            "executive_sponsor": PersonChoiceField,
        }
        widgets = {"aim": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort
        participants = selectors.participants_of(cohort).order_by("last_name", "first_name")
        self.fields["clinical_lead"].queryset = participants
        self.fields["clinical_lead"].help_text = (
            "Must be a clinician (doctor, nurse, allied health or other clinical): "
            "redesign teams are clinically led, so a manager cannot lead one."
        )
        self.fields["manager_partner"].queryset = selectors.cohort_people(cohort).order_by(
            "last_name", "first_name"
        )
        self.fields["executive_sponsor"].queryset = selectors.cohort_people(cohort).order_by(
            "last_name", "first_name"
        )
        self.fields["members"].queryset = participants
        if self.instance.pk:
            self.fields["members"].initial = list(
                self.instance.memberships.current().values_list("person_id", flat=True)
            )

    def team_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class FormationTeamForm(forms.Form):
    """One column of the formation board: an existing team (``team_id``) or a new one. The
    lead may be anyone in the cohort's participants (the board offers only clinicians), so a
    lead who is not a clinician — say, whose profession changed since the page loaded — gets
    the model's own message next to the field."""

    team_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="Team name", max_length=200)
    focus_kind = forms.ChoiceField(
        label="Focus", choices=RedesignTeam.FocusKind.choices, required=False
    )
    clinical_lead = forms.TypedChoiceField(
        label="Clinical lead", coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, people: dict[int, User], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = people
        cast(forms.ChoiceField, self.fields["clinical_lead"]).choices = [("", "—")] + [
            (str(pk), str(person)) for pk, person in people.items()
        ]

    def clean_clinical_lead(self) -> User | None:
        lead = self.cleaned_data.get("clinical_lead")
        if lead is None:
            return None
        person = self.people[lead]
        if not person.is_clinician:
            raise ValidationError(RedesignTeam.CLINICAL_LEAD_MESSAGE)
        return person


class BaseFormationFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            name = form.cleaned_data["name"].strip().casefold()
            if name in seen:
                form.add_error("name", "Another team has this name: give each team its own.")
            seen.add(name)


FormationFormSet = forms.formset_factory(
    FormationTeamForm,
    formset=BaseFormationFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=25,
    validate_max=True,
)


class PlacementForm(forms.Form):
    """One select per participant: the team (by its column's position) they go to, or none.
    One select per person means nobody can be put in two teams. ``board_state`` is the
    fingerprint of the teams the board was drawn from (``formation.board_state``)."""

    board_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people: list[User], team_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Not placed")] + [(str(i), name) for i, name in enumerate(team_names)]
        for person in people:
            self.fields[f"person_{person.pk}"] = forms.TypedChoiceField(
                label=f"Team for {person}",
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
            )

    def placements(self) -> dict[int, int | None]:
        """Person id → column position (None: not placed), once the form is valid."""
        return {
            int(name.removeprefix("person_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("person_")
        }


def formation_plans(
    formset: forms.BaseFormSet,
    placement: PlacementForm,
    *,
    people: dict[int, User],
    teams: dict[int, RedesignTeam],
) -> list[services.TeamPlan] | None:
    """The plans to save from a valid board, or None after adding each problem next to its
    field: a team with people needs a clinical lead who is one of them; an existing team
    cannot be left empty. A new team left empty is not created (not an error)."""
    members: dict[int, list[User]] = {i: [] for i in range(len(formset.forms))}
    for person_id, index in placement.placements().items():
        if index is not None and index in members:
            members[index].append(people[person_id])
    plans = []
    for index, form in enumerate(formset.forms):
        data, team = form.cleaned_data, teams.get(form.cleaned_data.get("team_id") or 0)
        lead, group = data["clinical_lead"], members[index]
        if not group:
            if team is not None:
                form.add_error(
                    "name", f"{data['name']} has nobody in it: an existing team keeps its lead."
                )
            continue
        if lead is None:
            form.add_error("clinical_lead", "Choose a clinical lead: a clinician in this team.")
        elif lead not in group:
            form.add_error(
                "clinical_lead",
                f"{lead} is not in {data['name']}: choose the lead from its members.",
            )
        else:
            plans.append(
                services.TeamPlan(
                    team=team,
                    name=data["name"].strip(),
                    clinical_lead=lead,
                    members=tuple(group),
                    focus_kind=data["focus_kind"] or RedesignTeam.FocusKind.WORK_PROCESS,
                )
            )
    if any(form.errors for form in formset.forms):
        return None
    return plans


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AssignmentForm(forms.ModelForm):
    accepted_types = forms.MultipleChoiceField(
        choices=AcceptedType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Files are checked by their content, not only their name.",
    )
    rubric = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. One criterion a line, levels lowest first: "
        "“Use of data: Not yet | Developing | Strong”.",
    )

    class Meta:
        model = Assignment
        fields = ["title", "module", "kind", "due_at", "brief", "accepted_types", "max_size_mb"]
        widgets = {"due_at": DateTimeInput(), "brief": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"due_at": "In the cohort's time zone."}

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.cohort = cohort
        self.fields["module"].queryset = modules_in_date_order(cohort)
        if self.instance.pk:
            self.fields["rubric"].initial = services.rubric_text(self.instance)

    def clean_rubric(self):
        return services.parse_rubric(self.cleaned_data["rubric"])

    def assignment_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.ASSIGNMENT_FIELDS}


class ExtensionForm(forms.Form):
    who = forms.ChoiceField(label="For")
    due_at = forms.DateTimeField(label="New due date", widget=DateTimeInput())
    reason = forms.CharField(max_length=500)

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        cohort = assignment.cohort
        if assignment.is_team:
            self.teams = {t.pk: t for t in cohort.redesign_teams.order_by("name")}
            choices = [(f"team:{pk}", team.name) for pk, team in self.teams.items()]
        else:
            self.people = {p.pk: p for p in selectors.participants_of(cohort).order_by("last_name")}
            choices = [(f"person:{pk}", str(person)) for pk, person in self.people.items()]
        cast(forms.ChoiceField, self.fields["who"]).choices = [("", "Choose…"), *choices]

    def target(self) -> dict:
        kind, _sep, pk = self.cleaned_data["who"].partition(":")
        if kind == "team":
            return {"team": self.teams[int(pk)]}
        return {"person": self.people[int(pk)]}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def form_token_field() -> forms.UUIDField:
    """A hidden token, new each time the form is shown. The service records it with what the
    form saved, so the same form posted twice (a double click) is done once. Optional: a
    post without one is simply not protected."""
    return forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)


class SubmissionForm(forms.Form):
    """Text and files. Each file is checked by content against the assignment's rules; one
    bad file refuses the whole save, with the reason next to the field."""

    form_token = form_token_field()

    text = forms.CharField(
        required=False,
        max_length=services.MAX_TEXT_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Write here, attach files, or both. At most "
        f"{services.MAX_TEXT_CHARACTERS:,} characters; attach longer writing as a file.",
    )
    # A declared field (the metaclass moves it to base_fields), not BaseForm.files as stubs think.
    files = MultipleFileField(required=False, label="Add files")  # type: ignore[assignment]

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.fields["files"].help_text = (
            f"Accepted: {', '.join(assignment.accepted_type_labels())}; "
            f"up to {assignment.max_size_mb} MB each, "
            f"and {services.MAX_FILES_PER_VERSION} files in a version."
        )
        self.fields["files"].widget.attrs["accept"] = ",".join(
            ext
            for ext, code in (
                (".pdf", "pdf"),
                (".docx", "docx"),
                (".xlsx", "xlsx"),
                (".pptx", "pptx"),
                (".png", "png"),
                (".jpg,.jpeg", "jpeg"),
                (".txt", "txt"),
                (".csv", "csv"),
            )
            if code in assignment.accepted_types
        )

    def clean_files(self):
        if len(self.cleaned_data["files"]) > services.MAX_FILES_PER_VERSION:
            raise ValidationError(
                f"A version holds at most {services.MAX_FILES_PER_VERSION} files: choose fewer."
            )
        checked, errors = [], []
        for upload in self.cleaned_data["files"]:
            try:
                checked.append(
                    (
                        upload,
                        check_upload(
                            upload,
                            accepted=self.assignment.accepted_types,
                            max_bytes=self.assignment.max_size_bytes,
                        ),
                    )
                )
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class FeedbackForm(forms.Form):
    form_token = form_token_field()
    comments = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_FEEDBACK_CHARACTERS,
        help_text="Simple formatting works: **bold**, *italics*, lists starting with “- ” "
        f"and links as [words](https://…). HTML is shown as typed. At most "
        f"{MAX_FEEDBACK_CHARACTERS:,} characters.",
    )
    decision = forms.ChoiceField(choices=Feedback.Decision.choices, widget=forms.RadioSelect)

    def __init__(self, *args, submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(submission.assignment.rubric_criteria.prefetch_related("levels"))
        self.levels = {}
        for criterion in self.criteria:
            levels = {level.pk: level for level in criterion.levels.all()}
            self.levels.update(levels)
            self.fields[f"criterion_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                choices=[("", "Not scored"), *((pk, lv.label) for pk, lv in levels.items())],
                coerce=int,
                required=False,
                empty_value=None,
            )

    def chosen_levels(self) -> dict:
        return {
            criterion.pk: self.levels.get(self.cleaned_data.get(f"criterion_{criterion.pk}"))
            for criterion in self.criteria
        }


class PeerCommentForm(forms.ModelForm):
    class Meta:
        model = PeerComment
        fields = ["body"]
        labels = {"body": "Your comment"}
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class SubmissionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Submission) -> str:
        return f"{obj.team or obj.owner} (version {obj.version})"


class PeerReviewAllocateForm(forms.Form):
    """The office allocates one reviewer to one piece of submitted work."""

    submission = SubmissionChoiceField(
        label="Work to review", queryset=Submission.objects.none(), empty_label=None
    )
    reviewer = PersonChoiceField(label="Reviewer", queryset=User.objects.none())
    due_on = forms.DateField(label="Review due", widget=forms.DateInput(attrs={"type": "date"}))
    anonymous = forms.BooleanField(
        label="Anonymous: the authors see “Reviewer N”, not the name",
        required=False,
        initial=True,
    )

    def __init__(self, *args, submissions: list[Submission], reviewers, **kw):
        super().__init__(*args, **kw)
        cast(
            forms.ModelChoiceField, self.fields["submission"]
        ).queryset = Submission.objects.filter(pk__in=[s.pk for s in submissions]).select_related(
            "team", "owner"
        )
        cast(forms.ModelChoiceField, self.fields["reviewer"]).queryset = reviewers


class PeerReviewRoundRobinForm(forms.Form):
    """Allocate reviewers to every piece of work at once, avoiding each reviewer's own team."""

    per_submission = forms.TypedChoiceField(
        label="Reviewers per piece of work",
        choices=[(1, "1"), (2, "2"), (3, "3")],
        coerce=int,
        initial=2,
    )
    due_on = forms.DateField(label="Reviews due", widget=forms.DateInput(attrs={"type": "date"}))
    anonymous = forms.BooleanField(
        label="Anonymous: the authors see “Reviewer N”, not the name",
        required=False,
        initial=True,
    )


class PeerReviewForm(forms.ModelForm):
    """The reviewer's scores against the short rubric and their comments."""

    class Meta:
        model = PeerReview
        fields = ["aim_score", "evidence_score", "next_steps_score", "strengths", "suggestions"]
        labels = dict(PeerReview.RUBRIC)
        widgets = {
            "aim_score": forms.RadioSelect,
            "evidence_score": forms.RadioSelect,
            "next_steps_score": forms.RadioSelect,
            "strengths": forms.Textarea(attrs={"rows": 4}),
            "suggestions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        for name, _text in PeerReview.RUBRIC:
            field = cast(forms.TypedChoiceField, self.fields[name])
            field.required = True
            field.choices = PeerReview.Score.choices


class OverviewFilterForm(forms.Form):
    assignment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(required=False)

    def __init__(self, *args, cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [("", "All assignments")] + [
            (a.pk, a.title) for a in cohort.assignments.order_by("due_at")
        ]
        self.fields["team"].choices = [("", "All teams")] + [
            (t.pk, t.name) for t in cohort.redesign_teams.order_by("name")
        ]
        self.fields["status"].choices = [("", "Any status"), *selectors.WorkStatus.CHOICES]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
