"""Clinically-led redesign teams, their membership history, assignments with rubrics,
extensions, submission versions with files, feedback and peer comments.

Nothing here rewrites the past: memberships end (``left_at``) rather than disappear, every
submitted version stays, and a submission remembers its team and the members it had then.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property

from cohorts.models import Cohort
from leadership.formatting import formatted_html
from leadership.storage import get_private_storage


class RedesignTeam(models.Model):
    """A team of a cohort that (re)designs care for a population, a condition or a process.

    Its lead must be a clinician: the programmes are clinically led."""

    class FocusKind(models.TextChoices):
        POPULATION_SUBGROUP = "population_subgroup", "Population subgroup"
        CLINICAL_CONDITION = "clinical_condition", "Clinical condition"
        WORK_PROCESS = "work_process", "Work process"

    CLINICAL_LEAD_MESSAGE = (
        "The clinical lead must be a clinician (doctor, nurse, allied health or other clinical "
        "profession), not a manager: redesign teams are clinically led."
    )

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="redesign_teams")
    name = models.CharField(max_length=200)
    focus_kind = models.CharField(
        max_length=30, choices=FocusKind.choices, default=FocusKind.WORK_PROCESS
    )
    focus = models.CharField(
        max_length=300,
        blank=True,
        help_text='e.g. "COPD admissions in over-65s" or "Discharge before noon".',
    )
    aim = models.TextField(
        "aim statement",
        blank=True,
        help_text="What will improve, by how much, by when, for whom.",
    )
    clinical_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_redesign_teams",
        help_text="Must be a clinician: teams are clinically led.",
    )
    manager_partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partnered_redesign_teams",
    )
    executive_sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_redesign_teams",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "name"]
        verbose_name = "redesign team"
        constraints = [
            models.UniqueConstraint(fields=["cohort", "name"], name="redesign_team_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.clinical_lead_id and not self.clinical_lead.is_clinician:
            raise ValidationError({"clinical_lead": self.CLINICAL_LEAD_MESSAGE})


class TeamMembershipQuerySet(models.QuerySet["TeamMembership"]):
    def current(self) -> "TeamMembershipQuerySet":
        return self.filter(left_at__isnull=True)


class TeamMembership(models.Model):
    """A person's time in a team. Restructuring ends the row (``left_at``) and starts a new one,
    so what a team looked like on any date can still be answered."""

    team = models.ForeignKey(RedesignTeam, on_delete=models.PROTECT, related_name="memberships")
    cohort = models.ForeignKey(
        Cohort,
        on_delete=models.PROTECT,
        related_name="team_memberships",
        help_text="The team's cohort, repeated so the database can hold 'one team at a time'.",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team", "person__last_name", "person__first_name", "joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"],
                condition=Q(left_at__isnull=True),
                name="membership_one_current_team_per_cohort",
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("joined_at")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"


class AcceptedType(models.TextChoices):
    """File types an assignment can accept; each is checked by content, not by name."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document (.docx)"
    XLSX = "xlsx", "Excel workbook (.xlsx)"
    PPTX = "pptx", "PowerPoint presentation (.pptx)"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"
    TXT = "txt", "Plain text (.txt)"
    CSV = "csv", "CSV (.csv)"


def default_accepted_types() -> list[str]:
    return [AcceptedType.PDF, AcceptedType.DOCX, AcceptedType.PPTX]


