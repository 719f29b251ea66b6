"""Pairings of a clinician with a manager (or with administrative support) inside a cohort,
the preferences people state for matching, and the shadowing log each pair keeps."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cohorts.models import Cohort

# Half-day slots people can be free for shadowing, Monday to Friday.
WEEKDAYS = (("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri"))
HALF_DAYS = (("am", "morning"), ("pm", "afternoon"))
AVAILABILITY_CHOICES = [
    (f"{day}_{half}", f"{day_label} {half_label}")
    for day, day_label in WEEKDAYS
    for half, half_label in HALF_DAYS
]

# A fixed vocabulary, so that "shared interests" means the same words on both sides.
INTEREST_CHOICES = [
    ("patient_flow", "Patient flow and discharge"),
    ("patient_safety", "Patient safety"),
    ("patient_experience", "Patient experience"),
    ("quality_improvement", "Quality improvement methods"),
    ("workforce", "Workforce and rotas"),
    ("finance", "Finance and resources"),
    ("digital", "Digital and data"),
    ("outpatients", "Outpatients"),
    ("theatres", "Theatres and procedures"),
    ("medicines", "Medicines"),
    ("older_people", "Older people and frailty"),
    ("mental_health", "Mental health"),
    ("primary_care_interface", "Primary care interface"),
    ("health_equity", "Health equity"),
]


class PairingQuerySet(models.QuerySet["Pairing"]):
    def open(self) -> "PairingQuerySet":
        """Proposed or active: the pairings that hold their members."""
        return self.filter(status__in=Pairing.OPEN_STATUSES)

    def involving(self, person) -> "PairingQuerySet":
        return self.filter(Q(clinician=person) | Q(manager=person))


class Pairing(models.Model):
    """A clinician and a manager (or administrative support) paired within a cohort.

    The pair's improvement project is kept on the pairing itself (title, aim, state): each pair
    leads exactly one project, so a separate table would add a join and nothing else.
    """

    class Kind(models.TextChoices):
        PARTNERSHIP = "partnership", "Clinician–manager partnership"
        ADMIN_SUPPORT = "admin_support", "Clinical leader – administrative support"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    class ProjectStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        PLANNING = "planning", "Planning"
        TESTING = "testing", "Testing changes"
        COMPLETED = "completed", "Completed"

    OPEN_STATUSES = (Status.PROPOSED, Status.ACTIVE)

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="pairings")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PARTNERSHIP)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pairings_as_clinician",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="pairings_as_manager",
        verbose_name="manager or administrative support",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    started_on = models.DateField("start date", null=True, blank=True)
    ended_on = models.DateField("end date", null=True, blank=True)
    end_reason = models.CharField("reason for ending", max_length=500, blank=True)
    project_title = models.CharField("project title", max_length=200, blank=True)
    project_aim = models.TextField(
        "project aim",
        blank=True,
        help_text="What will improve, by how much, by when — e.g. “discharge letters sent "
        "within 24 hours for 90% of patients by March”.",
    )
    project_status = models.CharField(
        "project state",
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.NOT_STARTED,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["cohort", "kind", "clinician__last_name", "clinician__first_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(clinician=F("manager")),
                name="pairing_two_different_people",
                violation_error_message="A pairing joins two different people.",
            ),
            # A person holds at most one open (proposed or active) pairing of a kind in a
            # cohort: proposing someone twice is as wrong as pairing them twice.
            models.UniqueConstraint(
                fields=["cohort", "kind", "clinician"],
                condition=Q(status__in=["proposed", "active"]),
                name="pairing_one_open_per_clinician",
                violation_error_message="This clinician already has an open pairing of this kind.",
            ),
            # A manager partners one clinician; an administrative support person supports
            # several clinical leaders, up to their ``SupportCapacity`` (checked by the
            # service, which locks the cohort).
            models.UniqueConstraint(
                fields=["cohort", "kind", "manager"],
                condition=Q(status__in=["proposed", "active"], kind="partnership"),
                name="pairing_one_open_per_manager",
                violation_error_message="This partner already has an open pairing of this kind.",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(started_on__isnull=False),
                name="pairing_started_has_date",
                violation_error_message="An active or ended pairing needs a start date.",
            ),
            models.CheckConstraint(
                condition=(Q(status="ended") & Q(ended_on__isnull=False) & ~Q(end_reason=""))
                | (~Q(status="ended") & Q(ended_on__isnull=True)),
                name="pairing_ended_has_date_and_reason",
                violation_error_message="An ended pairing needs an end date and a reason; "
                "only an ended pairing has an end date.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="pairing_ends_after_it_starts",
                violation_error_message="A pairing ends on or after the day it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.clinician} & {self.manager}"

    def settles_preferences_of(self, person_id: int) -> bool:
        """Whether, while open, this pairing makes ``person_id``'s pairing preferences moot: a
        partnership settles both people's; an administrative-support pairing settles the
        support person's, not the supported leader's, who still needs a partner.
        (``selectors.preference_status`` reads the same rule in SQL.)"""
        return self.kind == self.Kind.PARTNERSHIP or self.manager_id == person_id

    @property
    def partner_role_label(self) -> str:
        """What the second member is, in words."""
        return "Manager" if self.kind == self.Kind.PARTNERSHIP else "Administrative support"

    def has_member(self, person) -> bool:
        return person.pk in (self.clinician_id, self.manager_id)


class SupportCapacity(models.Model):
    """How many clinical leaders one administrative support person supports at once in a
    cohort. Without a row, ``DEFAULT`` applies."""

    DEFAULT = 3
    MAXIMUM = 12

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="support_capacities")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="support_capacities"
    )
    leaders = models.PositiveSmallIntegerField(
        "clinical leaders supported at most",
        default=DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(MAXIMUM)],
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "person__last_name", "person__first_name"]
        verbose_name_plural = "support capacities"
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"], name="support_capacity_one_per_person"
            ),
            models.CheckConstraint(
                condition=Q(leaders__gte=1) & Q(leaders__lte=12),
                name="support_capacity_in_range",
                violation_error_message="Support between 1 and 12 clinical leaders.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} supports up to {self.leaders} in {self.cohort.name}"


class PairingPreference(models.Model):
    """What one person in a cohort would like from a pairing, used by the matcher.

    The line manager lives here, answered by the person ("who is your line manager?"): each
    person has one, they know it, and one form asks it. The matcher never pairs a person with
    their line manager, in either direction.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pairing_preferences")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pairing_preferences"
    )
    interests = models.JSONField(
        "areas of interest", default=list, blank=True, help_text="Keys of INTEREST_CHOICES."
    )
    preferred_departments = models.JSONField(
        default=list,
        blank=True,
        help_text="Departments this person would like their partner to come from.",
    )
    availability = models.JSONField(
        default=list, blank=True, help_text="Half-days free for shadowing, e.g. mon_am."
    )
    line_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Never paired with this person.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["cohort", "person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"], name="pairing_preference_one_per_person"
            ),
            models.CheckConstraint(
                condition=~Q(line_manager=F("person")),
                name="pairing_preference_not_own_line_manager",
                violation_error_message="Nobody is their own line manager.",
            ),
        ]

    def __str__(self) -> str:
        return f"Pairing preferences of {self.person} in {self.cohort.name}"


