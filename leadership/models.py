"""What every app shares: the person who logs in, and the audit trail of who changed what."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalise_email(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared case-insensitively everywhere, so we store them lower-cased."""
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin):
    """A person the programme office knows: participant, faculty, leader or administrator.

    Everyone in a cohort is a user (they are invited and set a password), so the person's
    professional details live here rather than on a separate profile row: one row, no joins.
    Roles are not stored here; they come from enrolments and programme administration.
    """

    class Profession(models.TextChoices):
        DOCTOR = "doctor", "Doctor"
        NURSE = "nurse", "Nurse"
        ALLIED_HEALTH = "allied_health", "Allied health professional"
        MANAGER = "manager", "Manager"
        OTHER_CLINICAL = "other_clinical", "Other clinical"
        OTHER = "other", "Other"

    class Grade(models.TextChoices):
        """Seniority, whatever the profession: with the profession it names a person's place
        ("junior doctor", "senior manager") as data rather than as a job-title string."""

        JUNIOR = "junior", "Junior"
        MIDDLE = "middle", "Middle grade"
        SENIOR = "senior", "Senior"
        EXECUTIVE = "executive", "Executive"

    CLINICAL_PROFESSIONS = frozenset(
        {Profession.DOCTOR, Profession.NURSE, Profession.ALLIED_HEALTH, Profession.OTHER_CLINICAL}
    )

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    # On PostgreSQL both name columns use the ICU root collation (migration 0006), so names sort
    # by their letters whatever their macrons and accents. An AlterField on either must keep
    # it: Django does not know of it and would put the database default back.
    first_name = models.CharField("first name", max_length=150)
    last_name = models.CharField("last name", max_length=150, blank=True)
    profession = models.CharField(
        max_length=20, choices=Profession.choices, default=Profession.OTHER
    )
    grade = models.CharField(
        "grade or seniority",
        max_length=20,
        choices=Grade.choices,
        blank=True,
        help_text="Junior (e.g. foundation or core trainee doctor, staff nurse, band 5–6), middle "
        "grade (registrar, charge nurse, band 7), senior (consultant, GP partner, band 8) or "
        "executive (director, board member).",
    )
    job_title = models.CharField(max_length=200, blank=True)
    department = models.CharField(
        "department or service", max_length=200, blank=True, help_text="e.g. Emergency Department"
    )
    organisation = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "staff status", default=False, help_text="May log in to the Django admin site."
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name"]

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        verbose_name = "person"
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @staticmethod
    def name_from(first_name: str, last_name: str, email: str) -> str:
        """``str(user)`` from the three columns, for pages that read them as plain values."""
        return f"{first_name} {last_name}".strip() or email

    @property
    def grade_and_profession(self) -> str:
        """ "Junior doctor", "Senior manager": the grade with the profession, or the
        profession alone when no grade is recorded."""
        profession = self.get_profession_display()
        if not self.grade:
            return profession
        return f"{self.get_grade_display()} {profession.lower()}"

    def clean(self) -> None:
        super().clean()
        self.email = normalise_email(self.email)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_clinician(self) -> bool:
        return self.profession in self.CLINICAL_PROFESSIONS


