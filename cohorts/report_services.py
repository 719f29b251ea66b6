"""Report requests, their builds, and certificates of completion.

A report is asked for (``report_request``), built by the Celery task ``cohorts.build_report``
(``report_build``) and downloaded through a view that checks access. Asking again while an
identical request is pending or running returns that request. The build claims its row with a
conditional UPDATE, so a second delivery of the same task never builds twice.
"""

import datetime
import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from weasyprint.urls import URLFetcherResponse

from leadership.models import User
from leadership.pdf import BASE_URL, PdfBytes, StaticFilesOnlyFetcher, render_pdf
from leadership.services import audit_record
from redesign_projects.charts import render_legend_svg

from . import reports, selectors
from .models import Certificate, Cohort, Enrolment, ReportRequest

logger = logging.getLogger(__name__)

AUTHOR = "Clinical leadership programmes"
# A build still "running" after the hard time limit died with its worker: it may be claimed
# again, and retried from the page.
TIME_LIMIT = 300
SOFT_TIME_LIMIT = 240
# Who may ask for which reports. Participants only for themselves (checked below).
REPORT_ROLES = frozenset(
    {selectors.ADMINISTRATOR, Enrolment.Role.CLINICAL_LEADER, Enrolment.Role.PARTICIPANT}
)
SPONSOR_ROLES = frozenset({selectors.ADMINISTRATOR, Enrolment.Role.CLINICAL_LEADER})


# --- access -----------------------------------------------------------------------------------


def is_sponsor(cohort: Cohort) -> bool:
    """Administrators and clinical leaders see every report of the cohort (``cohort`` from
    ``get_cohort_for_user``)."""
    return bool(cohort.user_roles & SPONSOR_ROLES)


def reports_for(cohort: Cohort, user: User) -> list[ReportRequest]:
    """The report history the user may see: all of the cohort's for sponsors, a participant's
    own transcripts and certificates otherwise. One query."""
    rows = ReportRequest.objects.filter(cohort=cohort).select_related("requested_by", "person")
    if not is_sponsor(cohort):
        rows = rows.filter(person=user)
    return list(rows)


def get_report_for_user(user: User, cohort_id, report_id) -> tuple[Cohort, ReportRequest]:
    """The cohort and one of its reports, if ``user`` may see it: 404 for outsiders and for
    reports about someone else, ``PermissionDenied`` for members in other roles. Two queries."""
    cohort = selectors.get_cohort_for_user(user, cohort_id, roles=REPORT_ROLES)
    try:
        report = ReportRequest.objects.select_related("person", "requested_by").get(
            pk=int(report_id), cohort=cohort
        )
    except (ReportRequest.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such report.") from exc
    if not is_sponsor(cohort) and report.person_id != user.pk:
        raise Http404("No such report.")
    return cohort, report


def check_may_request(cohort: Cohort, user: User, kind: str, person: User | None) -> None:
    """Sponsors may ask for anything about the cohort; a participant only for their own
    transcript or certificate. Raises ``PermissionDenied`` otherwise."""
    if is_sponsor(cohort):
        return
    if kind == ReportRequest.Kind.PROGRESS or person is None or person.pk != user.pk:
        raise PermissionDenied("You may ask only for your own transcript and certificate.")


# --- requests ---------------------------------------------------------------------------------


def _queue_build(report_id: int) -> None:
    """Ask a worker to build one report. If the broker is down the row stays pending and
    ``queue_pending_builds`` (beat, every minute) queues it later: logged, not raised, so
    the person's request still succeeds."""
    from .tasks import build_report

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


def _participant_enrolment(cohort: Cohort, person: User) -> Enrolment | None:
    return Enrolment.objects.filter(
        cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT
    ).first()


def _check_subject(cohort: Cohort, kind: str, person: User | None) -> None:
    if kind == ReportRequest.Kind.PROGRESS:
        if person is not None:
            raise ValidationError({"person": "The progress report is about the whole cohort."})
        return
    if kind == ReportRequest.Kind.TRANSCRIPT and person is None:
        raise ValidationError({"person": "Choose whose transcript to build."})
    if kind == ReportRequest.Kind.CERTIFICATES and person is None:
        if not completing_participants(cohort):
            raise ValidationError(
                {"kind": "No participant has completed yet: mark completions first."}
            )
        return
    enrolment = _participant_enrolment(cohort, person)
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
    try:
        pdf = render_report(report, now=cutoff)
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
        finished_at=timezone.now(),
    )
    report.refresh_from_db()
    return report


