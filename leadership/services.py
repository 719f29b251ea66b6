"""Writes that every app shares: recording audit events."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .audit import programme_of
from .models import AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    changes: dict | None = None,
    cohort_id: int | None = None,
    person_id: int | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the change it describes, so
    the change and its record commit (or roll back) together. The event's programme is
    recorded with it (``leadership.audit.programme_of``) in the same INSERT: no extra query."""
    event = AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
        target_repr=str(target)[:300],
        cohort_id=cohort_id,
        programme_id=programme_of(target, cohort_id),
        person_id=person_id,
        changes=changes or {},
    )
    if hasattr(event.programme_id, "resolve_expression"):
        # The INSERT evaluated it; reading the attribute now loads the value (deferred field).
        del event.programme_id
    return event
