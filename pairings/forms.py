"""Forms for pairings. They validate what a person typed; the services enforce the rules."""

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.utils import timezone

from cohorts.models import Cohort
from leadership.models import User

from .models import (
    AVAILABILITY_CHOICES,
    INTEREST_CHOICES,
    Pairing,
    ShadowingEntry,
    SupportCapacity,
)


class PreferenceForm(forms.Form):
    """A person's pairing preferences. Departments are offered from those present in the
    cohort, so what people tick matches what their partners' profiles say."""

    interests = forms.MultipleChoiceField(
        label="Areas of interest",
        choices=INTEREST_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_departments = forms.MultipleChoiceField(
        label="Departments you would like your partner to come from",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    availability = forms.MultipleChoiceField(
        label="Half-days you could usually shadow or be shadowed",
        choices=AVAILABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    line_manager = forms.ModelChoiceField(
        label="Your line manager, if they are in this cohort",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not in this cohort",
        help_text="You will not be paired with your line manager.",
    )

    def __init__(self, *args, person: User, departments: list[str], people: list[User], **kw):
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["preferred_departments"]).choices = [
            (d, d) for d in departments
        ]
        others = [p.pk for p in people if p.pk != person.pk]
        cast(forms.ModelChoiceField, self.fields["line_manager"]).queryset = User.objects.filter(
            pk__in=others
        )


class ShadowingEntryForm(forms.ModelForm):
    class Meta:
        model = ShadowingEntry
        fields = ["occurred_on", "direction", "location", "minutes", "reflection"]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}),
            "reflection": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, pairing: Pairing, **kw):
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["direction"]).choices = [
            (
                ShadowingEntry.Direction.CLINICIAN_SHADOWED_MANAGER,
                f"{pairing.clinician} shadowed {pairing.manager}",
            ),
            (
                ShadowingEntry.Direction.MANAGER_SHADOWED_CLINICIAN,
                f"{pairing.manager} shadowed {pairing.clinician}",
            ),
        ]
        self.fields["minutes"].widget.attrs.update(min=1, max=24 * 60)
        self.fields["occurred_on"].initial = timezone.localdate()


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Pairing
        fields = ["project_title", "project_aim", "project_status"]
        widgets = {"project_aim": forms.Textarea(attrs={"rows": 3})}


def default_start(cohort: Cohort) -> datetime.date:
    """When a new pair starts unless the office says otherwise: with the cohort, or today
    for a pair made after the cohort started (a start in the past would flag the pair at
    once for having logged no shadowing since)."""
    return max(cohort.starts_on, timezone.localdate(timezone=cohort.tzinfo))


class PairingEndForm(forms.Form):
    ended_on = forms.DateField(label="End date", widget=forms.DateInput(attrs={"type": "date"}))
    end_reason = forms.CharField(label="Reason for ending", max_length=500)


class PairingActivateForm(forms.Form):
    started_on = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))


@dataclass
class SuggestionRow:
    """One clinician's line on the suggestions page, with their form fields."""

    clinician: User
    accept: forms.BoundField
    manager: forms.BoundField
    score: int | None
    reasons: tuple[str, ...]
    # People of the suggested pair who have not given their preferences: the score rests on
    # answers that are missing.
    missing: list[User]


