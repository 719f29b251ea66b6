"""Certificates of completion: issued only to completing participants, one page each with a
verification code that a public page checks (valid / revoked) without revealing anything else."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from cohorts import services
from cohorts.models import Enrolment
from leadership.models import AuditEvent
from reports.certificates import certificates_issue
from reports.models import Certificate, ReportRequest
from reports.rendering import render_report
from tests.worlds import build_world, flat, pdf_text

pytestmark = pytest.mark.django_db


def _complete(cohort, people):
    for person in people:
        services.enrolment_set_status(
            enrolment=Enrolment.objects.get(cohort=cohort, person=person),
            status=Enrolment.Status.COMPLETED,
            acting_user=None,
        )


@pytest.fixture
def completing(cohort):
    world = build_world(cohort, participants=5, sessions=2, teams=1, assignments=1, measures=0)
    _complete(cohort, world["people"][:3])
    return world["people"][:3]


def test_all_completing_participants_get_a_certificate_page_each(
    client, cohort, administrator, completing, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report_generate", args=[cohort.pk]), {"kind": "certificates"})
    report = ReportRequest.objects.get()
    assert report.status == "ready", report.error
    reader = PdfReader(io.BytesIO(report.file.read()))
    assert len(reader.pages) == 3
    certificates = list(Certificate.objects.order_by("name_on_certificate"))
    assert [c.person for c in certificates] == completing
    assert len({c.code for c in certificates}) == 3
    for page, certificate in zip(reader.pages, certificates, strict=True):
        text = flat(page.extract_text())
        assert certificate.name_on_certificate in text
        assert certificate.code in text
        assert cohort.programme.name in text
    assert AuditEvent.objects.filter(action="certificate.issue").count() == 3


def test_building_again_keeps_the_codes(cohort, administrator, completing):
    first = certificates_issue(cohort=cohort, acting_user=administrator)
    again = certificates_issue(cohort=cohort, acting_user=administrator)
    assert [c.code for c in first] == [c.code for c in again]
    assert Certificate.objects.count() == 3


def test_one_person_who_has_not_completed_gets_no_certificate(client, cohort, administrator):
    world = build_world(cohort, participants=2, sessions=1, teams=0, assignments=0, measures=0)
    client.force_login(administrator)
    person = world["people"][0]
    response = client.post(
        reverse("reports:report_generate", args=[cohort.pk]),
        {"kind": "certificates", "person": person.pk},
    )
    assert response.url == reverse("reports:report_list", args=[cohort.pk])
    assert not ReportRequest.objects.exists()
    page = client.get(response.url).content.decode()
    assert "has not completed" in page


def test_a_completing_participant_builds_their_own_certificate(
    client, cohort, participant, django_capture_on_commit_callbacks
):
    _complete(cohort, [participant])
    client.force_login(participant)
    page = client.get(reverse("reports:report_list", args=[cohort.pk])).content.decode()
    assert "Build my certificate" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report_generate", args=[cohort.pk]), {"kind": "certificates"})
    report = ReportRequest.objects.get()
    assert (report.person, report.status) == (participant, "ready")
    certificate = Certificate.objects.get()
    assert certificate.code in pdf_text(report.file.read())


def test_the_public_page_says_valid_with_only_what_the_certificate_states(
    client, cohort, administrator, completing
):
    [certificate, *_] = certificates_issue(cohort=cohort, acting_user=administrator)
    person = certificate.person
    # typed lower-case and without dashes, as people do
    code = certificate.code.replace("-", " ").lower()
    response = client.get(reverse("reports:certificate_verify"), {"code": code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Valid." in page
    assert certificate.name_on_certificate in page
    assert cohort.programme.name in page
    assert person.email not in page
    assert cohort.name in page  # with its dates and hours: see test_cpd.py
    assert response["X-Robots-Tag"] == "noindex"


def test_a_revoked_certificate_is_reported_revoked(client, cohort, administrator, completing):
    [certificate, *_] = certificates_issue(cohort=cohort, acting_user=administrator)
    client.force_login(administrator)
    url = reverse("reports:certificate_revoke", args=[cohort.pk, certificate.pk])
    client.post(url, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.is_valid  # no reason, no revocation
    client.post(url, {"reason": "Attendance was recorded wrongly"})
    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert AuditEvent.objects.filter(action="certificate.revoke", actor=administrator).exists()
    client.logout()
    page = client.get(reverse("reports:certificate_verify"), {"code": certificate.code})
    assert "Revoked." in page.content.decode()
    assert "Attendance was recorded wrongly" not in page.content.decode()


def test_an_unknown_code_is_just_unknown(client):
    page = client.get(reverse("reports:certificate_verify"), {"code": "AAAA-BBBB-CCCC"})
    assert "No certificate has this code" in page.content.decode()


def test_a_clinical_leader_cannot_revoke(
    client, cohort, administrator, clinical_leader, completing
):
    [certificate, *_] = certificates_issue(cohort=cohort, acting_user=administrator)
    client.force_login(clinical_leader)
    response = client.post(
        reverse("reports:certificate_revoke", args=[cohort.pk, certificate.pk]), {"reason": "x"}
    )
    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.is_valid


def test_a_certificate_of_another_cohort_cannot_be_revoked_through_this_one(
    client, cohort, other_cohort, administrator, completing
):
    [certificate, *_] = certificates_issue(cohort=cohort, acting_user=administrator)
    client.force_login(administrator)
    response = client.post(
        reverse("reports:certificate_revoke", args=[other_cohort.pk, certificate.pk]),
        {"reason": "x"},
    )
    assert response.status_code == 404


def test_rendering_any_kind_of_report_writes_nothing(cohort, administrator, completing):
    certificates = certificates_issue(cohort=cohort, acting_user=administrator)
    requests = [
        ReportRequest(cohort=cohort, kind=kind, person=person, requested_by=administrator)
        for kind, person in (
            (ReportRequest.Kind.PROGRESS, None),
            (ReportRequest.Kind.TRANSCRIPT, completing[0]),
            (ReportRequest.Kind.CERTIFICATES, None),
        )
    ]
    with CaptureQueriesContext(connection) as queries:
        pdfs = [render_report(r, certificates=certificates) for r in requests]
    assert all(pdf.startswith(b"%PDF-") for pdf in pdfs)
    writes = [q["sql"] for q in queries if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", q["sql"])]
    assert writes == []


def test_rendering_certificates_issues_none_itself(cohort, administrator, completing):
    """Issuing is the build's step (``services.report_build``), never a side effect of
    rendering: without the issued certificates there is nothing to print."""
    report = ReportRequest(
        cohort=cohort, kind=ReportRequest.Kind.CERTIFICATES, requested_by=administrator
    )
    with pytest.raises(ValueError, match="certificates its build issued"):
        render_report(report)
    assert not Certificate.objects.exists()
