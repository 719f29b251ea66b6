"""The schedule: module templates of a programme, the modules and sessions of a cohort, and
who attended."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme


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
    seat_limit = models.PositiveIntegerField(
        "seats",
        null=True,
        blank=True,
        help_text="Short courses only: how many may sign up (empty: 20, or the cohort's capacity "
        "if smaller).",
    )

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


class MilestoneTemplate(models.Model):
    """A dated point of a programme that is not a session, e.g. the leadership challenge that
    closes a trimester or the monthly data deadline: when a cohort is created it becomes a
    ``Milestone`` on a working day ``offset_days`` after the linked module's first day (or the
    cohort's start)."""

    class Kind(models.TextChoices):
        LEADERSHIP_CHALLENGE = "leadership_challenge", "Leadership challenge"
        DATA = "data", "Data due"
        PROJECT = "project", "Project delivery"
        REVIEW = "review", "Review"
        OTHER = "other", "Other"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="milestone_templates"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)
    module_template = models.ForeignKey(
        ModuleTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestone_templates",
        verbose_name="module",
        help_text="Dated from this module's first day; empty: from the cohort's start.",
    )
    offset_days = models.SmallIntegerField(
        "days after",
        default=0,
        help_text="Days after the module's first day (or the cohort's start); a weekend, "
        "holiday or close-down moves it to the next working day.",
    )

    class Meta:
        ordering = ["programme", "offset_days", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "name"], name="milestone_template_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Module(models.Model):
    """A module scheduled in a cohort; its sessions carry the dates. Lists show modules in
    date order (``selectors.modules_in_date_order``): a move changes dates, not ``position``."""

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


class Milestone(models.Model):
    """A dated point of one cohort (from a ``MilestoneTemplate`` or added by hand)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="milestones")
    template = models.ForeignKey(
        MilestoneTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
    )
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="milestones"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(
        max_length=30,
        choices=MilestoneTemplate.Kind.choices,
        default=MilestoneTemplate.Kind.OTHER,
    )
    description = models.TextField(blank=True)
    due_on = models.DateField("date")
    schedule_note = models.CharField(
        max_length=500, blank=True, help_text="Why the scheduler moved it, if it did."
    )

    class Meta:
        ordering = ["cohort", "due_on", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.due_on:%Y-%m-%d})"


class CloseDown(models.Model):
    """A period an organisation closes (e.g. 24 Dec–5 Jan): the scheduler avoids it like a
    public holiday. It applies to one programme's cohorts, or to every cohort of a holiday
    region."""

    name = models.CharField(max_length=200, help_text='e.g. "Christmas close-down"')
    starts_on = models.DateField("first day")
    ends_on = models.DateField("last day")
    programme = models.ForeignKey(
        Programme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="close_downs",
        help_text="Its cohorts avoid this period.",
    )
    region = models.CharField(
        max_length=10,
        choices=Cohort.HolidayRegion.choices,
        blank=True,
        help_text="Every cohort of this holiday region avoids this period.",
    )
    every_year = models.BooleanField(
        default=False, help_text="The same days every year (e.g. 24 Dec–5 Jan)."
    )

    class Meta:
        ordering = ["starts_on", "name"]
        verbose_name = "close-down period"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="close_down_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(programme__isnull=False) | ~Q(region=""),
                name="close_down_programme_or_region",
            ),
        ]

    def __str__(self) -> str:
        every = ", every year" if self.every_year else ""
        return f"{self.name} ({self.starts_on:%-d %b %Y}–{self.ends_on:%-d %b %Y}{every})"


class SessionQuerySet(models.QuerySet["Session"]):
    def expected_for(self, person) -> "SessionQuerySet":
        """Sessions ``person`` is expected at: every session of the cohorts they teach, and for
        the cohorts they take part in every session except sign-up ones (short courses), which
        count only once they have signed up. Cancelled sessions are included (calendars need
        them to send the cancellation); filter them out where they don't belong."""
        active = Enrolment.objects.filter(person=person, status__in=Enrolment.ACTIVE_STATUSES)
        teaches = active.filter(role=Enrolment.Role.FACULTY).values("cohort_id")
        takes_part = active.filter(role=Enrolment.Role.PARTICIPANT).values("cohort_id")
        signed_up = ShortCourseSignup.objects.filter(session=OuterRef("pk"), person=person)
        return self.filter(
            Q(module__cohort__in=teaches)
            | Q(module__cohort__in=takes_part, seat_limit__isnull=True)
            | Q(Exists(signed_up), module__cohort__in=takes_part, seat_limit__isnull=False)
        )

    def held(self) -> "SessionQuerySet":
        """Sessions that have started and were not cancelled, register taken or not."""
        return self.filter(status=Session.Status.SCHEDULED, starts_at__lte=timezone.now())

    def counted(self) -> "SessionQuerySet":
        """Held sessions whose register was taken: the only ones attendance rates and the
        attendance rule count. A held session without a register says nothing about who came."""
        return self.held().filter(register_taken_at__isnull=False)

    def register_missing(self) -> "SessionQuerySet":
        """Held sessions whose register has not been taken ("register not taken")."""
        return self.held().filter(register_taken_at__isnull=True)


class Session(models.Model):
    """A day or half-day of a module, in the cohort's time zone (stored in UTC). A session with
    a ``seat_limit`` takes sign-ups (a short course): only those signed up are expected."""

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
    register_taken_at = models.DateTimeField(
        "register taken",
        null=True,
        blank=True,
        help_text="When the register was first saved on or after the session's day. Empty for "
        'a held session means "register not taken": it is left out of every attendance rate.',
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title or self.module.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def takes_signups(self) -> bool:
        return self.seat_limit is not None

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def register_taken(self) -> bool:
        return self.register_taken_at is not None


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


class ShortCourseSignup(models.Model):
    """A participant's place on a short-course session (one whose ``seat_limit`` is set)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="short_course_signups"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "created_at"]
        verbose_name = "short-course sign-up"
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="signup_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.session}"


class CalendarFeed(models.Model):
    """A private calendar subscription URL for one person. The token is random (256 bits) and
    is the only credential the feed view accepts; revoking sets ``revoked_at`` and the person
    gets a new token. At most one live feed per person."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(revoked_at__isnull=True),
                name="calendar_feed_one_live_per_person",
            ),
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "live"
        return f"Calendar feed of {self.person} ({state})"
