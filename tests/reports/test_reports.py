"""The cohort progress report: its data in a fixed number of queries, and the PDF it makes —
real text with every participant, team and measure, a table of contents, metadata — with user
text printed literally and nothing fetched."""

import datetime
import io
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cohorts.models import Cohort
from leadership.pdf import BASE_URL
from measures.models import PdsaCycle
from modules.models import Attendance
from redesign_projects import services as project_services
from redesign_projects.models import Assignment
from reports import data as report_data
from reports import rendering
from tests.worlds import build_world, flat, pdf_text

pytestmark = pytest.mark.django_db


# --- data gathering -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "measures"),
    [
        ({"participants": 4, "sessions": 2, "teams": 1, "assignments": 1}, 1),
        ({"participants": 30, "sessions": 8, "teams": 6, "assignments": 4}, 2),
    ],
)
def test_the_report_data_takes_a_fixed_number_of_queries(
    cohort, django_assert_num_queries, size, measures
):
    build_world(cohort, measures=measures, **size)
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    # 19 = enrolments; attendance summary (participants, held sessions, sign-ups, attendance);
    # sessions with modules; sign-ups; attendance rows; PDSA cycles of teams and pairs;
    # assignment overview (assignments, teams, memberships, extensions, submissions); teams
    # with leads; memberships with people; released feedback; pairings; the previous report
    # — then 4 for the measures of teams and pairs (measures, points, rebases, PDSA cycles).
    with django_assert_num_queries(report_data.PROGRESS_REPORT_QUERIES + 4):
        data = report_data.progress_report_data(cohort)
    assert data.people.participants == size["participants"]
    assert len(data.teams) == size["teams"]
    assert data.chart_count == size["teams"] * measures


def test_without_measures_the_charts_cost_one_query(cohort, django_assert_num_queries):
    build_world(cohort, participants=3, sessions=2, teams=0, assignments=0, measures=0)
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    with django_assert_num_queries(report_data.PROGRESS_REPORT_QUERIES + 1):
        data = report_data.progress_report_data(cohort)
    assert data.teams == []


def test_the_figures_add_up(cohort):
    world = build_world(cohort, participants=6, sessions=4, teams=2, assignments=2)
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    data = report_data.progress_report_data(cohort)
    attendance = data.attendance
    assert [c.held for c in attendance.sessions] == [True, True, True, False]
    assert len(attendance.rows) == 6
    # every held cell is a code; the session to come is blank
    assert all(len(row.codes) == 4 and row.codes[3] == "" for row in attendance.rows)
    attended = sum(
        1
        for row in attendance.rows
        for code in row.codes[:3]
        if code in (report_data.ATTENDANCE_CODES[Attendance.Status.PRESENT], "L")
    )
    assert attendance.attended == attended == sum(c.attended for c in attendance.sessions)
    assert attendance.expected == 18
    # 2 teams × 2 assignments: team 2 has not started assignment 2, which is not yet due.
    assert (data.work.on_time + data.work.late, data.work.not_due, data.work.overdue) == (3, 1, 0)
    assert {s.team.pk for s in data.teams} == {t.pk for t in world["teams"]}
    assert data.teams_needing_help == []


def test_a_team_with_overdue_work_needs_help(cohort):
    world = build_world(cohort, participants=6, sessions=2, teams=2, assignments=1)
    project_services.assignment_create(
        cohort=cohort,
        title="Measurement plan",
        due_at=timezone.now() - datetime.timedelta(days=3),
        kind=Assignment.Kind.TEAM,
        acting_user=None,
        accepted_types=["pdf"],
    )
    project_services.submission_save(
        assignment=Assignment.objects.get(title="Measurement plan"),
        team=world["teams"][0],
        owner=None,
        text="Plan",
        uploads=[],
        submit=True,
        acting_user=world["teams"][0].clinical_lead,
    )
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    data = report_data.progress_report_data(cohort)
    assert [s.team for s in data.teams_needing_help] == [world["teams"][1]]
    assert data.teams_needing_help[0].reasons == ["“Measurement plan” is overdue"]
    assert data.work.overdue == 1
    assert data.work.late == 1  # submitted after its due date


# --- the PDF -----------------------------------------------------------------------------------


@pytest.fixture
def rendered(cohort):
    world = build_world(cohort, participants=12, sessions=5, teams=3, assignments=2, measures=2)
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    pdf = rendering.progress_report_pdf(cohort)
    return world, pdf, cohort


def test_the_pdf_names_the_cohort_every_participant_every_team_and_every_measure(rendered):
    world, pdf, cohort = rendered
    text = flat(pdf_text(pdf))
    assert cohort.name in text
    assert cohort.programme.name in text
    for person in world["people"]:
        assert person.get_full_name() in text
    for team in world["teams"]:
        assert f"Team: {team.name}" in text
        for n in (1, 2):
            assert f"Measure {n} of {team.name}" in text


def test_each_measure_is_drawn_as_a_vector_chart(rendered):
    world, pdf, cohort = rendered
    reader = PdfReader(io.BytesIO(pdf))
    # Inline SVG becomes drawing operators, not images: no raster XObject anywhere.
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        for ref in xobjects.values():
            assert ref.get_object().get("/Subtype") != "/Image"
    text = flat(pdf_text(pdf))
    assert text.count("XmR chart of 24 points") == 2 * len(world["teams"])
    # The chart's own labels are text drawn in the PDF (its first period, once per chart).
    assert text.count("Jan 23") == 2 * len(world["teams"])


