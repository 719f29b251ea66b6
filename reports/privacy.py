"""The reports' part of subject access and erasure (``governance/privacy.py`` runs both): the
certificates issued to a person and the documents built about them (transcripts,
certificates), and every built report that prints their name."""

from django.db.models import Q
from django.db.models.fields.files import FieldFile

from leadership.models import User
from leadership.privacy import SubjectAccessData, in_scope, when

from .models import Certificate, ReportRequest


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
    """Replace the name on their certificates with ``placeholder``; empty every built PDF that
    prints their name (their own documents and every report of ``cohort_ids``, their cohorts),
    marking it failed so it can be built again. Returns those files, for the caller to delete
    once the erasure commits."""
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
