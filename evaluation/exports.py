"""The cohort's evaluation report as CSV (a file a part) or one XLSX workbook (a sheet a
part), for the organisation's evaluators. Built only from ``selectors.cohort_evaluation_report``,
so what is below the anonymity threshold is not in it; text cells are neutralised
(``cohorts.exports.neutralise``) so a spreadsheet never runs a question, option or comment as a
formula; numbers stay numbers."""

import csv
import io

from cohorts.exports import neutralise
from leadership.workbooks import write_only_workbook

from .selectors import CohortEvaluationReport

PARTS = {
    "reaction": "Reaction",
    "comments": "Comments",
    "learning": "Learning and behaviour",
    "outcomes": "Outcomes",
    "attendance": "Attendance and completion",
}
HELD_BACK = "fewer responses than the threshold: not shown"


def _cell(value: object) -> object:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return round(value, 2) if isinstance(value, float) else value
    return neutralise(value)


def reaction_rows(report: CohortEvaluationReport) -> list[list[object]]:
    """Header, then per module: its counts, and one row per question and answer option."""
    rows: list[list[object]] = [
        [
            "Module",
            "Sessions evaluated",
            "Asked",
            "Answered",
            "Response rate (%)",
            "Responses in the results",
            "Question",
            "Answers",
            "Mean (1–5)",
            "Option",
            "Chosen by",
        ]
    ]
    for item in report.reaction:
        results = item.results
        counts = [
            item.module.title,
            results.sessions,
            results.invited,
            results.responded,
            "" if results.rate is None else results.rate,
            results.released_responses,
        ]
        if not results.released:
            rows.append([*counts, HELD_BACK, "", "", "", ""])
            continue
        for question in results.questions:
            mean = "" if question.mean is None else question.mean
            if not question.options:
                rows.append([*counts, question.question.text, question.answered, mean, "", ""])
            for option in question.options:
                rows.append(
                    [*counts, question.question.text, question.answered, mean]
                    + [option.label, option.count]
                )
    return rows


def comment_rows(report: CohortEvaluationReport) -> list[list[object]]:
    rows: list[list[object]] = [["Module", "Question", "Comment"]]
    for item in report.reaction:
        for question in item.results.questions:
            rows += [[item.module.title, question.question.text, c] for c in question.comments]
    return rows


def learning_rows(report: CohortEvaluationReport) -> list[list[object]]:
    """The paired self-assessment change per dimension and the 360 response counts: already
    aggregates (``frameworks.selectors.cohort_learning_summary``), never a person's answer."""
    summary = report.learning
    if summary.framework is None:
        return [["The programme has no leadership framework."]]
    rows: list[list[object]] = [
        ["Dimension", "Pairs", "Mean change (end - start)", "95% interval from", "95% interval to"]
    ]
    for row in summary.dimensions:
        change = row.change
        rows.append(
            [
                row.name,
                change.pairs,
                "" if change.mean is None else change.mean,
                "" if change.low is None else change.low,
                "" if change.high is None else change.high,
            ]
        )
    rows += [
        [],
        ["360 feedback", "Value"],
        ["Participants who asked for it", summary.feedback_rounds],
        ["Raters asked", summary.raters_invited],
        ["Raters who answered", summary.raters_responded],
    ]
    return rows


def outcome_rows(report: CohortEvaluationReport) -> list[list[object]]:
    rows: list[list[object]] = [["Project", "Measure", "Sustained improvement", "Headline"]]
    rows += [[o.owner, o.measure, o.sustained_improvement, o.headline] for o in report.outcomes]
    return rows


def attendance_rows(report: CohortEvaluationReport) -> list[list[object]]:
    return [
        ["Figure", "Value"],
        ["Participants (enrolled or completed)", report.participants],
        ["Completed", report.completed],
        ["Withdrawn", report.withdrawn],
        [
            "Mean attendance (%)",
            "" if report.attendance_percent is None else report.attendance_percent,
        ],
        ["Meeting the attendance rule", report.meeting_rule],
        ["Held sessions with no register (left out of attendance)", report.registers_missing],
    ]


ROWS = {
    "reaction": reaction_rows,
    "comments": comment_rows,
    "learning": learning_rows,
    "outcomes": outcome_rows,
    "attendance": attendance_rows,
}


def part_csv(report: CohortEvaluationReport, part: str) -> bytes:
    """One part as UTF-8 CSV with a byte-order mark (Excel then shows macrons correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in ROWS[part](report):
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(report: CohortEvaluationReport) -> bytes:
    """Every part on its own sheet; no cell is ever a formula."""
    workbook = write_only_workbook()
    for part, title in PARTS.items():
        sheet = workbook.create_sheet(title=title[:31])
        for row in ROWS[part](report):
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
