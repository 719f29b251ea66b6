"""The progress report's measures read as a board would: one honest line per measure, the
signals grouped, pair projects beside teams, a first page that stands alone, and a tagged,
reproducible PDF. Tests read the PDF's text."""

import datetime
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from pypdf import PdfReader

from cohorts.models import Cohort
from measures.charting import PRINT_CHART_MM, PRINT_CHART_WIDTH
from modules.models import Attendance, Session
from pairings.models import Pairing, ShadowingEntry
from reports import data as report_data
from reports import rendering
from reports.models import ReportRequest
from tests.factories import CohortFactory, ProgrammeFactory
from tests.pairings.helpers import manager_in, pair
from tests.redesign_projects.helpers import make_team, participant_in
from tests.worlds import add_step_measure, build_world, flat, pdf_info, pdf_text

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 5, 4, 9, 30, tzinfo=datetime.UTC)


def _fresh(cohort):
    return Cohort.objects.select_related("programme").get(pk=cohort.pk)


@pytest.fixture
def world(cohort):
    """A team whose measure stepped up after an adopted PDSA, and a pair project with the same
    kind of measure (its PDSA adopted too) that has not shadowed for months."""
    with time_machine.travel(NOW, tick=False):
        lead = participant_in(cohort, email="lead@example.org", first_name="Lee", last_name="Ng")
        team = make_team(cohort, lead=lead, name="Ward 5 flow")
        add_step_measure(team=team, change="criteria-led discharge on ward 5")
        clinician = participant_in(cohort, email="c@example.org", first_name="Cal", last_name="Ma")
        manager = manager_in(cohort, email="m@example.org", first_name="Mo", last_name="Ra")
        pairing = pair(cohort, clinician, manager)
        Pairing.objects.filter(pk=pairing.pk).update(
            status=Pairing.Status.ACTIVE,
            started_on=datetime.date(2025, 9, 1),
            project_title="Clinic letters within 7 days",
        )
        ShadowingEntry.objects.create(
            pairing=pairing,
            occurred_on=datetime.date(2026, 2, 2),
            direction=ShadowingEntry.Direction.CLINICIAN_SHADOWED_MANAGER,
            minutes=60,
            author=clinician,
        )
        add_step_measure(pairing=pairing, name="Letters sent in 7 days", change="dictation pods")
    return {"team": team, "pairing": pairing}


def _report_text(cohort, now=NOW):
    with time_machine.travel(now, tick=False):
        pdf = rendering.progress_report_pdf(_fresh(cohort), now=now)
    return pdf, flat(pdf_text(pdf))


def test_a_step_after_a_pdsa_reads_as_a_headline_with_means_and_the_rebase_proposal(world, cohort):
    _pdf, text = _report_text(cohort)
    assert (
        "Discharges before noon improved: it rose from a mean of 15.1% to 31.3% after Apr 2025 "
        "(PDSA adopted: criteria-led discharge on ward 5); a sustained shift; the 40% target "
        "is not yet met; the limits still span the change (recalculation proposed)."
    ) in text
    assert "Limits span a change" in text
    assert "Recalculating them from Apr 2025 is proposed on the measure page" in text
    # The verdict the limits across the step would give is not what the report leads with.
    assert "consistently failing the target" not in text.split("Contents")[0]


def test_signals_are_grouped_one_line_per_rule_and_stretch(world, cohort):
    with time_machine.travel(NOW, tick=False):
        data = report_data.progress_report_data(_fresh(cohort), now=NOW)
    chart = data.teams[0].charts[0].chart
    assert len(chart.signal_labels) > 10  # one per point outside the limits, and more
    assert len(chart.signal_lines) <= 4  # outside, shift, trend, 2 of 3: one line each
    _pdf, text = _report_text(cohort)
    # The per-point list stays on the web page: the PDF has no line per point.
    assert "is above the upper limit" not in text
    for rule_words in ("above the upper limit", "in a row above the mean"):
        lines = re.findall(rf"\d+ points {rule_words}, Apr 2025–Feb 2026", text)
        # once in the team's section, once in the pair's: one line per rule per measure
        assert len(lines) == 2