def test_the_charts_share_one_legend_and_their_notes_are_text(rendered):
    world, pdf, cohort = rendered
    text = flat(pdf_text(pdf))
    # Once for the whole report, not once per chart.
    assert text.count("Special cause: improvement") == 1
    assert text.count("Special-cause rules:") == 1
    assert "Reading the measure charts" in text
    # Each chart's numbered notes (its PDSA cycles) are printed under it.
    cycle = PdsaCycle.objects.filter(team__cohort=cohort).order_by("started_on").first()
    assert f": PDSA: {cycle.change_idea}" in text


def test_the_pdf_has_metadata_contents_with_page_numbers_and_the_cut_off(rendered):
    world, pdf, cohort = rendered
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == f"{cohort.programme.name} — {cohort.name}: progress report"
    assert reader.metadata.author == rendering.AUTHOR
    pages = len(reader.pages)
    assert "data to" in flat(reader.pages[0].extract_text())
    first = flat(reader.pages[1].extract_text())
    assert "Contents" in first
    assert "Data cut-off" in first
    # Each contents line ends with the page its section starts on (target-counter).
    team = world["teams"][0]
    team_page = next(
        n
        for n, page in enumerate(reader.pages, start=1)
        if f"Team: {team.name}" in page.extract_text() and n > 2
    )
    assert f"Team: {team.name}" in first
    assert f"{team_page}" in first.split(f"Team: {team.name}", 1)[1].split("Team:", 1)[0]
    assert f"Page {pages} of {pages}" in flat(reader.pages[-1].extract_text())
    assert "data to" in flat(reader.pages[2].extract_text())


def test_the_pdf_declares_the_english_of_its_cohort(rendered):
    _world, pdf, cohort = rendered
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == cohort.language == "en-NZ"


def test_attendance_by_participant_names_the_sessions_each_was_late_to_or_missed(rendered):
    world, pdf, cohort = rendered
    text = flat(pdf_text(pdf))
    # Four sessions held (the fifth to come); tests.worlds gives the third participant late,
    # present, apologies, absent; the fourth present, apologies, absent, then no mark.
    assert "Given02 Surname02 2 of 4 50% ▼ S1 L, S3 Ap, S4 A" in text
    assert "Given03 Surname03 1 of 4 25% ▼ S2 Ap, S3 A, S4 NR" in text
    assert "Given00 Surname00 4 of 4 100% S3 L" in text
    # The matrix of every code stays in the export, which the PDF points to.
    assert "attendance export (CSV or Excel)" in text
    reader = PdfReader(io.BytesIO(pdf))
    assert all(p.mediabox.width < p.mediabox.height for p in reader.pages)  # all portrait


def test_pdftotext_reads_the_same_text(rendered, tmp_path):
    world, pdf, cohort = rendered
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert world["people"][-1].get_full_name() in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    assert " yes " in fonts  # embedded


def test_fifty_participants_run_over_pages_with_the_header_repeated(cohort):
    world = build_world(cohort, participants=50, sessions=10, teams=2, assignments=1, measures=0)
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    pdf = rendering.progress_report_pdf(cohort)
    reader = PdfReader(io.BytesIO(pdf))
    header = "Participant Attended Rate Late, apologies, absent, not recorded"
    pages = [flat(p.extract_text()) for p in reader.pages]
    table_pages = [page for page in pages if header in page]
    assert len(table_pages) >= 2  # 50 rows run over more than one page, the header on each
    found = [p for p in world["people"] if any(p.get_full_name() in page for page in table_pages)]
    assert found == world["people"]
    # No row is split across pages: each name is on one page with its figures.
    for person in world["people"]:
        assert sum(person.get_full_name() + " " in page for page in table_pages) == 1


@pytest.fixture
def request_log():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], hits
    server.shutdown()


@pytest.mark.parametrize("hostile", ['<img src="http://127.0.0.1:{port}/x">', "file:///etc/passwd"])
def test_hostile_team_names_fetch_nothing_and_print_literally(cohort, request_log, hostile):
    port, hits = request_log
    name = hostile.format(port=port)
    build_world(cohort, participants=4, sessions=2, teams=1, assignments=1, team_names=[name])
    cohort = Cohort.objects.select_related("programme").get(pk=cohort.pk)
    fetcher = rendering.ReportFetcher()
    pdf = rendering.progress_report_pdf(cohort, fetcher=fetcher)
    assert hits == []
    text = flat(pdf_text(pdf)).replace(" ", "")
    assert f"Team:{name}".replace(" ", "") in text
    assert "root:x:0:0" not in text
    # Only our own stylesheet was asked for; nothing was refused because nothing else was tried.
    assert fetcher.refused == []


def test_the_report_fetcher_serves_only_this_reports_charts_and_static_files():
    fetcher = rendering.ReportFetcher()
    name = fetcher.add_chart('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    assert fetcher.fetch(BASE_URL + name).read().startswith(b"<svg")
    assert fetcher.fetch(BASE_URL + "static/css/print.css").read().startswith(b"/*")
    for url in (BASE_URL + "charts/99.svg", "http://127.0.0.1:1/x", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
