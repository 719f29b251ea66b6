"""Asking for reports: the request row, the build through Celery (claimed once), failures and
retries, the htmx status, downloads through the checking view, exports and the leader's page."""

import csv
import io
import time

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cohorts.models import Cohort, Enrolment
from leadership.models import AuditEvent
from leadership.pdf import PdfBytes
from reports import data as report_data
from reports import rendering
from reports import services as report_services
from reports.models import ReportRequest
from reports.tasks import build_report
from tests.factories import CohortFactory, EnrolmentFactory
from tests.worlds import build_world, flat, pdf_text

pytestmark = pytest.mark.django_db


def _generate(client, cohort, **data):
    return client.post(reverse("reports:report_generate", args=[cohort.pk]), data)


def test_generate_creates_a_request_and_builds_it_after_commit(
    client, cohort, clinical_leader, django_capture_on_commit_callbacks
):
    build_world(cohort, participants=4, sessions=2, teams=1, assignments=1)
    client.force_login(clinical_leader)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _generate(client, cohort, kind="progress")
    report = ReportRequest.objects.get()
    assert response.url == reverse("reports:report_detail", args=[cohort.pk, report.pk])
    assert (report.status, report.requested_by, report.kind) == (
        "pending",
        clinical_leader,
        "progress",
    )
    assert len(callbacks) == 1  # queued only once the request is committed
    assert AuditEvent.objects.filter(action="report.request", actor=clinical_leader).exists()

    callbacks[0]()  # the eager task runs the build
    report.refresh_from_db()
    assert report.status == "ready"
    assert report.started_at <= report.finished_at
    assert report.data_cutoff is not None
    assert report.attempts == 1
    pdf = report.file.read()
    assert pdf.startswith(b"%PDF-")
    assert cohort.name in pdf_text(pdf)


def test_asking_again_while_it_is_built_reuses_the_request(client, cohort, clinical_leader):
    client.force_login(clinical_leader)
    _generate(client, cohort, kind="progress")
    response = _generate(client, cohort, kind="progress")
    report = ReportRequest.objects.get()
    assert response.url == reverse("reports:report_detail", args=[cohort.pk, report.pk])
    ReportRequest.objects.update(status="running")
    _generate(client, cohort, kind="progress")
    assert ReportRequest.objects.count() == 1
    ReportRequest.objects.update(status="ready", file="reports/x.pdf")
    _generate(client, cohort, kind="progress")
    assert ReportRequest.objects.count() == 2  # a finished one is history: a new one is built


def test_the_database_allows_only_one_identical_request_in_progress(cohort, clinical_leader):
    ReportRequest.objects.create(cohort=cohort, kind="progress", requested_by=clinical_leader)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRequest.objects.create(cohort=cohort, kind="progress", requested_by=clinical_leader)


def test_a_second_delivery_of_the_task_does_not_build_again(cohort, clinical_leader, monkeypatch):
    report = ReportRequest.objects.create(
        cohort=cohort, kind="progress", requested_by=clinical_leader
    )
    builds = []

    def render(report, **kwargs):
        builds.append(report.pk)
        return PdfBytes(b"%PDF-1.7")

    monkeypatch.setattr(rendering, "render_report", render)
    assert report_services.report_build(report.pk).status == "ready"
    assert report_services.report_build(report.pk) is None
    ReportRequest.objects.filter(pk=report.pk).update(status="running")
    assert report_services.report_build(report.pk) is None  # someone else is building it
    assert builds == [report.pk]