def test_a_pair_projects_measures_chart_pdsa_and_help_flag_are_in_the_report(world, cohort):
    pdf, text = _report_text(cohort)
    assert "Pair: Clinic letters within 7 days (Cal Ma and Mo Ra)" in text
    assert "Letters sent in 7 days improved: it rose from a mean of 15.1% to 31.3%" in text
    assert "PDSA adopted: dictation pods" in text
    # No shadowing since 2 Feb 2026: more than six weeks before the cut-off.
    assert "no shadowing logged for 13 weeks (last on 2 Feb 2026)" in text
    with time_machine.travel(NOW, tick=False):
        data = report_data.progress_report_data(_fresh(cohort), now=NOW)
    assert [p.name for p in data.projects_needing_help] == [
        "Clinic letters within 7 days (Cal Ma and Mo Ra)"
    ]
    assert data.pairs[0].charts[0].chart.kind == "xmr"
    # Both measures drawn: the team's and the pair's (plus the legend and icons).
    fetcher = rendering.ReportFetcher()
    with time_machine.travel(NOW, tick=False):
        rendering.progress_report_context(_fresh(cohort), fetcher=fetcher, now=NOW)
    charts = [body for body in fetcher.charts.values() if b'class="measure-chart"' in body]
    assert len(charts) == 2
    assert any(b"Letters sent in 7 days" in body for body in charts)


def test_the_first_page_stands_alone(world, cohort):
    pdf, _text = _report_text(cohort)
    first = flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    for words in (
        "Summary",
        "Attendance",
        "Work",
        "overdue",
        "Needing help",
        "Clinic letters within 7 days (Cal Ma and Mo Ra) (pair): no shadowing logged",
        "Measures",
        "Discharges before noon improved",
        "Letters sent in 7 days improved",
        "Variation",
        "special cause — improvement",
        "Since the previous report",
        "This is the first progress report built for this cohort.",
        "data to 4 May 2026, 21:30 NZST",
    ):
        assert words in first, words


def test_the_summary_says_which_registers_were_not_taken(cohort):
    with time_machine.travel(NOW, tick=False):
        build_world(cohort, participants=4, sessions=4, teams=1, assignments=1)
    first_held = Attendance.objects.order_by("session__starts_at").first().session
    # The register was never taken (modules decides what counts: its register_taken_at).
    Attendance.objects.filter(session=first_held).delete()
    Session.objects.filter(pk=first_held.pk).update(register_taken_at=None)
    with time_machine.travel(NOW, tick=False):
        data = report_data.progress_report_data(_fresh(cohort), now=NOW)
        text = flat(pdf_text(rendering.progress_report_pdf(_fresh(cohort), now=NOW)))
    assert data.attendance.registers_missing == 1
    assert [c.session for c in data.attendance.missing_register_sessions] == [first_held]
    assert "Registers not taken: 1 (S1" in text
    assert "left out of every rate until the register is taken" in text


def test_what_changed_since_the_previous_report_is_on_the_first_page(world, cohort, administrator):
    earlier = NOW - datetime.timedelta(days=30)
    with time_machine.travel(earlier, tick=False):
        before = rendering.progress_report_pdf(_fresh(cohort), now=earlier)
    ReportRequest.objects.create(
        cohort=cohort, kind=ReportRequest.Kind.PROGRESS, requested_by=administrator,
        status=ReportRequest.Status.READY, file="reports/x.pdf", data_cutoff=earlier,
        summary={"signals": {}, "needs_help": [f"team:{world['team'].pk}"]},
    )  # fmt: skip
    assert before.summary["needs_help"] == [f"pair:{world['pairing'].pk}"]
    _pdf, text = _report_text(cohort)
    summary = text.split("Contents")[0]
    assert "New signals on Discharges before noon (Ward 5 flow)" in summary
    assert "Clinic letters within 7 days (Cal Ma and Mo Ra) now needs help" in summary
    assert "Ward 5 flow is back on track" in summary


