"""Report requests (the PDFs people ask for, built in the background) and certificates of
completion. Both moved here from ``cohorts`` keeping their tables (see migration 0001)."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leadership.storage import get_private_storage


def report_file_name(instance: "ReportRequest", filename: str) -> str:
    """A generated name under the private storage: nothing a user typed reaches the disk."""
    return f"reports/{instance.cohort_id}/{uuid.uuid4().hex}.pdf"


class ReportRequest(models.Model):
    """One PDF someone asked for: a cohort progress report, certificates of completion (one
    person's, or every completing participant's) or a participant's transcript. A Celery task
    fills it: pending → running → ready (with the file) or failed (with the reason)."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", "Cohort progress report"
        CERTIFICATES = "certificates", "Certificates of completion"
        TRANSCRIPT = "transcript", "Participant transcript"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being built"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    IN_PROGRESS = (Status.PENDING, Status.RUNNING)

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="report_requests"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Whose transcript or certificate; empty for the cohort report and for every "
        "completing participant's certificates.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="report_requests"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(
        upload_to=report_file_name, storage=get_private_storage, max_length=300, blank=True
    )
    size = models.PositiveBigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    data_cutoff = models.DateTimeField(
        "data cut-off",
        null=True,
        blank=True,
        help_text="The moment the figures were read: later changes are not in the file.",
    )
    summary = models.JSONField(
        default=dict,
        # In the database too: rows inserted by older code during a rolling deploy stay valid.
        db_default=models.Value({}, output_field=models.JSONField()),
        blank=True,
        help_text="A progress report's signals and projects needing help, for the next "
        "report's “what changed since the previous report”.",
    )

    class Meta:
        # The table kept its name when the model moved here from cohorts (migration 0001).
        db_table = "cohorts_reportrequest"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "kind", "person"],
                condition=Q(status__in=["pending", "running"]),
                nulls_distinct=False,
                name="report_one_identical_in_progress",
            ),
            models.CheckConstraint(
                condition=~Q(kind="transcript") | Q(person__isnull=False),
                name="report_transcript_has_person",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | ~Q(file=""),
                name="report_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        whose = f" for {self.person}" if self.person_id else ""
        return f"{self.get_kind_display()}{whose} — {self.cohort.name}"

    @property
    def is_in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


def certificate_code() -> str:
    """Twelve characters from an alphabet without look-alikes (no 0/O, 1/I/L), in three groups:
    about 60 bits, read aloud or typed from paper without mistakes."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class Certificate(models.Model):
    """A certificate of completion for one participant of one cohort. Its code is printed on
    the PDF and checked by the public verification page, which says only valid or revoked and
    what is printed on it: the name, programme, cohort, dates and hours attended. Revoking
    keeps the row."""

    cohort = models.ForeignKey(
        "cohorts.Cohort", on_delete=models.PROTECT, related_name="certificates"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(max_length=20, unique=True, default=certificate_code)
    name_on_certificate = models.CharField(max_length=300)
    programme_name = models.CharField(max_length=200)
    # CPD evidence as printed, fixed when it is issued (``reports.cpd``); empty on
    # certificates issued before it was recorded.
    cohort_name = models.CharField(max_length=200, blank=True)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    hours_attended = models.DecimalField(
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="Hours of sessions attended with the register taken.",
    )
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        db_table = "cohorts_certificate"
        ordering = ["cohort", "name_on_certificate"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="certificate_one_per_cohort"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revocation_reason=""),
                name="certificate_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_on_certificate} — {self.programme_name} ({self.code})"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
