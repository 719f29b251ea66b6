"""Report requests and their builds.

A report is asked for (``report_request``), built by the Celery task ``cohorts.build_report``
(``report_build``) and downloaded through a view that checks access. Asking again while an
identical request is pending or running returns that request. The build claims its row with a
conditional UPDATE, so a second delivery of the same task never builds twice. A certificates
build issues the certificates it prints first (``certificates.certificates_issue``), then
renders (``rendering``, which only reads).
"""

import datetime
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cohorts.models import Cohort, Enrolment
from leadership.models import User
from leadership.services import audit_record

from . import selectors
from .certificates import certificates_issue
from .models import Certificate, ReportRequest

logger = logging.getLogger(__name__)

# A build still "running" after the hard time limit died with its worker: it may be claimed
# again, and retried from the page.
TIME_LIMIT = 300
SOFT_TIME_LIMIT = 240


# --- requests ---------------------------------------------------------------------------------


def _queue_build(report_id: int) -> None:
    """Ask a worker to build one report. If the broker is down the row stays pending and
    ``queue_pending_builds`` (beat, every minute) queues it later: logged, not raised, so
    the person's request still succeeds."""
    from .tasks import build_report  # here, not at the top: tasks imports this module

    try:
        build_report.delay(report_id)
    except Exception:  # noqa: BLE001 — any broker error: the sweep will catch up
        logger.warning("Could not queue report %s; the sweep will queue it later.", report_id)


def _queue(report: ReportRequest) -> None:
    transaction.on_commit(lambda: _queue_build(report.pk))


def queue_pending_builds(*, older_than_seconds: int | None = None) -> int:
    """Queue a build for each report still pending a while after it was asked for — its task
    was lost (the broker was down, or restarted empty). Safe to overlap with the original
    task: a build claims its row first. Returns how many were queued."""
    if older_than_seconds is None:
        older_than_seconds = getattr(settings, "REPORT_REQUEUE_AFTER_SECONDS", 60)
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    ids = list(
        ReportRequest.objects.filter(status=ReportRequest.Status.PENDING, requested_at__lte=cutoff)
        .order_by("requested_at")
        .values_list("pk", flat=True)[:100]
    )
    for report_id in ids:
        _queue_build(report_id)
    return len(ids)


def _check_subject(cohort: Cohort, kind: str, person: User | None) -> None:
    if kind == ReportRequest.Kind.PROGRESS:
        if person is not None:
            raise ValidationError({"person": "The progress report is about the whole cohort."})
        return
    if kind == ReportRequest.Kind.TRANSCRIPT and person is None:
        raise ValidationError({"person": "Choose whose transcript to build."})
    if kind == ReportRequest.Kind.CERTIFICATES and person is None:
        if not selectors.completing_participants(cohort):
            raise ValidationError(
                {"kind": "No participant has completed yet: mark completions first."}
            )
        return
    assert person is not None  # a transcript, or one person's certificate
    enrolment = selectors.participant_enrolment(cohort, person)
    if enrolment is None:
        raise ValidationError({"person": f"{person} is not a participant of {cohort.name}."})
    if kind == ReportRequest.Kind.CERTIFICATES and enrolment.status != Enrolment.Status.COMPLETED:
        raise ValidationError(
            {"kind": f"{person} has not completed {cohort.name}, so has no certificate yet."}
        )


def report_request(
    *, cohort: Cohort, kind: str, acting_user: User, person: User | None = None
) -> tuple[ReportRequest, bool]:
    """Ask for a report and queue its build after commit; returns (request, created). An
    identical request (cohort, kind, person) still pending or running is returned instead of
    a new one — the database's partial unique constraint settles two clicks at once.
    Raises ``ValidationError`` for a subject the kind does not fit (e.g. certificates when
    nobody has completed). Audited as ``report.request``."""
    if kind not in ReportRequest.Kind.values:
        raise ValidationError({"kind": "Choose a kind of report."})
    _check_subject(cohort, kind, person)
    identical = ReportRequest.objects.filter(
        cohort=cohort, kind=kind, person=person, status__in=ReportRequest.IN_PROGRESS
    )
    existing = identical.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = ReportRequest(
                cohort=cohort, kind=kind, person=person, requested_by=acting_user
            )
            report.full_clean(validate_constraints=False)
            report.save()
            audit_record(
                actor=acting_user,
                action="report.request",
                target=report,
                changes={"kind": kind},
                cohort_id=cohort.pk,
                person_id=person.pk if person else None,
            )
            _queue(report)
    except IntegrityError:
        existing = identical.first()
        if existing is None:
            raise
        return existing, False
    return report, True


