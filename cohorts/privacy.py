"""The cohorts' part of subject access and erasure (``governance/privacy.py`` runs both):
a person's enrolments, and the documents about them (certificates, transcripts)."""

from django.db.models import Q
from django.db.models.fields.files import FieldFile

from leadership.models import User
from leadership.privacy import ERASED_TEXT, SubjectAccessData, in_scope, when

from .models import Certificate, Enrolment, ReportRequest


def export_enrolments(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Their enrolments in ``cohort_ids`` (None: every cohort), with a withdrawal reason.
    Read-only, one query."""
    enrolments = in_scope(
        Enrolment.objects.filter(person=person).select_related("cohort__programme"),
        "cohort",
        cohort_ids,
    )
    rows = [
        {
            "programme": e.cohort.programme.name,
            "cohort": e.cohort.name,
            "role": e.get_role_display(),
            "status": e.get_status_display(),
            "enrolled_at": when(e.created_at),
            "withdrawn_on": when(e.withdrawn_on),
            "withdrawal_reason": e.withdrawal_reason,
        }
        for e in enrolments
    ]
    return SubjectAccessData(sections={"enrolments": rows})


def export_documents(person: User, cohort_ids: set[int] | None) -> SubjectAccessData:
    """Certificates issued to them and documents built about them (transcripts,
    certificates), the PDFs of the ready ones included. Read-only, two queries."""
    data = SubjectAccessData()
    certificates = in_scope(Certificate.objects.filter(person=person), "cohort", cohort_ids)
    data.sections["certificates"] = [
        {
            "programme": c.programme_name,
            "name_on_certificate": c.name_on_certificate,
            "code": c.code,
            "issued_at": when(c.issued_at),
            "revoked_at": when(c.revoked_at),
            "revocation_reason": c.revocation_reason,
        }
        for c in certificates
    ]
    reports = in_scope(
        ReportRequest.objects.filter(person=person).select_related("cohort"), "cohort", cohort_ids
    )
    data.sections["documents_about_you"] = []
    for report in reports:
        path = ""
        if report.status == ReportRequest.Status.READY and report.file:
            path = f"files/documents/{report.pk}-{report.kind}.pdf"
            data.files[path] = report.file
        data.sections["documents_about_you"].append(
            {
                "kind": report.get_kind_display(),
                "cohort": report.cohort.name,
                "status": report.get_status_display(),
                "requested_at": when(report.requested_at),
                "file_in_this_zip": path,
            }
        )
    return data


def erase_person(*, person: User, cohort_ids: set[int], placeholder: str) -> list[FieldFile]:
    """Replace their withdrawal reasons with ``ERASED_TEXT`` and the name on their
    certificates with ``placeholder``; empty every built PDF that prints their name (their own
    documents and every report of ``cohort_ids``, their cohorts), marking it failed so it can
    be built again. Returns those files, for the caller to delete once the erasure commits."""
    Enrolment.objects.filter(person=person).exclude(withdrawal_reason="").update(
        withdrawal_reason=ERASED_TEXT
    )
    Certificate.objects.filter(person=person).update(name_on_certificate=placeholder)
    # Built PDFs that print the person's name: their own documents and every report of
    # their cohorts. They can be built again, and will then show the anonymous name.
    reports = ReportRequest.objects.filter(Q(person=person) | Q(cohort_id__in=cohort_ids))
    doomed = [report.file for report in reports.exclude(file="")]
    reports.exclude(file="").update(
        file="",
        size=None,
        status=ReportRequest.Status.FAILED,
        error="Removed when a person in it was erased: build it again.",
    )
    return doomed
