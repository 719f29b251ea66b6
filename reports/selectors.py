"""Reads for the report pages: who may see and ask for which reports, the report page's
contents, certificates by code. No writes."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from cohorts import selectors as cohort_selectors
from cohorts.models import Cohort, Enrolment
from cohorts.selectors import CohortAccess
from leadership.downloads import download_filename
from leadership.models import User

from .models import Certificate, ReportRequest

# Who may ask for which reports. Participants only for themselves (checked below).
REPORT_ROLES = frozenset(
    {cohort_selectors.ADMINISTRATOR, Enrolment.Role.CLINICAL_LEADER, Enrolment.Role.PARTICIPANT}
)
SPONSOR_ROLES = frozenset({cohort_selectors.ADMINISTRATOR, Enrolment.Role.CLINICAL_LEADER})


def is_sponsor(access: CohortAccess) -> bool:
    """Administrators and clinical leaders see every report of the cohort."""
    return access.holds_any(SPONSOR_ROLES)


def reports_for(cohort: Cohort, user: User, access: CohortAccess) -> list[ReportRequest]:
    """The report history the user may see: all of the cohort's for sponsors, a participant's
    own transcripts and certificates otherwise. One query."""
    rows = ReportRequest.objects.filter(cohort=cohort).select_related("requested_by", "person")
    if not is_sponsor(access):
        rows = rows.filter(person=user)
    return list(rows)


def get_report_for_user(user: User, cohort_id, report_id) -> tuple[ReportRequest, CohortAccess]:
    """One of the cohort's reports (with ``report.cohort``), if ``user`` may see it: 404 for
    outsiders and for reports about someone else, ``PermissionDenied`` for members in other
    roles. Two queries."""
    cohort, access = cohort_selectors.get_cohort_for_user(user, cohort_id, roles=REPORT_ROLES)
    try:
        report = ReportRequest.objects.select_related("person", "requested_by").get(
            pk=int(report_id), cohort=cohort
        )
    except (ReportRequest.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such report.") from exc
    if not is_sponsor(access) and report.person_id != user.pk:
        raise Http404("No such report.")
    report.cohort = cohort
    return report, access


def check_may_request(access: CohortAccess, user: User, kind: str, person: User | None) -> None:
    """Sponsors may ask for anything about the cohort; a participant only for their own
    transcript or certificate. Raises ``PermissionDenied`` otherwise."""
    if is_sponsor(access):
        return
    if kind == ReportRequest.Kind.PROGRESS or person is None or person.pk != user.pk:
        raise PermissionDenied("You may ask only for your own transcript and certificate.")


def participant_enrolment(cohort: Cohort, person: User) -> Enrolment | None:
    """``person``'s participant enrolment in ``cohort`` (any status), or None. One query."""
    return Enrolment.objects.filter(
        cohort=cohort, person=person, role=Enrolment.Role.PARTICIPANT
    ).first()


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


def certificate_for_code(code: str) -> Certificate | None:
    """The certificate with this verification code (case and spaces forgiven), or None."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(normalised) != 12:
        return None
    formatted = f"{normalised[:4]}-{normalised[4:8]}-{normalised[8:]}"
    return Certificate.objects.filter(code=formatted).first()


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


def report_page(cohort: Cohort, user: User, access: CohortAccess) -> ReportPage:
    """What the cohort's report page shows ``user``. Sponsors: the history, the participants
    to choose from, the certificates and how many have completed (four queries). Participants:
    their own documents, enrolment and certificate (three queries)."""
    history = reports_for(cohort, user, access)
    if is_sponsor(access):
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
        own_enrolment=participant_enrolment(cohort, user),
        own_certificate=Certificate.objects.filter(cohort=cohort, person=user).first(),
    )


def download_name(report: ReportRequest) -> str:
    """A file name for the download from the current names (``leadership.downloads``): the
    programme and cohort as they are called now, kind, whose (their name now), date. Reads
    ``report.cohort.programme`` and ``report.person``."""
    whose = report.person.get_full_name() or report.person_id if report.person else ""
    stamp = timezone.localtime(report.finished_at or report.requested_at).date().isoformat()
    return download_filename(report.cohort.download_stem, report.kind, whose, stamp, ext="pdf")


def get_certificate_for_administrator(cohort: Cohort, certificate_id) -> Certificate:
    """A certificate of ``cohort`` (whose access the caller checked); 404 otherwise."""
    try:
        return Certificate.objects.get(pk=int(certificate_id), cohort=cohort)
    except (Certificate.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404("No such certificate.") from exc