class AuditEvent(models.Model):
    """One attributable change: who did what to which object, when. Rows are never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        help_text="Empty when the system itself acted (a scheduled job, an import command).",
    )
    action = models.CharField(max_length=100, help_text="e.g. enrolment.create")
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=300)
    cohort_id = models.BigIntegerField(
        null=True, blank=True, help_text="The cohort it concerns, for filtering."
    )
    programme_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=(
            "The programme it concerns (its cohort's, or the programme itself), recorded with "
            "the event so that who may read it is one index range (leadership.audit)."
        ),
    )
    person_id = models.BigIntegerField(
        null=True, blank=True, help_text="The person it concerns, if any."
    )
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The trail is read newest first, a page at a time from a (created_at, id) position
        # (governance.selectors): each way of narrowing it has an index that ends in that
        # order, so a page is a short index range however long the trail is.
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
            models.Index(fields=["created_at", "id"], name="audit_time_idx"),
            models.Index(fields=["programme_id", "created_at", "id"], name="audit_programme_idx"),
            models.Index(fields=["cohort_id", "created_at", "id"], name="audit_cohort_idx"),
            models.Index(fields=["person_id", "created_at", "id"], name="audit_person_idx"),
            models.Index(fields=["action", "created_at", "id"], name="audit_action_idx"),
            # An administrator's own events without a cohort, sign-ins left out (their
            # exports, erasures): the part of the account-wide trail a programme office reads
            # (leadership.audit.own_account_events, governance.selectors).
            models.Index(
                fields=["actor_id", "created_at", "id"],
                name="audit_own_idx",
                condition=models.Q(cohort_id__isnull=True)
                & ~(models.Q(action__startswith="auth.") | models.Q(action__startswith="mfa.")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor or 'system'}: {self.action}"


class TaskHeartbeat(models.Model):
    """A row written by the ``leadership.heartbeat`` task: proof that a worker ran it."""

    label = models.CharField(max_length=100)
    worker_hostname = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Notification(models.Model):
    """One e-mail to one person, recorded before it is sent.

    A row is written in the same transaction as the change that causes it (record first), so
    a broker outage delays it but never loses it: the periodic sweep sends whatever is due.
    ``dedup_key`` is unique, so planning the same reminder twice creates one row."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation to set a password"
        SESSION_REMINDER = "session_reminder", "Session reminder"
        ASSIGNMENT_REMINDER = "assignment_reminder", "Assignment due reminder"
        ASSIGNMENT_OVERDUE = "assignment_overdue", "Assignment overdue notice"
        FEEDBACK_RELEASED = "feedback_released", "Feedback released"
        FACULTY_DIGEST = "faculty_digest", "Submissions waiting for feedback"
        LEADER_DIGEST = "leader_digest", "Weekly digest for clinical leaders"
        PROGRAMME_ADDED = "programme_added", "Enrolled by another programme office"
        REGISTER_REMINDER = "register_reminder", "Register not taken after a session"
        REGISTER_MISSING = "register_missing", "Registers still missing (programme office)"
        SCHEDULE_CHANGE = "schedule_change", "Schedule changes"
        ANNOUNCEMENT = "announcement", "Announcements from the programme office"
        APOLOGIES_RECEIVED = "apologies_received", "Apologies sent for a session"
        SESSION_EVALUATION = "session_evaluation", "Session evaluations to answer"
        FEEDBACK_REQUEST = "feedback_request", "360 feedback request to a rater you nominated"
        FEEDBACK_REMINDER = "feedback_reminder", "360 feedback reminder to a rater you nominated"
        PEER_REVIEW_REMINDER = "peer_review_reminder", "Peer review due reminder"
        MEASURE_DATA_REMINDER = "measure_data_reminder", "Monthly reminder to enter measure data"
        PAIRING_PREFERENCES = "pairing_preferences", "Pairing preferences asked for"

    # Nobody can opt out of these: without them a person cannot use the product at all, or
    # would not learn that another office can now see their account.
    ALWAYS_REQUIRED = frozenset({Kind.INVITATION, Kind.PROGRAMME_ADDED})

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    to_address = models.EmailField(
        blank=True,
        help_text="Set for an e-mail to someone without an account (a 360 rater): it goes "
        "there, not to the recipient, who is the person it is sent for. Such e-mails have no "
        "opt-out link (the address has no account to hold the choice).",
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    dedup_key = models.CharField(
        max_length=200, unique=True, help_text="Identifies this message; a second plan is a no-op."
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    cohort_id = models.BigIntegerField(null=True, blank=True)
    template = models.CharField(max_length=100, help_text="emails/<template>.subject.txt etc.")
    context = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="[{filename, content, mimetype}] (text content)."
    )
    scheduled_for = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The key of the sender's advisory lock while it holds the row "
        "(leadership.notifications: a claim whose lock is free belongs to a dead worker).",
    )
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["subject_type", "subject_id"], name="notification_subject_idx"),
            # A cohort's e-mail log, newest first a page at a time (leadership.selectors).
            models.Index(
                fields=["cohort_id", "scheduled_for", "id"], name="notification_cohort_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient} ({self.get_status_display()})"


class NotificationPreference(models.Model):
    """A person's choice to stop one kind of e-mail. No row means they receive it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=30, choices=Notification.Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notification_opt_out_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} opted out of {self.get_kind_display()}"


class RequiredNotificationKind(models.Model):
    """Kinds an administrator marks as essential: people cannot opt out of them."""

    kind = models.CharField(max_length=30, choices=Notification.Kind.choices, unique=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class LoginSession(AbstractBaseSession):
    """A database session that knows whose it is (``leadership.sessions`` is the session
    engine), so every session of one person can be ended at once: on deactivation, withdrawal
    from a cohort, erasure, or when they turn on two-factor authentication elsewhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="login_sessions",
        help_text="Empty until someone logs in with this session.",
    )

    class Meta:
        ordering = ["-expire_date"]
        verbose_name = "login session"

    @classmethod
    def get_session_store_class(cls):
        from .sessions import SessionStore  # sessions.py imports these models

        return SessionStore
