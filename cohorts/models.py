"""Programmes (templates of a leadership programme), cohorts (one run of one) and enrolments."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from leadership.downloads import download_stem


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


# Each reminder is an e-mail to everyone concerned: a handful per session or due date is plenty.
REMINDER_DAYS_MAX_COUNT = 4


@deconstructible
class ReminderDaysValidator:
    """A programme's reminder rule: a list of whole days, each from 1 to the setting named
    ``maximum_setting`` (read when validating, so changing the setting needs no migration),
    each at most once and at most ``REMINDER_DAYS_MAX_COUNT`` of them. Empty is valid: the
    site default applies. The reminder planners look no further ahead than that maximum."""

    def __init__(self, maximum_setting: str) -> None:
        self.maximum_setting = maximum_setting

    def __call__(self, value) -> None:
        # bool is an int to Python; "true" days are not whole days.
        if not isinstance(value, list) or any(type(d) is not int for d in value):
            # Not code "invalid": the field would swap in its own "Value must be valid JSON."
            raise ValidationError("Give whole numbers of days, e.g. 14, 2.", code="not_days")
        maximum = getattr(settings, self.maximum_setting)
        if any(d < 1 or d > maximum for d in value):
            raise ValidationError(
                f"Each number of days must be from 1 to {maximum}.", code="out_of_range"
            )
        if len(set(value)) != len(value):
            raise ValidationError("Give each number of days once.", code="duplicate")
        if len(value) > REMINDER_DAYS_MAX_COUNT:
            raise ValidationError(f"At most {REMINDER_DAYS_MAX_COUNT} reminders.", code="too_many")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ReminderDaysValidator)
            and other.maximum_setting == self.maximum_setting
        )

    def __hash__(self) -> int:
        return hash(self.maximum_setting)


def days_in_words(days: list[int]) -> str:
    """``[14, 2]`` → "14 and 2 days", ``[1]`` → "1 day", ``[7, 3, 1]`` → "7, 3 and 1 days"."""
    numbers = [str(d) for d in days]
    listed = numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"
    return f"{listed} day{'' if days == [1] else 's'}"


def _reminder_days_field(verbose_name: str, maximum_setting: str, help_text: str):
    # db_default too, so rows written by older code during a rolling deploy still insert.
    return models.JSONField(
        verbose_name,
        default=list,
        db_default=models.Value([], output_field=models.JSONField()),
        blank=True,
        validators=[ReminderDaysValidator(maximum_setting)],
        help_text=help_text
        + " Empty: the site's default. Applies to every cohort of the programme, for reminders"
        " not yet sent.",
    )


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def administered_by(self, user) -> "ProgrammeQuerySet":
        """The programmes ``user`` administers: every one for a superuser. The one definition
        of "programmes this person administers"; cohorts, audit and privacy build on it."""
        if user.is_superuser:
            return self.all()
        return self.filter(administrators=user)


class Programme(models.Model):
    """A model of programme: its module sequence (``modules.ModuleTemplate``), phases, the kind of
    projects its teams do and its completion rule. Cohorts are runs of it."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    default_capacity = models.PositiveIntegerField(
        default=50, help_text="Participants per cohort unless the cohort says otherwise."
    )
    phases = models.JSONField(
        default=list, blank=True, help_text='Names of the phases in order, e.g. ["Trimester 1"].'
    )
    project_kinds = models.JSONField(
        default=list,
        blank=True,
        help_text='The kinds of project its teams do, e.g. ["Care redesign", "QI project"].',
    )
    completion_min_attendance_percent = models.PositiveSmallIntegerField(
        "minimum attendance (%)",
        default=80,
        help_text="A participant completes only if they attend at least this share of sessions.",
    )
    # db_default too, so rows written by older code during a rolling deploy (and the data
    # migration's historical model) still insert.
    pairs_avoid_same_team = models.BooleanField(
        "don't pair members of the same redesign team",
        default=False,
        db_default=False,
        help_text="The pairing matcher never suggests two people from one redesign team.",
    )
    completion_requires_final_assignment = models.BooleanField(
        "final assignment must be accepted", default=True
    )
    session_reminder_days = _reminder_days_field(
        "session reminders (days before)",
        "SESSION_REMINDER_DAYS_MAX",
        "Days before each session that everyone expected is reminded, e.g. 14, 2.",
    )
    assignment_reminder_days = _reminder_days_field(
        "assignment reminders (days before due)",
        "ASSIGNMENT_REMINDER_DAYS_MAX",
        "Days before an assignment is due that those who have not handed it in are reminded.",
    )
    assignment_overdue_days = _reminder_days_field(
        "overdue notices (days after due)",
        "ASSIGNMENT_REMINDER_DAYS_MAX",
        "Days after an assignment was due that those who have not handed it in are told.",
    )
    decimal_comma = models.BooleanField(
        "numbers use a decimal comma",
        default=False,
        db_default=False,
        help_text="Measure data pasted from a spreadsheet reads “12,5” as twelve and a half "
        "(and “1.234,5” as 1234.5), as spreadsheets in much of Europe write numbers.",
    )
    email_greeting = models.CharField(
        "e-mail greeting",
        max_length=60,
        blank=True,
        default="Hello",
        db_default="Hello",
        help_text='How e-mails to its people open, before the name: "Kia ora", "Dear", "Hello" '
        '(empty: "Hello").',
    )
    email_sign_off = models.CharField(
        "e-mail sign-off",
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text='The closing line of its e-mails, e.g. "Ngā mihi, the programme office". '
        "Empty: no sign-off.",
    )
    administrators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="administered_programmes",
        help_text="Programme administrators manage every cohort of this programme.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completion_min_attendance_percent__lte=100),
                name="programme_attendance_percent_max_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def email_voice(self) -> dict[str, str]:
        """The greeting and sign-off its e-mails use, for a notification's context (the
        e-mail templates read ``greeting`` and ``sign_off``)."""
        return {"greeting": self.email_greeting, "sign_off": self.email_sign_off}

    # The rules the reminder planners follow: the programme's own, or the site's defaults.
    # Before a date: largest first; after it: smallest first (the order they are sent in).

    @property
    def effective_session_reminder_days(self) -> list[int]:
        return sorted(self.session_reminder_days or settings.SESSION_REMINDER_DAYS, reverse=True)

    @property
    def effective_assignment_reminder_days(self) -> list[int]:
        days = self.assignment_reminder_days or settings.ASSIGNMENT_REMINDER_DAYS
        return sorted(days, reverse=True)

    @property
    def effective_assignment_overdue_days(self) -> list[int]:
        return sorted(self.assignment_overdue_days or settings.ASSIGNMENT_OVERDUE_DAYS)


