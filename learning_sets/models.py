"""The Tower Hamlets / Healthskills model's learning outside the modules: action learning sets
(small groups of a cohort's participants with a facilitator, separate from redesign teams),
their meetings and actions; each trimester's leadership challenge with an observed outcome per
participant against a short rubric; and coaching (who coaches whom, the sessions logged, and
each coach's signed agreement to the code of ethics)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# A learning set is small enough for everyone to bring a problem to each meeting.
SET_MIN_MEMBERS = 4
SET_MAX_MEMBERS = 8
# The code of ethics coaches sign (its text: templates/learning_sets/_code_of_ethics.html).
# Changing the text means a new version, which every coach signs again before logging.
CODE_OF_ETHICS_VERSION = "2026.1"


class ActionLearningSet(models.Model):
    """A small group of one cohort's participants with a facilitator (faculty or a coach of
    the cohort). Each participant is in at most one set of a cohort."""

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="learning_sets"
    )
    name = models.CharField(max_length=100, help_text='e.g. "Set A"')
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="facilitated_learning_sets",
        help_text="Faculty or a coach of the cohort; records the meetings and actions.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "name"]
        verbose_name = "action learning set"
        constraints = [
            models.UniqueConstraint(fields=["cohort", "name"], name="learning_set_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class LearningSetMember(models.Model):
    """A participant's place in a set. ``cohort`` repeats the set's so the database holds
    "one set per participant per cohort"."""

    learning_set = models.ForeignKey(
        ActionLearningSet, on_delete=models.CASCADE, related_name="memberships"
    )
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_set_places"
    )

    class Meta:
        ordering = ["learning_set", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"],
                name="learning_set_one_per_person_per_cohort",
                violation_error_message="This participant is already in a set of this cohort.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.learning_set}"


class LearningSetMeeting(models.Model):
    """One meeting of a set: when, who came, and short notes by the facilitator."""

    learning_set = models.ForeignKey(
        ActionLearningSet, on_delete=models.PROTECT, related_name="meetings"
    )
    met_on = models.DateField("date")
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="learning_set_meetings_attended",
        help_text="The members who came; the others were absent.",
    )
    notes = models.TextField(
        blank=True,
        max_length=3000,
        help_text="Themes and what the set agreed, not what individuals disclosed.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["learning_set", "-met_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learning_set", "met_on"],
                name="learning_set_meeting_one_a_day",
                violation_error_message="This set already has a meeting on that day.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learning_set} on {self.met_on:%d %b %Y}"


class LearningSetAction(models.Model):
    """Something a member will do before the set meets again."""

    learning_set = models.ForeignKey(
        ActionLearningSet, on_delete=models.PROTECT, related_name="actions"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_set_actions"
    )
    text = models.CharField("action", max_length=500)
    due_on = models.DateField("due", null=True, blank=True)
    done_on = models.DateField("done on", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["learning_set", F("done_on").asc(nulls_first=True), "due_on", "pk"]
        verbose_name = "learning set action"

    def __str__(self) -> str:
        # Not the text: this is what the audit trail records, and erasure clears the text.
        return f"Learning set action #{self.pk}"

    @property
    def done(self) -> bool:
        return self.done_on is not None


class LeadershipChallenge(models.Model):
    """The challenge that ends a trimester: a brief, the day it is held, a short rubric
    (criteria with levels, lowest first), the cohort's milestone that ends the trimester and,
    afterwards, the debrief."""

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="leadership_challenges"
    )
    trimester = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    title = models.CharField(max_length=200)
    held_on = models.DateField("date")
    brief = models.TextField(max_length=5000, help_text="What participants are asked to do.")
    rubric = models.JSONField(
        default=list,
        help_text='[{"title": criterion, "levels": [lowest, …, highest]}, …]',
    )
    debrief = models.TextField(
        blank=True, max_length=5000, help_text="What the cohort learned, written after the day."
    )
    milestone = models.ForeignKey(
        "modules.Milestone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leadership_challenges",
        verbose_name="milestone it ends",
        help_text="The cohort's milestone that closes this trimester (e.g. its leadership "
        "challenge milestone).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "trimester"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "trimester"],
                name="leadership_challenge_one_per_trimester",
                violation_error_message="This cohort already has a challenge for that trimester.",
            ),
            models.CheckConstraint(
                condition=Q(trimester__gte=1, trimester__lte=4),
                name="leadership_challenge_trimester_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Trimester {self.trimester}: {self.title}"

    def clean(self) -> None:
        super().clean()
        # A form's instance has no cohort yet; the service sets it before its full_clean.
        if (
            self.milestone is not None
            and self.cohort_id is not None
            and (self.milestone.cohort_id != self.cohort_id)
        ):
            raise ValidationError({"milestone": "Choose a milestone of this cohort."})


class ChallengeOutcome(models.Model):
    """What faculty or a coach observed of one participant in a challenge: a level for each
    rubric criterion (its position, 1 = lowest) and a short observation."""

    challenge = models.ForeignKey(
        LeadershipChallenge, on_delete=models.PROTECT, related_name="outcomes"
    )
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="challenge_outcomes"
    )
    levels = models.JSONField(default=list, help_text="One level position per criterion.")
    observation = models.TextField(blank=True, max_length=3000)
    observed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["challenge", "participant__last_name", "participant__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "participant"], name="challenge_outcome_one_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.challenge}"


class CoachAssignment(models.Model):
    """Who coaches whom in a cohort: a person enrolled as coach and a participant, who has
    at most one coach in a cohort."""

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="coach_assignments"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coachees"
    )
    coachee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coaches"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "coach__last_name", "coachee__last_name", "coachee__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "coachee"],
                name="coach_assignment_one_coach_per_coachee",
                violation_error_message="This participant already has a coach in this cohort.",
            ),
            models.CheckConstraint(
                condition=~Q(coach=F("coachee")), name="coach_assignment_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} coaching {self.coachee}"


class CoachingSession(models.Model):
    """One coaching conversation. Its note is private to the coach and the coachee: the
    programme office sees how many sessions and hours, never the note."""

    assignment = models.ForeignKey(
        CoachAssignment, on_delete=models.PROTECT, related_name="sessions"
    )
    held_on = models.DateField("date")
    duration_minutes = models.PositiveSmallIntegerField(
        "minutes", validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    private_note = models.TextField(
        blank=True,
        max_length=3000,
        help_text="Only you and your coachee can read it.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assignment", "-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=10, duration_minutes__lte=480),
                name="coaching_session_duration_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Coaching on {self.held_on:%d %b %Y}"


class EthicsAgreement(models.Model):
    """A coach's signature on one version of the code of ethics, with when they signed."""

    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ethics_agreements"
    )
    version = models.CharField(max_length=20)
    signed_name = models.CharField(
        "your full name", max_length=200, help_text="Typed as your signature."
    )
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["coach", "-agreed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["coach", "version"], name="ethics_agreement_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.coach} agreed to version {self.version}"
