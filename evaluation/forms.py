"""Forms for evaluation settings, the question bank, forms and the response form. They
validate input; services do the writing."""

from django import forms

from cohorts.models import Programme
from modules.models import ModuleTemplate

from .models import MIN_RESPONSES_FLOOR, EvaluationQuestion


class SettingsForm(forms.Form):
    min_responses = forms.IntegerField(
        label="Responses needed before results show",
        min_value=MIN_RESPONSES_FLOOR,
        max_value=50,
        help_text=f"At least {MIN_RESPONSES_FLOOR}: with fewer, an answer (and its comment) is "
        "easy to trace to the person who gave it.",
    )


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=300)
    kind = forms.ChoiceField(
        label="Answered with",
        choices=EvaluationQuestion.Kind.choices,
        widget=forms.RadioSelect,
        initial=EvaluationQuestion.Kind.RATING,
    )
    choices = forms.CharField(
        label="Options (single choice only)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, in the order people see them.",
    )
    required = forms.BooleanField(label="People must answer it", required=False, initial=True)

    def clean_choices(self) -> list[str]:
        text = self.cleaned_data.get("choices") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class QuestionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.text} ({obj.get_kind_display().lower()})"


class EvaluationFormForm(forms.Form):
    name = forms.CharField(max_length=200)
    module_kind = forms.ChoiceField(
        label="Asked after every session of",
        choices=ModuleTemplate.Kind.choices,
        help_text="Each kind of module has at most one form in use.",
    )
    questions = QuestionsField(
        queryset=EvaluationQuestion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="From the programme's question bank, asked in the order listed.",
    )
    is_active = forms.BooleanField(label="In use", required=False, initial=True)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        questions = self.fields["questions"]
        assert isinstance(questions, forms.ModelMultipleChoiceField)
        questions.queryset = EvaluationQuestion.objects.filter(programme=programme)


class ResponseForm(forms.Form):
    """One field per question asked: a group of radio buttons (a fieldset with the question as
    its legend) for a rating or a single choice, a text area for free text."""

    def __init__(self, *args, questions: list[EvaluationQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            name = f"q{question.pk}"
            if question.kind == EvaluationQuestion.Kind.TEXT:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    required=question.required,
                    max_length=2000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            else:
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    required=question.required,
                    choices=question.options,
                    widget=forms.RadioSelect,
                )

    def values(self) -> dict[int, str]:
        return {int(name[1:]): value or "" for name, value in self.cleaned_data.items()}