class Assignment(models.Model):
    """Work a cohort's teams (or each participant) hand in by a due date."""

    class Kind(models.TextChoices):
        TEAM = "team", "Team assignment"
        INDIVIDUAL = "individual", "Individual assignment"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="assignments")
    module = models.ForeignKey(
        "modules.Module",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    template = models.ForeignKey(
        "AssignmentTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        help_text="The programme's assignment it was made from, if any.",
    )
    title = models.CharField(max_length=200)
    brief = models.TextField(
        blank=True, help_text="Markdown: **bold**, *italic*, lists, links. HTML is removed."
    )
    due_at = models.DateTimeField("due")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEAM)
    accepted_types = models.JSONField(
        default=default_accepted_types, help_text="Codes from AcceptedType."
    )
    max_size_mb = models.PositiveIntegerField(
        "maximum file size (MB)", default=10, help_text="Per file."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "due_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_size_mb__gte=1) & Q(max_size_mb__lte=100),
                name="assignment_max_size_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        valid = set(AcceptedType.values)
        if not self.accepted_types or not set(self.accepted_types) <= valid:
            raise ValidationError({"accepted_types": "Choose at least one accepted file type."})
        if self.module is not None and self.module.cohort_id != self.cohort_id:
            raise ValidationError({"module": "Choose a module of this cohort."})

    @property
    def is_team(self) -> bool:
        return self.kind == self.Kind.TEAM

    @property
    def max_size_bytes(self) -> int:
        return self.max_size_mb * 1024 * 1024

    @cached_property
    def brief_html(self) -> str:
        """The brief rendered from Markdown and sanitised (``leadership.formatting``): any
        HTML the author typed is shown as typed, never run."""
        return formatted_html(self.brief)

    def accepted_type_labels(self) -> list[str]:
        return [AcceptedType(code).label for code in self.accepted_types]


class AssignmentTemplate(models.Model):
    """An assignment of a programme's blueprint: each cohort made from the programme gets an
    ``Assignment`` from it, due ``due_offset_days`` after the linked module's last day (or the
    cohort's start) on a working day, with this rubric."""

    programme = models.ForeignKey(
        "cohorts.Programme", on_delete=models.CASCADE, related_name="assignment_templates"
    )
    module_template = models.ForeignKey(
        "modules.ModuleTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignment_templates",
        verbose_name="module",
        help_text="The module it belongs to; its due date counts from that module's last day. "
        "Empty: from the cohort's start.",
    )
    title = models.CharField(max_length=200)
    brief = models.TextField(
        blank=True, help_text="Markdown: **bold**, *italic*, lists, links. HTML is removed."
    )
    kind = models.CharField(
        max_length=20, choices=Assignment.Kind.choices, default=Assignment.Kind.TEAM
    )
    rubric = models.TextField(
        blank=True,
        help_text="One criterion a line: “Criterion: lowest level | … | highest level”.",
    )
    due_offset_days = models.SmallIntegerField(
        "due (days after)",
        default=14,
        help_text="Days after the module's last day (or the cohort's start); a weekend, "
        "holiday or close-down moves it to the next working day.",
    )
    due_time = models.TimeField("due at (time of day)", default=datetime.time(17, 0))
    accepted_types = models.JSONField(
        default=default_accepted_types, help_text="Codes from AcceptedType."
    )
    max_size_mb = models.PositiveIntegerField(
        "maximum file size (MB)", default=10, help_text="Per file."
    )

    class Meta:
        ordering = ["programme", "due_offset_days", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "title"], name="assignment_template_title_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_size_mb__gte=1) & Q(max_size_mb__lte=100),
                name="assignment_template_max_size_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if not self.accepted_types or not set(self.accepted_types) <= set(AcceptedType.values):
            raise ValidationError({"accepted_types": "Choose at least one accepted file type."})
        if (
            self.module_template is not None
            and self.module_template.programme_id != self.programme_id
        ):
            raise ValidationError({"module_template": "Choose a module of this programme."})


class RubricCriterion(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="rubric_criteria"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["assignment", "position"]
        verbose_name_plural = "rubric criteria"
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "position"], name="rubric_criterion_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RubricLevel(models.Model):
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(help_text="1 is the lowest level.")
    label = models.CharField(max_length=100)

    class Meta:
        ordering = ["criterion", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["criterion", "position"], name="rubric_level_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Extension(models.Model):
    """A later due date for one team or one person. Lateness and overviews use it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="extensions")
    team = models.ForeignKey(
        RedesignTeam, on_delete=models.PROTECT, null=True, blank=True, related_name="extensions"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignment_extensions",
    )
    due_at = models.DateTimeField("new due date")
    reason = models.CharField(max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="granted_extensions"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assignment", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(person__isnull=True))
                | (Q(team__isnull=True) & Q(person__isnull=False)),
                name="extension_for_team_or_person",
            ),
            models.UniqueConstraint(
                fields=["assignment", "team"],
                condition=Q(team__isnull=False),
                name="extension_one_per_team",
            ),
            models.UniqueConstraint(
                fields=["assignment", "person"],
                condition=Q(person__isnull=False),
                name="extension_one_per_person",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.assignment}: until {self.due_at:%Y-%m-%d %H:%M} for {self.team or self.person}"
        )


class Submission(models.Model):
    """One version of a team's (or a person's) work on an assignment.

    A draft has no version number; submitting gives it the next one and freezes it. The team
    and the members at the time are recorded on the row, so restructuring never moves it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="submissions")
    team = models.ForeignKey(
        RedesignTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        help_text="For team assignments: the team it was made for, kept as it was.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="individual_submissions",
        help_text="For individual assignments: whose work it is.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    is_late = models.BooleanField(default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="The team's members when it was submitted.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    form_token = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The one-time token of the form that last saved this row: the same form "
        "posted again (a double click) is not saved twice.",
    )

    class Meta:
        ordering = ["assignment", "team", "owner", "version"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(owner__isnull=True))
                | (Q(team__isnull=True) & Q(owner__isnull=False)),
                name="submission_for_team_or_owner",
            ),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(version__isnull=True))
                | (
                    Q(status="submitted") & Q(version__isnull=False) & Q(submitted_at__isnull=False)
                ),
                name="submission_version_when_submitted",
            ),
            models.UniqueConstraint(
                fields=["assignment", "team", "version"], name="submission_team_version_unique"
            ),
            models.UniqueConstraint(
                fields=["assignment", "owner", "version"], name="submission_owner_version_unique"
            ),
            models.UniqueConstraint(
                fields=["assignment", "team"],
                condition=Q(status="draft", team__isnull=False),
                name="submission_one_team_draft",
            ),
            models.UniqueConstraint(
                fields=["assignment", "owner"],
                condition=Q(status="draft", owner__isnull=False),
                name="submission_one_owner_draft",
            ),
            models.UniqueConstraint(fields=["form_token"], name="submission_form_token_unique"),
        ]

    def __str__(self) -> str:
        label = f"version {self.version}" if self.version else "draft"
        return f"{self.assignment}: {self.team or self.owner}, {label}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_accepted(self) -> bool:
        """Its feedback is released and accepts it: the work is finished, and no further
        version of it can be made. Reads ``feedback`` (select it with the submission)."""
        feedback = getattr(self, "feedback", None)
        return (
            feedback is not None
            and feedback.is_released
            and feedback.decision == Feedback.Decision.ACCEPTED
        )


