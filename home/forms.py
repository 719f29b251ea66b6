"""The announcement form: who it goes to (each filter optional) and what it says."""

import uuid
from typing import cast

from django import forms

from cohorts.models import Announcement, Cohort

from .announcements import ROLE_PLURALS


class AnnouncementForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        required=False,
        choices=[("", "Every role"), *ROLE_PLURALS.items()],
    )
    team = forms.TypedChoiceField(
        label="Redesign team", coerce=int, required=False, empty_value=None
    )
    not_submitted = forms.TypedChoiceField(
        label="Only those who have not submitted",
        coerce=int,
        required=False,
        empty_value=None,
    )
    subject = forms.CharField(max_length=Announcement._meta.get_field("subject").max_length)
    body = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Plain text: a blank line starts a new paragraph and web addresses become "
        "links. Any HTML is shown as typed, never run. Do not include patient details.",
    )
    form_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    previewed = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, cohort: Cohort, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {t.pk: t for t in cohort.redesign_teams.order_by("name")}
        self.assignments = {a.pk: a for a in cohort.assignments.order_by("due_at", "pk")}
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", "Any team")] + [
            (pk, team.name) for pk, team in self.teams.items()
        ]
        cast(forms.ChoiceField, self.fields["not_submitted"]).choices = [("", "Anyone")] + [
            (pk, a.title) for pk, a in self.assignments.items()
        ]

    def audience_filters(self) -> dict:
        data = self.cleaned_data
        return {
            "role": data["role"],
            "team": self.teams.get(data["team"]),
            "not_submitted": self.assignments.get(data["not_submitted"]),
        }
