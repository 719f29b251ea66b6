"""The progress report's figures as CSV or one XLSX workbook: attendance per participant and
session, each team's assignment status, and each measure's data points. Text cells are
neutralised (``exports.neutralise``) so a spreadsheet never runs a name or an aim as a formula;
numbers and dates stay numbers and dates."""

import csv
import datetime
import io
from decimal import Decimal

from cohorts.exports import neutralise
from leadership.workbooks import write_only_workbook

from .data import ProgressReport

FIGURES = {
    "attendance": "Attendance",
    "assignments": "Assignments",
    "measures": "Measures",
}
BUCKET_LABELS = {
    "on_time": "Submitted",
    "late": "Submitted late",
    "overdue": "Overdue",
    "not_due": "Not yet due",
}


def _cell(value: object) -> object:
    """Numbers and dates as themselves; anything else as neutralised text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal | datetime.date):
        return value
    return neutralise(value)


def attendance_rows(report: ProgressReport) -> list[list[object]]:
    """Header, then one row per participant: totals, rate and the code for each session."""
    columns = report.attendance.sessions
    header = [
        "Participant",
        "Profession",
        "Department",
        "Sessions expected",
        "Attended",
        "Apologies",
        "Rate (%)",
        "Meets the attendance rule",
    ] + [
        f"S{c.number} {c.session.starts_at.astimezone(report.cohort.tzinfo):%Y-%m-%d}"
        for c in columns
    ]
    rows: list[list[object]] = [list(header)]
    for row in report.attendance.rows:
        summary, person = row.summary, row.person
        rows.append(
            [
                person.get_full_name() or person.email,
                person.get_profession_display(),
                person.department,
                summary.expected,
                summary.attended,
                summary.apologies,
                "" if summary.percent is None else summary.percent,
                "" if summary.meets_rule is None else summary.meets_rule,
                *row.codes,
            ]
        )
    return rows


def assignment_rows(report: ProgressReport) -> list[list[object]]:
    """Header, then one row per team × assignment."""
    rows: list[list[object]] = [
        ["Team", "Assignment", "Kind", "Due", "Status", "Standing", "Latest released feedback"]
    ]
    tz = report.cohort.tzinfo
    for section in report.teams:
        for item in section.work:
            status = (
                "; ".join(f"{label}: {n}" for label, n in item.cell.counts)
                if item.cell.counts
                else item.cell.label
            )
            rows.append(
                [
                    section.team.name,
                    item.assignment.title,
                    item.assignment.get_kind_display(),
                    item.cell.due_at.astimezone(tz).date() if item.cell.due_at else "",
                    status,
                    BUCKET_LABELS[item.bucket],
                    item.feedback.get_decision_display() if item.feedback else "",
                ]
            )
    return rows


def measure_rows(report: ProgressReport) -> list[list[object]]:
    """Header, then one row per data point of every team's measures, with the chart's
    reading of the variation on each."""
    rows: list[list[object]] = [
        ["Team", "Measure", "Unit", "Period", "Value", "Chart", "Variation", "Annotation"]
    ]
    for section in report.teams:
        for view in section.charts:
            chart, measure = view.chart, view.chart.measure
            for point in measure.datapoints.all():
                rows.append(
                    [
                        section.team.name,
                        measure.name,
                        measure.unit,
                        point.period,
                        point.value,
                        chart.kind,
                        chart.variation_label,
                        point.annotation,
                    ]
                )
    return rows


ROWS = {"attendance": attendance_rows, "assignments": assignment_rows, "measures": measure_rows}


def figure_csv(report: ProgressReport, figure: str) -> bytes:
    """One figure as UTF-8 CSV with a byte-order mark (Excel then shows macrons correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in ROWS[figure](report):
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def figures_xlsx(report: ProgressReport) -> bytes:
    """Every figure on its own sheet of one workbook; no cell is ever a formula."""
    workbook = write_only_workbook()
    for figure, title in FIGURES.items():
        sheet = workbook.create_sheet(title=title)
        for row in ROWS[figure](report):
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