def _fail(report: ReportRequest, reason: str) -> ReportRequest:
    ReportRequest.objects.filter(pk=report.pk).update(
        status=ReportRequest.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )
    report.refresh_from_db()
    return report


def render_report(report: ReportRequest, *, now: datetime.datetime | None = None) -> PdfBytes:
    """The PDF bytes for a request, with the data as of ``now``."""
    cohort = report.cohort
    if report.kind == ReportRequest.Kind.PROGRESS:
        return progress_report_pdf(cohort, now=now)
    if report.kind == ReportRequest.Kind.TRANSCRIPT:
        return transcript_pdf(cohort, report.person)
    people = [report.person] if report.person_id else None
    certificates = certificates_issue(cohort=cohort, people=people, acting_user=report.requested_by)
    return certificates_pdf(cohort, certificates)


class ReportFetcher(StaticFilesOnlyFetcher):
    """The locked-down fetcher, plus the charts drawn for this one report, held in memory.

    Charts go in as SVG images (``<img src="charts/N.svg">``) rather than inline ``<svg>``:
    WeasyPrint then reads each with its SVG parser instead of running thirty charts' worth
    of elements through the HTML parser and the CSS cascade, which made up half of the
    render time. They are still vector drawings from our own chart code; nothing but the
    registered charts and our static files can be fetched."""

    def __init__(self):
        super().__init__()
        self.charts: dict[str, bytes] = {}

    def add_chart(self, svg: str) -> str:
        """Register a chart's SVG; returns the relative URL to put in the template."""
        name = f"charts/{len(self.charts) + 1}.svg"
        self.charts[BASE_URL + name] = svg.encode()
        return name

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        body = self.charts.get(url)
        if body is None:
            return super().fetch(url, headers)
        return URLFetcherResponse(url, body=body, headers={"Content-Type": "image/svg+xml"})


def progress_report_context(
    cohort: Cohort, *, fetcher: ReportFetcher, now: datetime.datetime | None = None
) -> dict:
    """The report's template context; its charts are registered with ``fetcher``."""
    data = reports.progress_report_data(cohort, now=now)
    for section in data.teams:
        for view in section.charts:
            if view.chart.svg:
                view.src = fetcher.add_chart(view.chart.svg)
    return {
        "report": data,
        "chart_legend_src": fetcher.add_chart(render_legend_svg()) if data.chart_count else "",
        "cohort": cohort,
        "title": f"{cohort.programme.name} — {cohort.name}: progress report",
        "author": AUTHOR,
    }


def progress_report_pdf(
    cohort: Cohort,
    *,
    now: datetime.datetime | None = None,
    fetcher: ReportFetcher | None = None,
) -> PdfBytes:
    """The cohort progress report as PDF bytes (see ``reports.progress_report_data``)."""
    fetcher = fetcher or ReportFetcher()
    context = progress_report_context(cohort, fetcher=fetcher, now=now)
    return render_pdf("reports/progress.html", context, fetcher=fetcher)


def transcript_pdf(cohort: Cohort, person: User) -> PdfBytes:
    data = reports.transcript_data(cohort, person)
    return render_pdf(
        "reports/transcript.html",
        {
            "cohort": cohort,  # its language (<html lang>)
            "transcript": data,
            "title": f"Transcript — {person.get_full_name() or person.email} — {cohort.name}",
            "author": AUTHOR,
        },
    )


def certificates_pdf(cohort: Cohort, certificates: list[Certificate]) -> PdfBytes:
    return render_pdf(
        "reports/certificates.html",
        {
            "cohort": cohort,
            "certificates": certificates,
            "title": f"Certificates of completion — {cohort.programme.name} — {cohort.name}",
            "author": AUTHOR,
            "verify_url": settings.SITE_URL.rstrip("/") + reverse("cohorts:certificate_verify"),
        },
    )


# --- certificates -------------------------------------------------------------------------------


def completing_participants(cohort: Cohort) -> list[User]:
    """Participants whose enrolment is marked completed, by name. One query."""
    return [
        e.person
        for e in Enrolment.objects.filter(
            cohort=cohort, role=Enrolment.Role.PARTICIPANT, status=Enrolment.Status.COMPLETED
        )
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "person__pk")
    ]


