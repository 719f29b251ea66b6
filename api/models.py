"""API tokens and the batches of points received through them.

A token is the programme administrator who created it, narrowed: to one programme (or one of its
cohorts) and to reading, or reading and writing measure points. Only a SHA-256 hash of the
token is stored; the token itself is shown once, when it is created."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> "ApiTokenQuerySet":
        """Tokens neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """What a BI tool or an information system uses to call the API on its creator's behalf."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        WRITE_POINTS = "write_points", "Read, and write measure points"

    name = models.CharField(
        max_length=100, help_text='What uses it, e.g. "Power BI: ward dashboard".'
    )
    programme = models.ForeignKey(
        "cohorts.Programme", on_delete=models.PROTECT, related_name="api_tokens"
    )
    cohort = models.ForeignKey(
        "cohorts.Cohort",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="api_tokens",
        help_text="Only this cohort; empty for every cohort of the programme.",
    )
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.READ)
    contact_details = models.BooleanField(
        "include contact details",
        default=False,
        help_text="Enrolments include people's e-mail addresses.",
    )
    prefix = models.CharField(
        max_length=16, unique=True, help_text="The token's first characters, to tell it apart."
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("expires")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    rate_window = models.PositiveBigIntegerField(
        default=0, help_text="The minute (since the epoch) ``rate_count`` counts requests in."
    )
    rate_count = models.PositiveIntegerField(default=0)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_by__isnull=False),
                name="api_token_revocation_names_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write_points(self) -> bool:
        return self.scope == self.Scope.WRITE_POINTS

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class PointBatch(models.Model):
    """A batch of points accepted under an ``Idempotency-Key``: sending the same key again
    answers with the stored response and changes nothing."""

    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, related_name="batches")
    key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    measure = models.ForeignKey(
        "measures.Measure", on_delete=models.PROTECT, related_name="api_batches"
    )
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "batch of points"
        verbose_name_plural = "batches of points"
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_batch_key_unique_per_token")
        ]

    def __str__(self) -> str:
        return f"Batch {self.key} for {self.measure_id}"
