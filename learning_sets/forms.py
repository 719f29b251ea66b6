"""Forms for sets, challenges and coaching. They check what was typed; the services enforce
the rules (membership, roles, the code of ethics)."""

from typing import cast

from django import forms
from django.utils import timezone

from leadership.models import User
from redesign_projects.services import parse_rubric

from .models import (
    CoachingSession,
    EthicsAgreement,
    LeadershipChallenge,
    LearningSetAction,
    LearningSetMeeting,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class LearningSetForm(forms.Form):
    name = forms.CharField(max_length=100, help_text='e.g. "Set A"')
    facilitator = forms.ModelChoiceField(
        queryset=User.objects.none(), help_text="Faculty or a coach of the cohort."
    )
    members = PeopleChoiceField(
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Four to eight participants not yet in a set.",
    )

    def __init__(self, *args, facilitators, participants, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["facilitator"]).queryset = facilitators
        cast(forms.ModelMultipleChoiceField, self.fields["members"]).queryset = participants


class MeetingForm(forms.ModelForm):
    attendees = PeopleChoiceField(
        label="Who came",
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Members not ticked are recorded as absent.",
    )

    class Meta:
        model = LearningSetMeeting
        fields = ["met_on", "notes"]
        widgets = {"met_on": DATE, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["attendees"])
        field.queryset = members
        self.fields["met_on"].initial = timezone.localdate()
        self.fields["attendees"].initial = list(members)
        self.order_fields(["met_on", "attendees", "notes"])


class ActionForm(forms.ModelForm):
    owner = forms.ModelChoiceField(label="Whose action", queryset=User.objects.none())

    class Meta:
        model = LearningSetAction
        fields = ["text", "due_on"]
        widgets = {"due_on": DATE}

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = members
        self.order_fields(["owner", "text", "due_on"])


class ChallengeForm(forms.ModelForm):
    rubric_text = forms.CharField(
        label="Rubric",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One criterion a line, levels lowest first: "
        "“Holds the room: Not yet | Developing | Strong”.",
    )

    class Meta:
        model = LeadershipChallenge
        fields = ["trimester", "title", "held_on", "milestone", "brief"]
        widgets = {"held_on": DATE, "brief": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["milestone"])
        field.queryset = milestones
        field.label_from_instance = lambda m: f"{m.name} ({m.due_on:%-d %b %Y})"
        field.empty_label = "None"

    def clean_rubric_text(self):
        return parse_rubric(self.cleaned_data["rubric_text"])


class DebriefForm(forms.ModelForm):
    class Meta:
        model = LeadershipChallenge
        fields = ["debrief"]
        widgets = {"debrief": forms.Textarea(attrs={"rows": 6})}


class OutcomeForm(forms.Form):
    """One radio group per rubric criterion (named ``criterion_<n>``) and an observation."""

    observation = forms.CharField(
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you saw them do; specific and kind.",
    )

    def __init__(self, *args, challenge: LeadershipChallenge, initial_levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = []
        for index, criterion in enumerate(challenge.rubric):
            name = f"criterion_{index}"
            self.fields[name] = forms.TypedChoiceField(
                label=criterion["title"],
                choices=[(n, label) for n, label in enumerate(criterion["levels"], start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                initial=initial_levels[index] if index < len(initial_levels) else None,
            )
            self.criteria.append(name)
        self.order_fields([*self.criteria, "observation"])

    def levels(self) -> list[int]:
        return [self.cleaned_data[name] for name in self.criteria]


class EthicsForm(forms.ModelForm):
    agree = forms.BooleanField(
        label="I have read the code of ethics and agree to coach by it.", required=True
    )

    class Meta:
        model = EthicsAgreement
        fields = ["signed_name"]


class CoachingSessionForm(forms.ModelForm):
    class Meta:
        model = CoachingSession
        fields = ["held_on", "duration_minutes", "private_note"]
        widgets = {"held_on": DATE, "private_note": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["duration_minutes"].initial = 60


class CoachAssignForm(forms.Form):
    coach = forms.ModelChoiceField(queryset=User.objects.none())
    coachee = forms.ModelChoiceField(label="Participant", queryset=User.objects.none())

    def __init__(self, *args, coaches, participants, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["coach"]).queryset = coaches
        cast(forms.ModelChoiceField, self.fields["coachee"]).queryset = participants