def test_a_failed_build_says_why_and_can_be_retried(
    client, cohort, clinical_leader, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(report, **kwargs):
        raise RuntimeError("the font cache is unwritable")

    monkeypatch.setattr(rendering, "render_report", broken)
    client.force_login(clinical_leader)
    with django_capture_on_commit_callbacks(execute=True):
        _generate(client, cohort, kind="progress")
    report = ReportRequest.objects.get()
    assert report.status == "failed"
    assert "the font cache is unwritable" in report.error
    page = client.get(reverse("reports:report_detail", args=[cohort.pk, report.pk]))
    assert "The build failed." in page.content.decode()
    assert "the font cache is unwritable" in page.content.decode()
    assert "Try again" in page.content.decode()

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report_retry", args=[cohort.pk, report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.error, report.attempts) == ("ready", "", 2)


def test_a_ready_report_cannot_be_retried(client, cohort, clinical_leader):
    report = ReportRequest.objects.create(
        cohort=cohort, kind="progress", requested_by=clinical_leader, status="ready", file="x.pdf"
    )
    client.force_login(clinical_leader)
    client.post(reverse("reports:report_retry", args=[cohort.pk, report.pk]))
    report.refresh_from_db()
    assert report.status == "ready"


def test_the_status_partial_polls_until_the_report_is_ready(client, cohort, clinical_leader):
    report = ReportRequest.objects.create(
        cohort=cohort, kind="progress", requested_by=clinical_leader
    )
    client.force_login(clinical_leader)
    url = reverse("reports:report_detail", args=[cohort.pk, report.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'hx-trigger="every 2s"' in partial
    assert "Waiting for a worker" in partial
    ReportRequest.objects.filter(pk=report.pk).update(
        status="ready", file="reports/x.pdf", size=1234
    )
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial
    assert reverse("reports:report_download", args=[cohort.pk, report.pk]) in partial


def test_the_download_is_a_private_attachment(client, cohort, clinical_leader, administrator):
    report = ReportRequest(cohort=cohort, kind="progress", requested_by=clinical_leader)
    # Renamed since it began: the file carries the names as they are now (not the slug).
    cohort.name = "Cohort Toru"
    cohort.save()
    cohort.programme.name = "Ngā Kaiārahi: Care Management"
    cohort.programme.save()
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 report"), save=False)
    report.status = "ready"
    report.save()
    client.force_login(administrator)
    response = client.get(reverse("reports:report_download", args=[cohort.pk, report.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.7 report"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="nga-kaiarahi-care-management-cohort-toru-progress-'
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_ready_report_whose_file_is_gone_answers_404_not_an_error(
    client, cohort, clinical_leader
):
    report = ReportRequest(cohort=cohort, kind="progress", requested_by=clinical_leader)
    report.file.save("r.pdf", ContentFile(b"%PDF-1.7 report"), save=False)
    report.status = "ready"
    report.save()
    report.file.storage.delete(report.file.name)  # lost in a restore, say
    client.force_login(clinical_leader)
    response = client.get(reverse("reports:report_download", args=[cohort.pk, report.pk]))
    assert response.status_code == 404


def test_a_report_that_is_not_ready_has_nothing_to_download(client, cohort, clinical_leader):
    report = ReportRequest.objects.create(
        cohort=cohort, kind="progress", requested_by=clinical_leader
    )
    client.force_login(clinical_leader)
    response = client.get(reverse("reports:report_download", args=[cohort.pk, report.pk]))
    assert response.status_code == 404


def test_a_report_of_another_cohort_is_not_found_through_this_one(
    client, cohort, other_cohort, clinical_leader, administrator
):
    report = ReportRequest.objects.create(
        cohort=other_cohort, kind="progress", requested_by=administrator
    )
    client.force_login(clinical_leader)
    for name in ("report_detail", "report_download"):
        assert (
            client.get(reverse(f"reports:{name}", args=[cohort.pk, report.pk])).status_code == 404
        )
        assert (
            client.get(reverse(f"reports:{name}", args=[other_cohort.pk, report.pk])).status_code
            == 404
        )


def test_a_participant_asks_only_for_their_own_transcript(
    client, cohort, participant, django_capture_on_commit_callbacks
):
    world = build_world(cohort, participants=3, sessions=2, teams=1, assignments=1)
    client.force_login(participant)
    someone_else = world["people"][0]
    assert _generate(client, cohort, kind="transcript", person=someone_else.pk).status_code == 403
    assert _generate(client, cohort, kind="progress").status_code == 403
    Cohort.objects.filter(pk=cohort.pk).update(holiday_region=Cohort.HolidayRegion.SCOTLAND)
    with django_capture_on_commit_callbacks(execute=True):
        response = _generate(client, cohort, kind="transcript")
    report = ReportRequest.objects.get()
    assert (report.person, report.status) == (participant, "ready")
    pdf = report.file.read()
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en-GB"  # the cohort's
    text = flat(pdf_text(pdf))
    assert "participant transcript" in text.lower()
    assert participant.get_full_name() in text
    assert "Day 1" in text
    page = client.get(response.url)
    assert page.status_code == 200
    # and the sponsors' reports are not theirs to read
    other = ReportRequest.objects.create(cohort=cohort, kind="progress", requested_by=someone_else)
    assert (
        client.get(reverse("reports:report_detail", args=[cohort.pk, other.pk])).status_code == 404
    )
    listing = client.get(reverse("reports:report_list", args=[cohort.pk])).content.decode()
    assert "Build my transcript" in listing
    assert "Generate progress report" not in listing
    assert reverse("reports:report_detail", args=[cohort.pk, other.pk]) not in listing


def test_certificates_are_refused_when_nobody_has_completed(client, cohort, administrator):
    client.force_login(administrator)
    response = _generate(client, cohort, kind="certificates")
    assert response.url == reverse("reports:report_list", args=[cohort.pk])
    assert not ReportRequest.objects.exists()
    page = client.get(response.url).content.decode()
    assert "No participant has completed yet" in page


def test_the_report_page_takes_a_fixed_number_of_queries(
    client, cohort, clinical_leader, django_assert_num_queries
):
    world = build_world(cohort, participants=8, sessions=2, teams=1, assignments=1, measures=0)
    for person in world["people"][:4]:
        ReportRequest.objects.create(
            cohort=cohort, kind="transcript", person=person, requested_by=clinical_leader
        )
    client.force_login(clinical_leader)
    url = reverse("reports:report_list", args=[cohort.pk])
    # the session with its person, cohort with roles (in it, and everywhere for the navigation),
    # report history, certificates, participants to choose from, how many completed.
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Participant transcript —") == 4


# --- the clinical leader's start page ------------------------------------------------------------


def _sponsored_cohorts(programme, leader, count):
    cohorts = [
        CohortFactory(programme=programme, name=f"Cohort {n + 10}", slug=f"ecm-{n + 10}")
        for n in range(count)
    ]
    for cohort in cohorts:
        EnrolmentFactory(cohort=cohort, person=leader, role=Enrolment.Role.CLINICAL_LEADER)
        build_world(cohort, participants=3, sessions=2, teams=1, assignments=1, measures=0)
        ReportRequest.objects.create(
            cohort=cohort, kind="progress", requested_by=leader, status="ready", file="r.pdf"
        )
    return cohorts


@pytest.mark.parametrize("extra", [0, 3])
def test_the_leader_home_shows_key_figures_in_a_fixed_number_of_queries(
    client, cohort, programme, clinical_leader, django_assert_num_queries, extra
):
    build_world(cohort, participants=5, sessions=3, teams=2, assignments=1, measures=0)
    _sponsored_cohorts(programme, clinical_leader, extra)
    client.force_login(clinical_leader)
    # the session with its person, cohorts with counts, attended rows, held sessions, progress
    # reports, the person's roles (navigation), then what needs attention (home.selectors): seven,
    # as no assignment is past due yet (its extensions and submissions are not read).
    with django_assert_num_queries(13):
        response = client.get(reverse("home:leader_home"))
    page = response.content.decode()
    assert page.count(">Generate progress report</button>") == 1 + extra
    assert "Cohort 3" in page
    # 5 participants, 2 held sessions × 5 expected; the figures are the report's own
    data = report_data.progress_report_data(
        Cohort.objects.select_related("programme").get(pk=cohort.pk)
    )
    assert f"{data.attendance.percent}%" in page


# --- exports -------------------------------------------------------------------------------------


def test_exports_neutralise_formulas_and_keep_numbers(client, cohort, administrator):
    build_world(
        cohort, participants=4, sessions=2, teams=1, assignments=1, team_names=["=HYPERLINK(1)"]
    )
    client.force_login(administrator)
    response = client.get(reverse("reports:report_export_csv", args=[cohort.pk, "assignments"]))
    assert response["Cache-Control"] == "private, no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Team"
    assert {row[0] for row in rows[1:]} == {"'=HYPERLINK(1)"}
    measures = client.get(reverse("reports:report_export_csv", args=[cohort.pk, "measures"]))
    assert len(list(csv.reader(io.StringIO(measures.content.decode("utf-8-sig"))))) == 1 + 24

    response = client.get(reverse("reports:report_export_xlsx", args=[cohort.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Attendance", "Assignments", "Measures"]
    assert workbook["Assignments"]["A2"].value == "'=HYPERLINK(1)"
    assert workbook["Assignments"]["A2"].data_type == "s"
    attendance = workbook["Attendance"]
    assert attendance["D2"].value == 1  # sessions expected (one held): a number, not text
    assert isinstance(workbook["Measures"]["E2"].value, int | float)


def test_an_unknown_figure_is_not_found(client, cohort, administrator):
    client.force_login(administrator)
    response = client.get(reverse("reports:report_export_csv", args=[cohort.pk, "salaries"]))
    assert response.status_code == 404


# --- the command ---------------------------------------------------------------------------------


def test_the_command_writes_the_report(cohort, tmp_path):
    build_world(cohort, participants=3, sessions=2, teams=1, assignments=1, measures=0)
    out = tmp_path / "report.pdf"
    stdout = io.StringIO()
    call_command("build_report", "--cohort", cohort.slug, "--out", str(out), stdout=stdout)
    assert "Wrote" in stdout.getvalue()
    assert len(PdfReader(out).pages) >= 5
    call_command("build_report", "--cohort", str(cohort.pk), "--out", str(out), stdout=stdout)


def test_the_command_names_an_unknown_cohort(tmp_path):
    with pytest.raises(CommandError, match="no-such"):
        call_command("build_report", "--cohort", "no-such", "--out", str(tmp_path / "x.pdf"))


# --- a real worker -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_report(celery_live_worker, cohort, clinical_leader):
    build_world(cohort, participants=5, sessions=3, teams=2, assignments=1, measures=1)
    report, created = report_services.report_request(
        cohort=cohort, kind="progress", acting_user=clinical_leader
    )
    assert created
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in ("ready", "failed"):
            break
        time.sleep(0.2)
    assert report.status == "ready", report.error
    content = report.file.read()
    text = flat(pdf_text(content))
    assert "Measure 1 of Team 2" in text
    # The page count shown on the status page is the file's own.
    assert report.pages == len(PdfReader(io.BytesIO(content)).pages) > 1


def test_the_build_task_is_time_limited():
    assert build_report.time_limit == report_services.TIME_LIMIT
    assert build_report.soft_time_limit == report_services.SOFT_TIME_LIMIT < build_report.time_limit
    assert build_report.acks_late
