"""Writes of the API: tokens (create, revoke, record a use) and batches of measure points.

Each function runs in one transaction and records an audit event naming the acting user."""

import csv
import datetime
import hashlib
import io
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from cohorts.models import Cohort, Programme
from leadership.models import User
from leadership.services import audit_record
from measures import services as measure_services
from measures.charting import parse_datapoints_csv
from measures.models import Measure

from .models import ApiToken, PointBatch

TOKEN_PREFIX = "lwt"


def hash_token(raw: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is as good as a slow hash here."""
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    programme: Programme,
    cohort: Cohort | None,
    name: str,
    scope: str,
    contact_details: bool,
    expires_on: datetime.date,
    acting_user: User,
) -> tuple[ApiToken, str]:
    """Create a token for ``programme`` (narrowed to ``cohort`` when given) and return it with
    the raw token, which is never stored: the caller shows it once. Audited (without the
    token). The token acts as ``acting_user``, who must administer the programme."""
    if cohort is not None and cohort.programme_id != programme.pk:
        raise ValidationError({"cohort": "Choose a cohort of this programme."})
    if expires_on <= timezone.localdate():
        raise ValidationError({"expires_on": "Choose a date after today."})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        name=name.strip(),
        programme=programme,
        cohort=cohort,
        scope=scope,
        contact_details=contact_details,
        prefix=prefix,
        key_hash=hash_token(raw),
        created_by=acting_user,
        expires_at=datetime.datetime.combine(expires_on, datetime.time.min, tzinfo=datetime.UTC),
    )
    token.full_clean()
    token.save()
    audit_record(
        actor=acting_user,
        action="api_token.create",
        target=token,
        cohort_id=cohort.pk if cohort else None,
        changes={
            "name": token.name,
            "programme": str(programme),
            "cohort": str(cohort) if cohort else "",
            "scope": scope,
            "contact_details": contact_details,
            "expires_on": expires_on.isoformat(),
        },
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    """Revoke a token: every later request with it is refused (401). Revoking twice changes
    nothing. Audited."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoked_by = acting_user
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(
        actor=acting_user,
        action="api_token.revoke",
        target=token,
        cohort_id=token.cohort_id,
        changes={"name": token.name},
    )
    return token


def api_token_use(*, token: ApiToken, method: str, path: str, per_minute: int) -> bool:
    """Count one request made with ``token`` against its limit of ``per_minute`` requests a
    minute (a fixed window on the token's row: one conditional UPDATE, so two processes
    counting at once cannot both slip under the limit) and, when it is within the limit,
    record the use: the time and an audit event in its creator's name (which token, which
    request). Returns False, recording nothing, when the token is over its limit."""
    now = timezone.now()
    window = int(now.timestamp()) // 60
    counted = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(Q(rate_window__lt=window) | Q(rate_count__lt=per_minute))
        .update(
            rate_count=Case(When(rate_window=window, then=F("rate_count") + 1), default=Value(1)),
            rate_window=window,
            last_used_at=now,
        )
    )
    if not counted:
        return False
    audit_record(
        actor=token.created_by,
        action="api_token.use",
        target=token,
        cohort_id=token.cohort_id,
        changes={"token": token.prefix, "method": method, "path": path[:300]},
    )
    return True


# --- batches of points ---------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    period: str
    value: str
    errors: list[str]


@dataclass
class BatchResult:
    """What happened to a batch: ``created`` and ``unchanged`` counts, or ``errors`` (file-wide)
    and ``row_errors`` (per row, numbered from 1) when nothing was saved."""

    created: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)
    key_reused: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors and not self.row_errors and not self.key_reused


def rows_from_json(rows: list[dict]) -> str:
    """JSON rows (``period``, ``value``, optional ``annotation``) as the CSV the measures' own
    import reads, so one parser checks every point however it arrives."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "value", "annotation"])
    for row in rows:
        writer.writerow(
            [str(row.get(name, "") if row.get(name) is not None else "") for name in
             ("period", "value", "annotation")]
        )  # fmt: skip
    return out.getvalue()


@transaction.atomic
def points_receive(
    *,
    measure: Measure,
    text: str,
    token: ApiToken,
    idempotency_key: str = "",
    response_for: Callable[[BatchResult], dict],
) -> tuple[BatchResult, dict | None, bool]:
    """Add a batch of points (CSV text with ``period`` and ``value`` columns) to ``measure``,
    all or none, through ``measures.services.datapoints_import`` (its checks, its audit event
    in the token creator's name, and whatever it does when a point is added), and record an
    audit event of the batch naming the token (what was created, what was unchanged).

    Idempotent: a row whose period is already recorded with the same value is left as it is
    (``unchanged``); with another value it is an error on that row. Returns the result, the
    response (``response_for(result)`` when the batch was accepted) and whether it is a replay:
    with ``idempotency_key``, a key this token already used returns the response stored then
    and changes nothing; a key reused with another body is ``key_reused``."""
    body_hash = hashlib.sha256(text.encode()).hexdigest()
    Measure.objects.select_for_update().filter(pk=measure.pk).first()
    if idempotency_key:
        earlier = PointBatch.objects.filter(token=token, key=idempotency_key).first()
        if earlier is not None:
            if earlier.body_hash != body_hash or earlier.measure_id != measure.pk:
                return BatchResult(key_reused=True), None, False
            return BatchResult(), earlier.response, True
    result = _receive(measure=measure, text=text, token=token)
    if not result.ok:
        return result, None, False
    owner = measure.team or measure.pairing
    assert owner is not None  # a team or a pairing (measure_belongs_to_a_team_or_a_pairing)
    audit_record(
        actor=token.created_by,
        action="api_points.receive",
        target=measure,
        cohort_id=owner.cohort_id,
        changes={
            "token": token.prefix,
            "created": result.created,
            "unchanged": result.unchanged,
            "idempotency_key": idempotency_key,
        },
    )
    response = response_for(result)
    if idempotency_key:
        PointBatch.objects.create(
            token=token,
            key=idempotency_key,
            body_hash=body_hash,
            measure=measure,
            response=response,
        )
    return result, response, False


def _receive(*, measure: Measure, text: str, token: ApiToken) -> BatchResult:
    recorded = dict(measure.datapoints.values_list("period", "value"))
    preview = parse_datapoints_csv(text)
    if preview.errors:
        return BatchResult(errors=preview.errors)
    row_errors, new_rows = [], []
    for number, row in enumerate(preview.rows, start=1):
        errors = list(row.errors)
        if not errors and row.period in recorded:
            if recorded[row.period] == row.value:
                continue
            errors.append(
                f"There is already a value for {row.period.isoformat()} "
                f"({recorded[row.period]:f}): correct it on the measure's page."
            )
        if errors:
            row_errors.append(RowError(number, row.period_text, row.value_text, errors))
        else:
            new_rows.append(row)
    if row_errors:
        return BatchResult(row_errors=row_errors)
    unchanged = len(preview.rows) - len(new_rows)
    if not new_rows:
        return BatchResult(unchanged=unchanged)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "value", "annotation"])
    for row in new_rows:
        writer.writerow([row.period.isoformat(), f"{row.value:f}", row.annotation])  # type: ignore[union-attr]
    imported = measure_services.datapoints_import(
        measure=measure, text=out.getvalue(), acting_user=token.created_by
    )
    assert imported.is_valid  # checked above, under the same lock
    return BatchResult(created=len(new_rows), unchanged=unchanged)