def _stale_before() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=TIME_LIMIT)


def can_retry(report: ReportRequest) -> bool:
    """Failed builds, and builds left "running" by a worker that died, may be retried."""
    if report.status == ReportRequest.Status.FAILED:
        return True
    return (
        report.status == ReportRequest.Status.RUNNING
        and report.started_at is not None
        and report.started_at < _stale_before()
    )


def report_retry(*, report: ReportRequest, acting_user: User) -> ReportRequest:
    """Put a failed (or abandoned) build back in the queue. When an identical request is
    already in progress, that one is returned and this one stays as it was. Audited."""
    if not can_retry(report):
        raise ValidationError("Only a failed report can be built again.")
    try:
        with transaction.atomic():
            updated = ReportRequest.objects.filter(
                Q(status=ReportRequest.Status.FAILED)
                | Q(status=ReportRequest.Status.RUNNING, started_at__lt=_stale_before()),
                pk=report.pk,
            ).update(
                status=ReportRequest.Status.PENDING, error="", started_at=None, finished_at=None
            )
            if updated:
                audit_record(
                    actor=acting_user,
                    action="report.retry",
                    target=report,
                    cohort_id=report.cohort_id,
                    person_id=report.person_id,
                )
                _queue(report)
    except IntegrityError:
        return ReportRequest.objects.get(
            cohort_id=report.cohort_id,
            kind=report.kind,
            person_id=report.person_id,
            status__in=ReportRequest.IN_PROGRESS,
        )
    report.refresh_from_db()
    return report


# --- builds -----------------------------------------------------------------------------------


def _claim(report_id: int) -> bool:
    """Move the row to running if it is pending (or abandoned): exactly one caller wins."""
    now = timezone.now()
    return bool(
        ReportRequest.objects.filter(
            Q(status=ReportRequest.Status.PENDING)
            | Q(status=ReportRequest.Status.RUNNING, started_at__lt=_stale_before()),
            pk=report_id,
        ).update(
            status=ReportRequest.Status.RUNNING,
            started_at=now,
            finished_at=None,
            error="",
            attempts=F("attempts") + 1,
        )
    )


def report_build(report_id: int) -> ReportRequest | None:
    """Build the PDF of a pending request and store it privately. Returns None when another
    worker has it (or it is done). A failure is recorded on the row with its reason, so the
    page can show it and offer a retry; the error is logged too."""
    if not _claim(report_id):
        return None
    report = ReportRequest.objects.select_related("cohort__programme", "person").get(pk=report_id)
    cutoff = timezone.now()
    # WeasyPrint (with Pillow, fontTools and its CSS engine) takes longer to import than
    # Django's own start; only a build needs it, so the web workers that import this module for
    # the report pages never load it, and a Celery worker loads it on its first build.
    from . import rendering

    try:
        certificates = _issue_certificates(report)
        pdf = rendering.render_report(report, now=cutoff, certificates=certificates)
    except SoftTimeLimitExceeded:
        return _fail(report, f"The build took longer than {SOFT_TIME_LIMIT} seconds and stopped.")
    except ValidationError as error:
        return _fail(report, " ".join(error.messages))
    except Exception as error:
        logger.exception("Report %s failed", report_id)
        return _fail(report, f"The PDF could not be built ({type(error).__name__}: {error}).")
    report.file.save(f"{report.pk}.pdf", ContentFile(pdf), save=False)
    ReportRequest.objects.filter(pk=report.pk, status=ReportRequest.Status.RUNNING).update(
        status=ReportRequest.Status.READY,
        file=report.file.name,
        size=len(pdf),
        pages=pdf.pages,
        data_cutoff=cutoff,
        summary=pdf.summary or {},
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


def _issue_certificates(report: ReportRequest) -> list[Certificate]:
    """The certificates a certificates request prints, the missing ones issued now (audited);
    none for the other kinds."""
    if report.kind != ReportRequest.Kind.CERTIFICATES:
        return []
    return certificates_issue(
        cohort=report.cohort,
        acting_user=report.requested_by,
        people=[report.person] if report.person is not None else None,
    )


def _fail(report: ReportRequest, reason: str) -> ReportRequest:
    ReportRequest.objects.filter(pk=report.pk).update(
        status=ReportRequest.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report
