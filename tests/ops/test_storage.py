"""Private files in S3-compatible object storage (a real S3 API: moto's server on loopback):
uploads and built reports land in the bucket, not on this host's disk; downloads still go
through the checking views, with their headers, and outsiders get 404."""

import os

import pytest
from django.urls import reverse

from redesign_projects import services
from redesign_projects.models import SubmissionFile
from reports import services as report_services
from reports.models import ReportRequest
from tests.redesign_projects.helpers import PDF_BYTES, checked, make_assignment, make_team, pdf

from .conftest import keys_in

pytestmark = pytest.mark.django_db


def _nothing_on_local_disk(settings) -> bool:
    return not any(files for _dir, _dirs, files in os.walk(settings.PRIVATE_MEDIA_ROOT))


def test_an_upload_goes_to_the_bucket_and_only_permitted_people_download_it(
    client, settings, s3_endpoint, s3_storage, cohort, participant, other_participant
):
    make_team(cohort, lead=participant)
    assignment = make_assignment(cohort)
    client.force_login(participant)
    response = client.post(
        reverse("redesign_projects:submission_edit", args=[assignment.pk]),
        {"text": "Our plan", "files": pdf("aim.pdf"), "submit": "1"},
    )
    assert response.status_code == 302
    stored = SubmissionFile.objects.get()
    assert keys_in(s3_endpoint, s3_storage) == {stored.file.name}
    assert stored.file.name.startswith(f"submissions/{cohort.pk}/")
    assert _nothing_on_local_disk(settings)

    url = reverse("redesign_projects:file_download", args=[stored.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Disposition"] == 'attachment; filename="aim.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == str(len(PDF_BYTES))

    client.force_login(other_participant)
    response = client.get(url)
    assert response.status_code == 404
    assert PDF_BYTES not in response.content


def test_a_failed_save_removes_the_object_from_the_bucket(
    cohort, participant, s3_endpoint, s3_storage, monkeypatch
):
    team = make_team(cohort, lead=participant)
    assignment = make_assignment(cohort)

    def broken_audit(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        services.submission_save(
            assignment=assignment,
            team=team,
            text="x",
            uploads=[checked(pdf(), assignment)],
            acting_user=participant,
        )
    assert keys_in(s3_endpoint, s3_storage) == set()


def test_a_built_report_is_stored_in_the_bucket_and_served_to_its_sponsor_only(
    client, settings, s3_endpoint, s3_storage, cohort, clinical_leader, participant
):
    report, _created = report_services.report_request(
        cohort=cohort, kind=ReportRequest.Kind.PROGRESS, acting_user=clinical_leader
    )
    report_services.report_build(report.pk)
    report.refresh_from_db()
    assert report.status == ReportRequest.Status.READY
    assert keys_in(s3_endpoint, s3_storage) == {report.file.name}
    assert _nothing_on_local_disk(settings)

    url = reverse("reports:report_download", args=[cohort.pk, report.pk])
    client.force_login(clinical_leader)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment;")

    client.force_login(participant)
    assert client.get(url).status_code == 404
