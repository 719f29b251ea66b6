"""Session evaluations (the "reaction" level of programme evaluation): a programme's question
bank and forms, one evaluation per held session, who was asked and has answered, and the
anonymous answers.

How anonymity holds: a person's answers (``EvaluationResponse`` and its ``EvaluationAnswer``
rows) carry no link to them — no person, no time, and a random primary key, so neither the
order of the rows nor a timestamp lines them up with the separate "has responded" record
(``EvaluationInvitation``, which says only on which day someone answered, so that each person
answers once). Results are read only through ``selectors``, which refuse to read answers at
all below the programme's threshold (``EvaluationSettings.min_responses``)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from modules.models import ModuleTemplate

# A threshold below three makes a lone answer (and its free text) easy to attribute.
MIN_RESPONSES_FLOOR = 3
DEFAULT_MIN_RESPONSES = 3
RATING_SCALE = (1, 2, 3, 4, 5)
DEFAULT_SCALE_LABELS = ["Strongly disagree", "Disagree", "Neither", "Agree", "Strongly agree"]


def default_scale_labels() -> list[str]:
    return list(DEFAULT_SCALE_LABELS)


class EvaluationSettings(models.Model):
    """A programme's evaluation settings. No row means the defaults."""

    programme = models.OneToOneField(
        "cohorts.Programme", on_delete=models.CASCADE, related_name="evaluation_settings"
    )
    min_responses = models.PositiveSmallIntegerField(
        "responses needed before results show",
        default=DEFAULT_MIN_RESPONSES,
        help_text="Results of a session or module appear only once at least this many people "
        f"have answered (at least {MIN_RESPONSES_FLOOR}), so no answer can be traced to a person.",
    )

    class Meta:
        verbose_name = "evaluation settings"
        verbose_name_plural = "evaluation settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_responses__gte=MIN_RESPONSES_FLOOR),
                name="evaluation_min_responses_floor",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation settings of {self.programme}"


class EvaluationQuestion(models.Model):
    """A reusable question in a programme's question bank."""

    class Kind(models.TextChoices):
        RATING = "rating", "Rating scale (1–5)"
        CHOICE = "choice", "Single choice"
        TEXT = "text", "Free text"

    programme = models.ForeignKey(
        "cohorts.Programme", on_delete=models.CASCADE, related_name="evaluation_questions"
    )
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RATING)
    choices = models.JSONField(
        default=list, blank=True, help_text="Single choice only: the options, in order."
    )
    scale_labels = models.JSONField(
        default=default_scale_labels,
        blank=True,
        help_text="Rating scale only: the words for 1 to 5.",
    )
    required = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "text"], name="evaluation_question_text_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.CHOICE and len(self.choices or []) < 2:
            raise ValidationError(
                {"choices": "A single-choice question needs two options or more."}
            )
        if self.kind == self.Kind.RATING and len(self.scale_labels or []) != len(RATING_SCALE):
            raise ValidationError({"scale_labels": "Give a word for each point from 1 to 5."})

    @property
    def options(self) -> list[tuple[str, str]]:
        """(stored value, label) for each option a person picks from; none for free text."""
        if self.kind == self.Kind.RATING:
            return [
                (str(n), f"{n} – {label}")
                for n, label in zip(RATING_SCALE, self.scale_labels, strict=True)
            ]
        if self.kind == self.Kind.CHOICE:
            return [(option, option) for option in self.choices]
        return []


class EvaluationForm(models.Model):
    """A short form a programme asks after every session of one kind of module."""

    programme = models.ForeignKey(
        "cohorts.Programme", on_delete=models.CASCADE, related_name="evaluation_forms"
    )
    name = models.CharField(max_length=200)
    module_kind = models.CharField(
        "asked after sessions of",
        max_length=20,
        choices=ModuleTemplate.Kind.choices,
        help_text="Every session of a module of this kind is followed by this form.",
    )
    questions: models.ManyToManyField = models.ManyToManyField(
        EvaluationQuestion, through="EvaluationFormQuestion", related_name="forms"
    )
    is_active = models.BooleanField(
        "in use", default=True, help_text="Off: no new session is evaluated with this form."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "module_kind"],
                condition=Q(is_active=True),
                name="evaluation_form_one_active_per_kind",
            ),
            models.UniqueConstraint(
                fields=["programme", "name"], name="evaluation_form_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EvaluationFormQuestion(models.Model):
    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(EvaluationQuestion, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "question"], name="evaluation_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.form}: {self.position}. {self.question}"


class SessionEvaluation(models.Model):
    """One held session's evaluation: opened when the session has ended and its register is
    taken; answers are accepted until ``closes_at``. ``questions`` is the form's questions as
    they were when it opened (ids, in order), so a later edit of the form changes nothing
    already asked."""

    session = models.OneToOneField(
        "modules.Session", on_delete=models.CASCADE, related_name="evaluation"
    )
    form = models.ForeignKey(EvaluationForm, on_delete=models.PROTECT, related_name="evaluations")
    questions = models.JSONField(default=list, help_text="Question ids, in the order asked.")
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField()

    class Meta:
        ordering = ["-opened_at", "pk"]

    def __str__(self) -> str:
        return f"Evaluation of {self.session}"

    @property
    def is_open(self) -> bool:
        return timezone.now() < self.closes_at


class EvaluationInvitation(models.Model):
    """Someone asked to evaluate a session, and whether they have answered: the "has
    responded" record that lets each person answer once. It never points at their answers,
    and says only on which *day* they answered."""

    evaluation = models.ForeignKey(
        SessionEvaluation, on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_invitations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    responded_on = models.DateField(null=True, blank=True)
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the one reminder was recorded, if it was."
    )

    class Meta:
        ordering = ["evaluation", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "person"], name="evaluation_invitation_unique"
            ),
        ]

    def __str__(self) -> str:
        state = "answered" if self.responded_on else "not answered"
        return f"{self.person} for {self.evaluation} ({state})"


class EvaluationResponse(models.Model):
    """One anonymous set of answers: no person, no time, a random key (see the module
    docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    evaluation = models.ForeignKey(
        SessionEvaluation, on_delete=models.CASCADE, related_name="responses"
    )

    class Meta:
        ordering = ["evaluation", "id"]

    def __str__(self) -> str:
        return f"A response to {self.evaluation}"


class EvaluationAnswer(models.Model):
    """One answer of a response: a rating (1–5), an option's text, or free text."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(
        EvaluationResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        EvaluationQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    text = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["response", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="evaluation_answer_unique"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="evaluation_answer_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"An answer to {self.question}"