def test_the_pdf_is_tagged_in_the_cohorts_language_with_the_data_in_an_appendix(
    world, cohort, tmp_path
):
    pdf, text = _report_text(cohort)
    info = pdf_info(pdf, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en-NZ"
    assert "Appendix: the data behind each chart" in text
    assert "Table 1. Discharges before noon (%), team Ward 5 flow" in text
    assert "Table 2. Letters sent in 7 days (%)" in text
    # A row a year, each value after its month and marked when it is part of a signal, the
    # limits under it.
    assert "Year Month: value 2024 Jan: " in text
    assert "2025 Jan: 14 (C) · Feb: 16 (C) · Mar: 15 (C) · Apr: 30 (I) · May: 32 (I)" in text
    assert "Jan 2024 to Feb 2026: mean 21.92, lower limit 16.07, upper limit 27.78 (%)." in text
    assert "Data cut-off 4 May 2026, 21:30:00 NZST (2026-05-04T21:30:00+12:00)" in text

    programme = ProgrammeFactory(name="Acute care", slug="acute")
    british = CohortFactory(programme=programme, holiday_region="GB-ENG", time_zone="Europe/London")
    with time_machine.travel(NOW, tick=False):
        pdf = rendering.progress_report_pdf(_fresh(british), now=NOW)
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en-GB"


def test_two_builds_of_unchanged_data_give_the_same_text(world, cohort):
    first, _ = _report_text(cohort)
    second, _ = _report_text(cohort, now=NOW)
    assert pdf_text(first) == pdf_text(second)


def test_printed_chart_text_is_at_least_8_points_on_a4(world, cohort):
    with time_machine.travel(NOW, tick=False):
        data = report_data.progress_report_data(_fresh(cohort), now=NOW)
    svg = data.teams[0].charts[0].chart.svg
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    assert width == PRINT_CHART_WIDTH
    smallest = min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg))
    points = smallest * PRINT_CHART_MM / width / 25.4 * 72
    assert points >= 8, points
    # …and the stylesheet prints it that wide.
    css = Path(finders.find("css/print.css")).read_text()
    assert f".chart img.plot {{ display: block; width: {PRINT_CHART_MM}mm;" in css


def test_pair_projects_add_no_queries_per_pair(cohort, django_assert_num_queries):
    with time_machine.travel(NOW, tick=False):
        build_world(cohort, participants=12, sessions=3, teams=2, assignments=1)
        for n, pairing in enumerate(Pairing.objects.filter(cohort=cohort)):
            add_step_measure(pairing=pairing, name=f"Pair measure {n}", change=f"Idea {n}")
    cohort = _fresh(cohort)
    # 19 (see test_reports) then 4 for every measure of teams and pairs alike.
    with django_assert_num_queries(report_data.PROGRESS_REPORT_QUERIES + 4):
        data = report_data.progress_report_data(cohort, now=NOW)
    assert len(data.pairs) == 3 and all(p.charts for p in data.pairs)


def test_with_many_measures_the_first_page_lists_those_needing_attention(world, cohort):
    with time_machine.travel(NOW, tick=False):
        build_world(cohort, participants=12, sessions=3, teams=3, assignments=1, measures=3)
        data = report_data.progress_report_data(_fresh(cohort), now=NOW)
    assert len(data.measure_rows) == 11 > report_data.FRONT_MEASURES
    # The two whose limits span an adopted change need attention; the nine that improved
    # with no target do not.
    assert [view.chart.measure.name for _p, view in data.front_measure_rows] == [
        "Discharges before noon",
        "Letters sent in 7 days",
    ]
    pdf, text = _report_text(cohort)
    first = flat(PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
    assert "11 measures: 11 special cause — improvement." in first
    assert "every measure's headline is on the next page" in first
    assert "Measure 1 of Team 1" not in first
    second = flat(PdfReader(io.BytesIO(pdf)).pages[1].extract_text())
    assert second.startswith("Every measure") and "Measure 1 of Team 1 improved" in second