class SuggestionsForm(forms.Form):
    """One row per unpaired clinician: a partner (pre-filled with the matcher's suggestion,
    which the administrator may change) and an "accept" box. Saving creates the accepted
    pairs in one transaction."""

    status = forms.ChoiceField(
        label="Save accepted pairs as",
        choices=[
            (Pairing.Status.ACTIVE, "Active — the pair starts on the start date"),
            (Pairing.Status.PROPOSED, "Proposed — to confirm with the people first"),
        ],
        initial=Pairing.Status.ACTIVE,
        widget=forms.RadioSelect,
    )
    started_on = forms.DateField(
        label="Start date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For active pairs.",
    )

    def __init__(self, *args, suggestions, cohort: Cohort, **kw):
        super().__init__(*args, **kw)
        self.suggestions = suggestions
        self.fields["started_on"].initial = default_start(cohort)
        suggested = {p.clinician_id: p for p in suggestions.result.pairs}
        manager_choices = [("", "— no partner —")] + [
            (str(m.pk), f"{m} ({m.department or m.job_title or 'no department'})")
            for m in suggestions.managers
        ]
        self._rows = []
        for clinician in suggestions.clinicians:
            pair = suggested.get(clinician.pk)
            accept, manager = f"accept_{clinician.pk}", f"manager_{clinician.pk}"
            self.fields[accept] = forms.BooleanField(
                label=f"Accept a pair for {clinician}", required=False, initial=pair is not None
            )
            self.fields[manager] = forms.ChoiceField(
                label=f"Partner for {clinician}",
                choices=manager_choices,
                required=False,
                initial=str(pair.manager_id) if pair else "",
            )
            self._rows.append((clinician, accept, manager, pair))

    @property
    def rows(self) -> list[SuggestionRow]:
        return [
            SuggestionRow(
                clinician=clinician,
                accept=self[accept],
                manager=self[manager],
                score=pair.score if pair else None,
                reasons=pair.reasons if pair else (),
                missing=self.suggestions.missing_answers(
                    clinician.pk, pair.manager_id if pair else None
                ),
            )
            for clinician, accept, manager, pair in self._rows
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        people = self.suggestions.people
        banned = self.suggestions.hard_rules
        chosen_by: dict[str, str] = {}
        pairs = []
        for clinician, accept, manager, _pair in self._rows:
            if not data.get(accept):
                continue
            manager_id = data.get(manager)
            if not manager_id:
                self.add_error(manager, f"Choose a partner for {clinician}, or untick accept.")
                continue
            if manager_id in chosen_by:
                self.add_error(
                    manager,
                    f"{people[int(manager_id)]} is already chosen for {chosen_by[manager_id]}.",
                )
                continue
            rule = banned.get(frozenset((clinician.pk, int(manager_id))))
            if rule:
                self.add_error(manager, f"{rule}: they cannot be paired.")
                continue
            chosen_by[manager_id] = str(clinician)
            pairs.append((clinician, people[int(manager_id)]))
        if data.get("status") == Pairing.Status.ACTIVE and not data.get("started_on"):
            self.add_error("started_on", "Active pairs need a start date.")
        if not pairs and not self.errors:
            raise forms.ValidationError("Accept at least one pair to save.")
        data["pairs"] = pairs
        return data


class SupportCapacityForm(forms.Form):
    person: User | None = None  # whose capacity, when sent back with an error

    leaders = forms.IntegerField(
        label="Clinical leaders supported at most",
        min_value=1,
        max_value=SupportCapacity.MAXIMUM,
    )


class SupportAssignForm(forms.Form):
    """One row per clinical leader without administrative support: whom to give them. A
    support person may be chosen for several leaders, up to their places left."""

    started_on = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, leaders: list[User], loads, **kw):
        super().__init__(*args, **kw)
        self.fields["started_on"].initial = timezone.localdate()
        self.loads = {load.person.pk: load for load in loads}
        self.leaders = leaders
        choices = [("", "— not now —")] + [
            (
                str(load.person.pk),
                f"{load.person} ({load.places_left} of {load.capacity} places left)",
            )
            for load in loads
            if load.places_left
        ]
        for leader in leaders:
            self.fields[f"support_{leader.pk}"] = forms.ChoiceField(
                label=f"Administrative support for {leader}", choices=choices, required=False
            )

    @property
    def rows(self) -> list[tuple[User, forms.BoundField]]:
        return [(leader, self[f"support_{leader.pk}"]) for leader in self.leaders]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        taking: dict[int, int] = {}
        pairs = []
        for leader in self.leaders:
            name = f"support_{leader.pk}"
            if not data.get(name):
                continue
            load = self.loads[int(data[name])]
            taking[load.person.pk] = taking.get(load.person.pk, 0) + 1
            if taking[load.person.pk] > load.places_left:
                self.add_error(
                    name,
                    f"{load.person} has {load.places_left} place(s) left (capacity "
                    f"{load.capacity}): choose someone else, or raise their capacity.",
                )
                continue
            pairs.append((leader, load.person))
        if not pairs and not self.errors:
            raise forms.ValidationError("Choose administrative support for at least one leader.")
        data["pairs"] = pairs
        return data
