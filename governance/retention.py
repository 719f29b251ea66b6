"""Retention: remove what is past the period configured for its kind (``RETENTION_DAYS``).

Kinds, oldest-first reasoning (the README's "Retention" table repeats the defaults):

* ``former_people`` — people with no current place (every enrolment withdrawn, or in a
  completed or cancelled cohort), who administer nothing, and whose last sign of life (last
  login, joining, last enrolment change) is older than the period: erased by anonymisation
  (``governance.privacy.person_erase``), so cohort figures stay right.
* ``notifications`` — e-mails sent, failed or cancelled longer ago than the period (the rows
  hold the message context: names, titles). Pending ones are never touched.
* ``report_files`` — built PDFs (cohort reports, certificates, transcripts) requested longer
  ago than the period: the file is deleted from storage and the row goes. They can be built
  again; the audit trail keeps who asked for and downloaded them.
* ``sessions`` — login sessions that expired longer ago than the period.
* ``audit_events`` — audit events older than the period (through the append-only guard's
  maintenance door, the only other path besides erasure).

A period of 0 keeps that kind for ever. Every step is a filter on age, so running the job
twice removes nothing the second time; ``dry_run`` counts without changing anything.
"""

import datetime
import logging
from collections.abc import Callable
from functools import partial
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from cohorts.models import Cohort, Enrolment, Programme
from leadership.audit import audit_maintenance
from leadership.models import AuditEvent, Notification, User
from leadership.privacy import ERASED_DOMAIN
from reports.models import ReportRequest

from .privacy import person_erase

logger = logging.getLogger(__name__)

KINDS = ("former_people", "notifications", "report_files", "sessions", "audit_events")
DEFAULT_RETENTION_DAYS = {
    "former_people": 7 * 365,
    "notifications": 365,
    "report_files": 2 * 365,
    "sessions": 30,
    "audit_events": 7 * 365,
}


def retention_days() -> dict[str, int]:
    return {**DEFAULT_RETENTION_DAYS, **getattr(settings, "RETENTION_DAYS", {})}


def _former_people(cutoff: datetime.datetime) -> QuerySet[User]:
    current = Enrolment.objects.filter(
        person=OuterRef("pk"),
        status=Enrolment.Status.ENROLLED,
        cohort__status__in=[Cohort.Status.PLANNED, Cohort.Status.RUNNING],
    )
    return (
        User.objects.filter(is_staff=False, is_superuser=False, enrolments__isnull=False)
        .exclude(email__endswith=f"@{ERASED_DOMAIN}")
        .exclude(Exists(current))
        .exclude(Exists(Programme.administrators.through.objects.filter(user_id=OuterRef("pk"))))
        .annotate(last_change=Max("enrolments__updated_at"))
        .filter(date_joined__lt=cutoff, last_change__lt=cutoff)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff))
    )


def _notifications(cutoff: datetime.datetime) -> QuerySet[Notification]:
    done = [Notification.Status.SENT, Notification.Status.FAILED, Notification.Status.CANCELLED]
    return Notification.objects.filter(status__in=done, created_at__lt=cutoff)


def _report_files(cutoff: datetime.datetime) -> QuerySet[ReportRequest]:
    return ReportRequest.objects.filter(requested_at__lt=cutoff).exclude(
        status__in=ReportRequest.IN_PROGRESS
    )


def _sessions(cutoff: datetime.datetime) -> QuerySet:
    """Expired rows of whichever database-backed session engine is configured."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store.get_model_class().objects.filter(expire_date__lt=cutoff)


def _audit_events(cutoff: datetime.datetime) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(created_at__lt=cutoff)


SELECTORS: dict[str, Callable[[datetime.datetime], QuerySet]] = {
    "former_people": _former_people,
    "notifications": _notifications,
    "report_files": _report_files,
    "sessions": _sessions,
    "audit_events": _audit_events,
}


def _remove(kind: str, rows: QuerySet) -> int:
    if kind == "former_people":
        for person in rows:
            person_erase(person=person, acting_user=None)
        return len(rows)
    if kind == "report_files":
        removed = 0
        for report in rows.iterator():
            with transaction.atomic():
                stored = report.file
                report.delete()
                if stored:
                    transaction.on_commit(partial(stored.delete, save=False))
            removed += 1
        return removed
    if kind == "audit_events":
        with transaction.atomic(), audit_maintenance():
            return rows.delete()[0]
    return rows.delete()[0]


def apply_retention(*, dry_run: bool = False, now: datetime.datetime | None = None) -> dict:
    """Remove (or, with ``dry_run``, count) everything past its retention period; returns
    ``{kind: count}``. Idempotent: what it removes is chosen by age alone."""
    now = now or timezone.now()
    days = retention_days()
    counts = {}
    for kind in KINDS:
        if days.get(kind, 0) <= 0:
            counts[kind] = 0
            continue
        rows = SELECTORS[kind](now - datetime.timedelta(days=days[kind]))
        counts[kind] = rows.count() if dry_run else _remove(kind, rows)
    logger.info("retention %s: %s", "dry run" if dry_run else "applied", counts)
    return counts