def submission_file_name(instance: "SubmissionFile", filename: str) -> str:
    """A generated name: nothing the uploader typed reaches the file system."""
    return f"submissions/{instance.submission.assignment.cohort_id}/{uuid.uuid4().hex}"


class SubmissionFile(models.Model):
    """A file of a submission, stored privately under a generated name."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(
        upload_to=submission_file_name, storage=get_private_storage, max_length=300
    )
    original_name = models.CharField(max_length=255)
    file_type = models.CharField(max_length=10, choices=AcceptedType.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


# Feedback is read on every page that shows its version, and in the team's e-mail; a
# generous page or two of writing (longer belongs in the session or a document).
MAX_FEEDBACK_CHARACTERS = 20_000


class Feedback(models.Model):
    """Faculty's response to one submitted version. A draft until released."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="given_feedback"
    )
    comments = models.TextField(validators=[MaxLengthValidator(MAX_FEEDBACK_CHARACTERS)])
    decision = models.CharField(max_length=20, choices=Decision.choices)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    form_token = models.UUIDField(
        null=True,
        blank=True,
        editable=False,
        help_text="The one-time token of the form that last saved this feedback: the same "
        "form posted again (a double click) is not saved or released twice.",
    )

    class Meta:
        ordering = ["submission", "created_at"]
        verbose_name_plural = "feedback"
        constraints = [
            models.UniqueConstraint(fields=["form_token"], name="feedback_form_token_unique")
        ]

    def __str__(self) -> str:
        return f"Feedback on {self.submission}: {self.get_decision_display()}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class FeedbackScore(models.Model):
    """The rubric level a piece of feedback gives one criterion."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(RubricLevel, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["feedback", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "criterion"], name="feedback_score_one_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"


class PeerComment(models.Model):
    """A comment from another participant of the cohort, when peer review is on."""

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="peer_comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_comments"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "created_at"]

    def __str__(self) -> str:
        return f"{self.author} on {self.submission}"


class FeedbackRead(models.Model):
    """A participant opened released feedback on their own (or their team's) work: until
    then it is "unread" on their start page. One row per feedback and person."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="reads")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_reads"
    )
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["feedback", "person"]
        verbose_name = "feedback read"
        constraints = [
            models.UniqueConstraint(fields=["feedback", "person"], name="feedback_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} read {self.feedback}"


class PeerReview(models.Model):
    """One participant's allocated review of another team's (or person's) submitted version,
    scored against a short fixed rubric (``RUBRIC``), due on a date in the cohort's time zone.

    The programme office allocates reviewers; ``number`` is the reviewer's place among the
    version's reviewers, so an anonymous review reads "Reviewer 2" to its authors while the
    office sees the name. Peer review must be on for the cohort (its visibility setting decides
    what peers may read); reviewers never review their own team's work."""

    class Score(models.IntegerChoices):
        NOT_YET = 1, "Not yet"
        PARTLY = 2, "Partly"
        MOSTLY = 3, "Mostly"
        FULLY = 4, "Fully"

    # The short rubric: (field, what the reviewer judges).
    RUBRIC = (
        ("aim_score", "The aim is clear: what will improve, by how much, by when"),
        ("evidence_score", "Data show the problem and the effect of the changes tested"),
        ("next_steps_score", "The next steps follow from what was learnt"),
    )

    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, related_name="peer_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_reviews"
    )
    number = models.PositiveSmallIntegerField(
        help_text="The reviewer's place among this version's reviewers (\"Reviewer 2\")."
    )
    anonymous = models.BooleanField(
        default=False, help_text="The authors see “Reviewer N”; the programme office sees names."
    )
    due_on = models.DateField("due")
    aim_score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    evidence_score = models.PositiveSmallIntegerField(choices=Score.choices, null=True, blank=True)
    next_steps_score = models.PositiveSmallIntegerField(
        choices=Score.choices, null=True, blank=True
    )
    strengths = models.TextField("what works well", max_length=4000, blank=True)
    suggestions = models.TextField("what would make it stronger", max_length=4000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "reviewer"],
                name="peer_review_one_per_reviewer",
                violation_error_message="This person already reviews this version.",
            ),
            models.UniqueConstraint(
                fields=["submission", "number"], name="peer_review_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True)
                | (
                    Q(aim_score__range=(1, 4))
                    & Q(evidence_score__range=(1, 4))
                    & Q(next_steps_score__range=(1, 4))
                ),
                name="peer_review_submitted_is_scored",
                violation_error_message="A submitted review scores every rubric line.",
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.number} of {self.submission}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def rubric_lines(self) -> list[tuple[str, str]]:
        """(criterion, score label) for each rubric line."""
        labels = dict(self.Score.choices)
        return [(text, labels.get(getattr(self, name), "—")) for name, text in self.RUBRIC]

    def reviewer_label(self, *, show_name: bool) -> str:
        """The reviewer's name, or "Reviewer N" for an anonymous review read by its authors."""
        return f"Reviewer {self.number}" if self.anonymous and not show_name else str(self.reviewer)