class PreferenceRequest(models.Model):
    """The programme office asked a cohort's people for their pairing preferences. From then
    on everyone who may be paired and has not answered (and is not paired yet) has a to-do on
    their start page; each is e-mailed once (``services.preferences_request``)."""

    cohort = models.OneToOneField(
        Cohort, on_delete=models.CASCADE, related_name="pairing_preference_request"
    )
    asked_at = models.DateTimeField("first asked", default=timezone.now)
    last_asked_at = models.DateTimeField("last asked", default=timezone.now)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = "request for pairing preferences"
        verbose_name_plural = "requests for pairing preferences"

    def __str__(self) -> str:
        return f"Pairing preferences asked for in {self.cohort.name}"


class ShadowingEntry(models.Model):
    """One shadowing session: a member of a pair spent time in the other's role."""

    class Direction(models.TextChoices):
        CLINICIAN_SHADOWED_MANAGER = "clinician_shadowed_manager", "Clinician shadowed manager"
        MANAGER_SHADOWED_CLINICIAN = "manager_shadowed_clinician", "Manager shadowed clinician"

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="shadowing_entries")
    occurred_on = models.DateField("date")
    direction = models.CharField("who shadowed whom", max_length=30, choices=Direction.choices)
    location = models.CharField(
        "where", max_length=200, help_text="e.g. Ward 7 board round, bed management meeting"
    )
    minutes = models.PositiveSmallIntegerField(
        "how long (minutes)", validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    reflection = models.TextField(
        help_text="What you saw and what you will do differently. No patient details."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shadowing_entries"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = "shadowing entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=24 * 60),
                name="shadowing_minutes_in_a_day",
                violation_error_message="A session lasts between 1 minute and 24 hours.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} on {self.occurred_on:%d %b %Y}"