def certificates_issue(
    *, cohort: Cohort, acting_user: User, people: list[User] | None = None
) -> list[Certificate]:
    """The certificates of ``people`` (every completing participant when None), issuing the
    missing ones with a fresh verification code; existing ones keep their code. Only
    participants marked completed get one. Each newly issued certificate is audited as
    ``certificate.issue``. Returns them by name."""
    completing = completing_participants(cohort)
    if people is not None:
        wanted = {p.pk for p in people}
        completing = [p for p in completing if p.pk in wanted]
    if not completing:
        raise ValidationError("Nobody in this request has completed the programme.")
    with transaction.atomic():
        existing = {
            c.person_id: c
            for c in Certificate.objects.select_for_update().filter(
                cohort=cohort, person__in=completing
            )
        }
        result = []
        for person in completing:
            certificate = existing.get(person.pk)
            if certificate is None:
                certificate = Certificate(
                    cohort=cohort,
                    person=person,
                    name_on_certificate=person.get_full_name() or person.email,
                    programme_name=cohort.programme.name,
                    issued_by=acting_user,
                )
                certificate.full_clean()
                certificate.save()
                audit_record(
                    actor=acting_user,
                    action="certificate.issue",
                    target=certificate,
                    changes={"code": certificate.code},
                    cohort_id=cohort.pk,
                    person_id=person.pk,
                )
            result.append(certificate)
    return result


def certificate_revoke(*, certificate: Certificate, reason: str, acting_user: User) -> Certificate:
    """Revoke a certificate: the verification page says "revoked" from now on. The row stays.
    Audited as ``certificate.revoke`` with the reason."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the certificate is revoked."})
    if not certificate.is_valid:
        raise ValidationError("This certificate is already revoked.")
    with transaction.atomic():
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = acting_user
        certificate.revocation_reason = reason
        certificate.full_clean()
        certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit_record(
            actor=acting_user,
            action="certificate.revoke",
            target=certificate,
            changes={"reason": reason},
            cohort_id=certificate.cohort_id,
            person_id=certificate.person_id,
        )
    return certificate


def certificate_for_code(code: str) -> Certificate | None:
    """The certificate with this verification code (case and spaces forgiven), or None."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(normalised) != 12:
        return None
    formatted = f"{normalised[:4]}-{normalised[4:8]}-{normalised[8:]}"
    return Certificate.objects.filter(code=formatted).first()


# --- pages --------------------------------------------------------------------------------------


def report_subjects(cohort: Cohort):
    """The participants a transcript or certificate can be about (withdrawn ones too: they
    may need a transcript), by name."""
    return (
        User.objects.filter(enrolments__cohort=cohort, enrolments__role=Enrolment.Role.PARTICIPANT)
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )


@dataclass
class ReportPage:
    reports: list[ReportRequest]
    participants: list[User]
    certificates: list[Certificate]
    completing: int
    own_enrolment: Enrolment | None
    own_certificate: Certificate | None


def report_page(cohort: Cohort, user: User) -> ReportPage:
    """What the cohort's report page shows ``user``. Sponsors: the history, the participants
    to choose from, the certificates and how many have completed (four queries). Participants:
    their own documents, enrolment and certificate (three queries)."""
    history = reports_for(cohort, user)
    if is_sponsor(cohort):
        certificates = list(
            Certificate.objects.filter(cohort=cohort).order_by("name_on_certificate", "pk")
        )
        return ReportPage(
            reports=history,
            participants=list(report_subjects(cohort)),
            certificates=certificates,
            completing=Enrolment.objects.filter(
                cohort=cohort,
                role=Enrolment.Role.PARTICIPANT,
                status=Enrolment.Status.COMPLETED,
            ).count(),
            own_enrolment=None,
            own_certificate=None,
        )
    return ReportPage(
        reports=history,
        participants=[],
        certificates=[],
        completing=0,
        own_enrolment=_participant_enrolment(cohort, user),
        own_certificate=Certificate.objects.filter(cohort=cohort, person=user).first(),
    )


def download_name(report: ReportRequest) -> str:
    """A file name for the download: cohort slug, kind, whose, date — never user free text
    beyond the slug."""
    whose = f"-{report.person_id}" if report.person_id else ""
    stamp = timezone.localtime(report.finished_at or report.requested_at).date().isoformat()
    return f"{report.cohort.slug}-{report.kind}{whose}-{stamp}.pdf"


def get_certificate_for_administrator(cohort: Cohort, certificate_id) -> Certificate:
    """A certificate of ``cohort`` (whose access the caller checked); 404 otherwise."""
    try:
        return Certificate.objects.get(pk=int(certificate_id), cohort=cohort)
    except (Certificate.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such certificate.") from exc
