"""The schedule: module templates of a programme, the modules and sessions of a cohort, and
who attended."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cohorts.models import Cohort, Programme


class ModuleTemplate(models.Model):
    """One step of a programme's sequence, e.g. "Strategy", 1.5 days, at month 0."""

    class Kind(models.TextChoices):
        MODULE = "module", "Module"
        INSIGHT_DAY = "insight_day", "Leadership Insight day"
        CHALLENGE = "challenge", "Leadership challenge"
        WORKSHOP = "workshop", "Workshop"
        SHORT_COURSE = "short_course", "Short course"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="module_templates"
    )
    position = models.PositiveSmallIntegerField(help_text="Order within the programme, from 1.")
    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MODULE)
    length_half_days = models.PositiveSmallIntegerField(
        "length (half-days)", default=3, help_text="3 = a day and a half; 1 = a half-day."
    )
    offset_weeks = models.PositiveSmallIntegerField(
        default=0, help_text="When it falls, in weeks from the cohort's start date."
    )
    phase = models.CharField(max_length=100, blank=True, help_text='e.g. "Trimester 2"')

    class Meta:
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "position"], name="module_template_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(length_half_days__gte=1), name="module_template_length_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Module(models.Model):
    """A module scheduled in a cohort; its sessions carry the dates."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="modules")
    template = models.ForeignKey(
        ModuleTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="modules"
    )
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=20, choices=ModuleTemplate.Kind.choices, default=ModuleTemplate.Kind.MODULE
    )
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_modules"
    )
    schedule_note = models.CharField(
        max_length=500, blank=True, help_text="Why the generator moved it, if it did."
    )

    class Meta:
        ordering = ["cohort", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "position"], name="module_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cohort.name}: {self.title}"


class Session(models.Model):
    """A day or half-day of a module, in the cohort's time zone (stored in UTC)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_sessions",
    )
    what_to_prepare = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(
        default=0, help_text="Bumped on every change so calendar clients update the event."
    )
    seat_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text="Short courses only: how many may sign up."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.module.title} ({self.starts_at:%Y-%m-%d})"


class Attendance(models.Model):
    """One participant at one session. No row means "not recorded", never "absent"."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        APOLOGIES = "apologies", "Apologies"
        ABSENT = "absent", "Absent"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "person"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.session}: {self.get_status_display()}"