class CohortQuerySet(models.QuerySet["Cohort"]):
    def administered_by(self, user) -> "CohortQuerySet":
        """Cohorts of the programmes ``user`` administers (``Programme.administered_by``)."""
        if user.is_superuser:
            return self.all()
        return self.filter(programme__in=Programme.objects.administered_by(user))

    def with_role(self, user, *roles: str) -> "CohortQuerySet":
        """Cohorts where the user holds one of ``roles`` (and has not withdrawn)."""
        return self.filter(
            enrolments__person=user,
            enrolments__role__in=roles,
            enrolments__status__in=Enrolment.ACTIVE_STATUSES,
        ).distinct()


class Cohort(models.Model):
    """One run of a programme with real dates and people."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class HolidayRegion(models.TextChoices):
        NZ_AUCKLAND = "NZ-AUK", "New Zealand — Auckland"
        NZ_WELLINGTON = "NZ-WGN", "New Zealand — Wellington"
        NZ_CANTERBURY = "NZ-CAN", "New Zealand — Canterbury"
        ENGLAND_WALES = "GB-ENG", "England and Wales"
        SCOTLAND = "GB-SCT", "Scotland"
        NORTHERN_IRELAND = "GB-NIR", "Northern Ireland"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=200, help_text='e.g. "Cohort 3"')
    slug = models.SlugField(max_length=200, unique=True)
    starts_on = models.DateField("start date")
    capacity = models.PositiveIntegerField(help_text="The most participants it takes.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    time_zone = models.CharField(
        max_length=64, default="Pacific/Auckland", choices=time_zone_choices
    )
    holiday_region = models.CharField(
        max_length=10,
        choices=HolidayRegion.choices,
        default=HolidayRegion.NZ_AUCKLAND,
        help_text="No session is scheduled on this region's public holidays.",
    )
    venue_name = models.CharField("default venue", max_length=200, blank=True)
    venue_address = models.TextField("default venue address", blank=True)
    peer_review_enabled = models.BooleanField(
        "peer review",
        default=False,
        help_text="Participants may read and comment on other teams' work in this cohort.",
    )
    # What peers see when peer review is on: team work only unless these say otherwise (db
    # defaults too, for rows inserted by the previous release during a rolling deploy).
    peer_review_shows_feedback = models.BooleanField(
        "peers see released feedback",
        default=False,
        db_default=False,
        help_text="With peer review on, participants also read the faculty feedback released "
        "on other teams' work.",
    )
    peer_review_shows_individual_work = models.BooleanField(
        "peers see individual work",
        default=False,
        db_default=False,
        help_text="With peer review on, participants also read each other's submitted "
        "individual work and its files (otherwise only team work is shared).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # db_default too: rows inserted by older code during a rolling deploy stay valid.
    version = models.PositiveIntegerField(
        default=1,
        db_default=1,
        editable=False,
        help_text="Goes up with every edit of the details; an edit made from an older version "
        "is refused, so two administrators editing at once never overwrite each other.",
    )

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="cohort_name_unique"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cohort_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} — {self.name}"

    def clean(self) -> None:
        super().clean()
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"time_zone": "Choose a time zone from the list."}) from exc

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def email_voice(self) -> dict[str, str]:
        """Its programme's greeting and sign-off (``Programme.email_voice``) and the language
        its e-mails declare (``<html lang>``, as its pages and PDFs do), for a notification's
        context. Reads ``programme``."""
        return {**self.programme.email_voice(), "language": self.language}

    @property
    def language(self) -> str:
        """The English its people write, as a BCP 47 tag for ``<html lang>``: British in the
        United Kingdom's regions, New Zealand English in New Zealand's."""
        return "en-GB" if self.holiday_region.startswith("GB-") else "en-NZ"

    @property
    def download_stem(self) -> str:
        """The start of its downloads' file names, from its programme's and its own names as
        they are now (``slug`` keeps the first ones). Reads ``programme``."""
        return download_stem(self.programme.name, self.name)

    @property
    def accepts_enrolments(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.RUNNING)


class Enrolment(models.Model):
    """A person's place in a cohort in one role. History is kept: withdrawing sets a status."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", "Participant"
        FACULTY = "faculty", "Faculty"
        CLINICAL_LEADER = "clinical_leader", "Clinical leader (sponsor)"
        COACH = "coach", "Coach"
        ADMIN_SUPPORT = "admin_support", "Administrative support"

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    ACTIVE_STATUSES = (Status.ENROLLED, Status.COMPLETED)

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENROLLED)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawal_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "role", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person", "role"], name="enrolment_unique_role_in_cohort"
            ),
            models.CheckConstraint(
                condition=Q(status="withdrawn", withdrawn_on__isnull=False)
                | ~Q(status="withdrawn"),
                name="enrolment_withdrawn_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()} in {self.cohort.name}"


def programme_of_audit_event(target: models.Model, cohort_id: int | None):
    """The programme an audit event concerns (``leadership.audit.programme_of``, registered in
    ``CohortsConfig.ready``): its cohort's, as a subquery the event's INSERT evaluates, or the
    programme itself for an event about a programme; None for anything else (an account's
    events, read through the person's enrolments)."""
    if cohort_id is not None:
        return models.Subquery(Cohort.objects.filter(pk=cohort_id).values("programme_id")[:1])
    if isinstance(target, Programme):
        return target.pk
    return None


class Announcement(models.Model):
    """A message the programme office wrote to people of a cohort: everyone, or a set chosen
    by role, team or work not yet submitted. Plain text as typed (never HTML); each recipient
    gets it through the notifications outbox, and ``form_token`` makes the same form sent
    twice one announcement."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="announcements")
    subject = models.CharField(max_length=150)
    body = models.TextField(
        max_length=5000,
        help_text="Plain text: blank lines separate paragraphs; web addresses become links.",
    )
    audience = models.JSONField(
        default=dict, blank=True, help_text="The filters chosen: role, team, not submitted."
    )
    audience_label = models.CharField(
        "sent to", max_length=300, help_text='In words, e.g. "Participants in Flow team".'
    )
    recipient_count = models.PositiveIntegerField(default=0)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="announcements_sent"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    form_token = models.UUIDField(unique=True, editable=False)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} ({self.cohort.name}, {self.sent_at:%Y-%m-%d})"
