"""Leadership frameworks, self-assessments at the start and end of a programme, and 360
feedback from raters without an account.

A rater's answers are stored apart from the rater: ``FeedbackResponse`` names the round and the
rater's group, never the ``Rater`` row (which holds the e-mail address and the link's hash), and
records the day, not the time, it was given. Nothing in the database joins an address to an
answer."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

SCALE_MIN, SCALE_MAX = 1, 5
SCALE = {
    1: "Rarely",
    2: "Sometimes",
    3: "Often",
    4: "Usually",
    5: "Consistently",
}


def _rating_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCALE_MIN), MaxValueValidator(SCALE_MAX)],
        help_text="1 (rarely) to 5 (consistently).",
    )


class Framework(models.Model):
    """Named dimensions of leadership, each with a few behaviour statements rated on the
    five-point scale. The shipped example belongs to no programme; an imported one belongs to
    the programme whose administrator imported it."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    programme = models.ForeignKey(
        "cohorts.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_frameworks",
        help_text="The programme that imported it; empty for the example every programme sees.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "position"], name="dimension_position_unique"
            ),
            models.UniqueConstraint(fields=["framework", "name"], name="dimension_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Statement(models.Model):
    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["dimension__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "position"], name="statement_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class ProgrammeFramework(models.Model):
    """The framework a programme's cohorts assess themselves against."""

    programme = models.OneToOneField(
        "cohorts.Programme", on_delete=models.CASCADE, related_name="framework_choice"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="choices")
    chosen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["programme"]

    def __str__(self) -> str:
        return f"{self.programme}: {self.framework}"


class SelfAssessment(models.Model):
    """A participant's own ratings at the start or the end of their cohort. Only they see it;
    the cohort sees it only inside averages of paired changes."""

    class Kind(models.TextChoices):
        START = "start", "Start of the programme"
        END = "end", "End of the programme"

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="self_assessments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="self_assessments"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "person", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person", "kind"], name="self_assessment_once_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_kind_display()}"


class SelfRating(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    value = _rating_field()

    class Meta:
        ordering = ["assessment", "statement"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "statement"], name="self_rating_once_per_statement"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=SCALE_MIN, value__lte=SCALE_MAX), name="self_rating_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.value}"


class FeedbackRound(models.Model):
    """One participant's 360 in one cohort: open until ``closes_at``; when it closes its
    raters' e-mail addresses are erased (``services.feedback_rounds_close_due``)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="feedback_rounds"
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="feedback_rounds"
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(default=timezone.now)
    closes_at = models.DateTimeField(help_text="Rater links stop working then.")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort", "participant"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "participant"], name="feedback_round_once_per_cohort"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opened_at")), name="feedback_round_closes_later"
            ),
        ]

    def __str__(self) -> str:
        return f"360 of {self.participant} ({self.cohort})"


class RaterGroup(models.TextChoices):
    MANAGER = "manager", "Manager"
    PEER = "peer", "Peer"
    REPORT = "report", "Someone who reports to you"
    OTHER = "other", "Other colleague"


class Rater(models.Model):
    """Someone a participant asked for feedback: their address (kept until the round closes)
    and the SHA-256 of their link's token. The token itself is an HMAC of ``nonce`` with the
    site's secret key, so a reminder can carry the same link without the database ever
    holding it."""

    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="raters")
    group = models.CharField(max_length=10, choices=RaterGroup.choices)
    email = models.EmailField(blank=True, help_text="Erased when the 360 closes.")
    token_hash = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=32)
    invited_at = models.DateTimeField(default=timezone.now)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    responded = models.BooleanField(
        default=False,
        help_text="Whether they answered (when is not kept: it could be matched to an answer).",
    )

    class Meta:
        ordering = ["round", "group", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "email"],
                condition=~Q(email=""),
                name="rater_once_per_round",
            ),
            models.CheckConstraint(condition=Q(reminders_sent__lte=2), name="rater_two_reminders"),
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} rater of {self.round_id}"


class FeedbackResponse(models.Model):
    """One rater's answers, kept apart from who gave them (see the module docstring)."""

    round = models.ForeignKey(FeedbackRound, on_delete=models.CASCADE, related_name="responses")
    group = models.CharField(max_length=10, choices=RaterGroup.choices)
    submitted_on = models.DateField(default=timezone.localdate)

    class Meta:
        ordering = ["round", "group", "pk"]

    def __str__(self) -> str:
        return f"{self.get_group_display()} response to {self.round_id}"


class FeedbackRating(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="ratings")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    value = _rating_field()

    class Meta:
        ordering = ["response", "statement"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "statement"], name="feedback_rating_once_per_statement"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=SCALE_MIN, value__lte=SCALE_MAX),
                name="feedback_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.value}"
