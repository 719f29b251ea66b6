"""Measures as charts, and data points from pasted or uploaded CSV.

:func:`measure_chart` turns one measure's rows (already fetched: its data points, rebases and
PDSA cycles, and the programme's rule set) into a :class:`MeasureChart` with the chart library,
so the team page, the measure page and the PDF reports draw the same chart from the same code.
It runs no queries: the selectors prefetch what it reads.

:func:`parse_datapoints_csv` reads pasted (tab-separated, from a spreadsheet) or CSV text into
rows with per-row errors, for the import's preview; nothing is saved here
(``services.datapoints_import`` saves all or nothing).
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Literal, cast

from .charts import (
    Annotation,
    Assurance,
    Baseline,
    Change,
    ChangeKind,
    DataTable,
    Headline,
    Nature,
    Point,
    Rebase,
    RebaseProposal,
    RunChartAnalysis,
    SpcRules,
    Variation,
    XmrAnalysis,
    analyse_run_chart,
    analyse_xmr,
    chart_grid,
    chart_notes,
    chart_summary,
    chart_table,
    describe_signal,
    describe_signals,
    grouped_signals,
    latest_window,
    measure_headline,
    render_run_chart_svg,
    render_xmr_chart_svg,
    xmr_possible,
)
from .models import ChartRuleSet, DataPoint, Measure, PdsaCycle
from .models import Rebase as RebaseRow

# A run chart needs a line to read: with fewer points there is no chart, only the table.
MIN_RUN_CHART_POINTS = 2
# Printed charts are drawn this many units wide and printed across the text width of A4
# (170 mm), so their smallest text (10 units) prints at 8.6 pt: readable at 100 %.
PRINT_CHART_WIDTH = 560
PRINT_CHART_MM = 170

ChartKind = Literal["run", "xmr", "none"]


@dataclass(frozen=True)
class MeasureChart:
    """One measure drawn for a page or a report.

    ``kind`` is "xmr" when there are at least the rule set's ``min_points`` points, "run" from
    ``MIN_RUN_CHART_POINTS`` points, else "none" (``svg`` empty, ``table`` None, ``summary`` says
    why). ``svg`` is the library's output, escaped throughout and safe to embed; every other
    field is plain text to escape as usual. ``assurance_label`` is empty without a target (or on
    a run chart, which has no limits to judge a target by), and says "not judged" while the
    limits span a change (``proposal``), when ``assurance`` is None rather than a verdict the
    limits across the step would give.

    ``headline`` is the measure in one sentence, ``signal_lines`` its signals grouped (one line
    per rule per stretch of limits, for print), ``variation``/``assurance`` the Making Data
    Count icons' values. Analysed without drawing (``measure_chart(drawn=False)``), ``svg``,
    ``summary``, ``table``, ``grid``, ``notes``, ``signal_lines`` and the signal sentences are
    empty."""

    measure: Measure
    kind: ChartKind
    svg: str
    summary: str
    variation_label: str
    assurance_label: str
    signal_labels: list[str] = field(default_factory=list)
    table: DataTable | None = None
    # The values in a compact grid for print (a row a year), when drawn.
    grid: DataTable | None = None
    point_count: int = 0
    # How many of them the SVG draws: fewer with ``measure_chart(window=...)``.
    drawn_count: int = 0
    notes: list[str] = field(default_factory=list)
    rules: str = ""
    headline: Headline | None = None
    signal_lines: list[str] = field(default_factory=list)
    variation: Variation | None = None
    assurance: Assurance | None = None
    # Each signal's identity ("rule:movement:first period") and its sentence, so a report can
    # say which signals are new since the last one.
    signal_keys: dict[str, str] = field(default_factory=dict)
    # The numbers behind the drawing (centre lines, limits, signals), for the API; None
    # without a chart.
    analysis: XmrAnalysis | RunChartAnalysis | None = None

    @property
    def proposal(self) -> RebaseProposal | None:
        """A recalculation of the limits for a person to confirm (see ``measure_headline``)."""
        return self.headline.proposal if self.headline else None


def spc_rules_for(rule_set: ChartRuleSet | None) -> SpcRules:
    """The programme's rule lengths, or the Making Data Count defaults without a rule set."""
    if rule_set is None:
        return SpcRules(**ChartRuleSet.DEFAULTS)
    return SpcRules(shift=rule_set.shift, trend=rule_set.trend, min_points=rule_set.min_points)


def _run_variation(analysis: RunChartAnalysis) -> str:
    natures = {found.nature for found in analysis.signals}
    if not natures:
        return "random variation (no signals)"
    if {Nature.IMPROVEMENT, Nature.CONCERN} <= natures:
        return "non-random — improvement and concern"
    if Nature.IMPROVEMENT in natures:
        return "non-random — improvement"
    if Nature.CONCERN in natures:
        return "non-random — concern"
    return "non-random variation"


def _annotations(
    points: Sequence[DataPoint], cycles: Iterable[PdsaCycle], extra: Iterable[Annotation] = ()
) -> list[Annotation]:
    notes = [Annotation(point.period, point.annotation) for point in points if point.annotation]
    notes += [Annotation(cycle.started_on, f"PDSA: {cycle.change_idea}") for cycle in cycles]
    notes += list(extra)
    return sorted(notes, key=lambda note: note.period)


def measure_changes(points: Sequence[DataPoint], cycles: Iterable[PdsaCycle]) -> list[Change]:
    """The changes a shift can follow: PDSA cycles marked adopted (from the day they started)
    and changes recorded on data points (their annotations)."""
    changes = [
        Change(cycle.started_on, cycle.change_idea, ChangeKind.PDSA)
        for cycle in cycles
        if cycle.is_adopted
    ]
    changes += [
        Change(point.period, point.annotation, ChangeKind.RECORDED)
        for point in points
        if point.annotation
    ]
    return sorted(changes, key=lambda change: (change.period, change.kind))


def measure_chart(
    measure: Measure,
    *,
    points: Sequence[DataPoint],
    rebases: Sequence[RebaseRow],
    cycles: Sequence[PdsaCycle],
    rules: SpcRules,
    compact: bool = False,
    width: int = 720,
    drawn: bool = True,
    window: int | None = None,
) -> MeasureChart:
    """Analyse and draw one measure from rows already in memory (no queries). ``compact``: for
    print (see ``MeasureChart``), ``width`` the drawing's units across (``PRINT_CHART_WIDTH``
    for print). ``drawn=False`` analyses only (headline, signals, icons; no SVG, summary,
    table or notes): for lists of many measures such as the sponsor's portfolio.

    ``window``: for a page that shows the chart small beside a link to the full one (the team
    page). An XmR chart of more points draws only the latest ``window`` (``latest_window``):
    its limits, signals, headline, summary and icons are still the whole series's, so a small
    chart costs the same however long the series grows; its notes are the drawn ones, and it
    has no data table or grid (the full chart's page has them). ``drawn_count`` says how many
    points were drawn. Run charts (fewer points than the rule set's minimum for XmR) are drawn
    whole.

    ``points`` must be in period order (the model's ordering). A rebase that cannot be applied
    (say, too few points after it since the rule set changed) is left out and the summary says
    so, rather than the page failing."""
    count = len(points)
    if count < MIN_RUN_CHART_POINTS:
        have = "no data points" if count == 0 else "1 data point"
        return MeasureChart(
            measure=measure,
            kind="none",
            svg="",
            summary=(
                f"No chart yet: {measure.name} has {have}; a run chart needs at least "
                f"{MIN_RUN_CHART_POINTS}, and an XmR chart {rules.min_points}."
            ),
            variation_label="",
            assurance_label="",
            point_count=count,
        )
    series = [
        Point(period=p.period, value=float(p.value), astronomical=p.astronomical) for p in points
    ]
    baseline = (
        Baseline(measure.baseline_starts_on, measure.baseline_ends_on)
        if measure.baseline_starts_on and measure.baseline_ends_on
        else None
    )
    target = None if measure.target is None else float(measure.target)
    chart_id = f"measure-{measure.pk}"
    caption = f"{measure.name}: data"
    analysis: XmrAnalysis | RunChartAnalysis
    drawing: XmrAnalysis | RunChartAnalysis  # what the SVG draws (see ``window``)
    if xmr_possible(count, rules):
        steps = [Rebase(r.starts_on, r.reason) for r in rebases]
        note = ""
        try:
            analysis = analyse_xmr(
                series, better=measure.better, target=target, rules=rules, baseline=baseline,
                rebases=steps,
            )  # fmt: skip
        except ValueError as error:
            analysis = analyse_xmr(
                series, better=measure.better, target=target, rules=rules, baseline=baseline
            )
            note = f" Recalculated limits not shown: {error}"
        annotations = _annotations(points, cycles)
        summary = chart_summary(analysis) if drawn else ""
        if window is not None and count > window:
            drawing = latest_window(analysis, window)
            first_drawn = drawing.points[0].period
            drawn_annotations = [a for a in annotations if a.period >= first_drawn]
        else:
            drawing, drawn_annotations = analysis, annotations
        svg = (
            render_xmr_chart_svg(
                drawing,
                title=measure.name,
                y_label=measure.unit,
                annotations=drawn_annotations,
                chart_id=chart_id,
                compact=compact,
                width=width,
                description=summary,
            )
            if drawn
            else ""
        )
        variation = analysis.variation.label
        assurance = analysis.assurance.label if analysis.assurance else ""
        summary = summary + note if drawn else ""
        kind: ChartKind = "xmr"
    else:
        analysis = analyse_run_chart(
            series, better=measure.better, baseline=baseline, target=target
        )
        # Run charts have no limits to recalculate; the recorded change still shows on the chart.
        changes = [Annotation(r.starts_on, f"Change: {r.reason}") for r in rebases]
        annotations = _annotations(points, cycles, changes)
        svg = (
            render_run_chart_svg(
                analysis,
                title=measure.name,
                y_label=measure.unit,
                annotations=annotations,
                chart_id=chart_id,
                compact=compact,
                width=width,
            )
            if drawn
            else ""
        )
        variation, assurance = _run_variation(analysis), ""
        summary = chart_summary(analysis) if drawn else ""
        kind = "run"
        drawing, drawn_annotations = analysis, annotations
    headline = measure_headline(
        analysis, name=measure.name, unit=measure.unit, changes=measure_changes(points, cycles)
    )
    # Each signal's identity ("rule:movement:first period") and sentence; not for lists of
    # many measures (``drawn=False``), which show the headline and icons only.
    signal_keys = (
        {
            f"{found.rule}:{found.movement}:{analysis.points[found.indices[0]].period}"
            if found.indices
            else f"{found.rule}": describe_signal(analysis, found)
            for found in analysis.signals
        }
        if drawn
        else {}
    )
    judged = analysis.assurance if isinstance(analysis, XmrAnalysis) else None
    if headline.limits_span_change and judged is not None:
        # Limits drawn across a step judge neither process: no verdict until they are rebased.
        judged, assurance = None, "not judged: the limits span a change"
    return MeasureChart(
        measure=measure,
        kind=kind,
        svg=svg,
        summary=summary,
        variation_label=variation,
        assurance_label=assurance,
        signal_labels=describe_signals(analysis) if drawn else [],
        table=(
            chart_table(analysis, caption=caption, unit=measure.unit, annotations=annotations)
            if drawn and window is None
            else None
        ),
        grid=(
            chart_grid(analysis, caption=caption, unit=measure.unit)
            if drawn and window is None
            else None
        ),
        point_count=count,
        drawn_count=len(drawing.points) if drawn else 0,
        notes=chart_notes(drawing, drawn_annotations) if drawn else [],
        rules=analysis.rules.statement,
        headline=headline,
        signal_lines=grouped_signals(analysis) if drawn else [],
        signal_keys=signal_keys,
        variation=analysis.variation if isinstance(analysis, XmrAnalysis) else None,
        assurance=judged,
        analysis=analysis,
    )


# --- Data points pasted or uploaded ---------------------------------------------------------

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
# A number as most cells hold it, read directly (``parse_value`` does the rest).
_PLAIN_DECIMAL = re.compile(r"-?[0-9]{1,10}(?:\.[0-9]{1,4})?\Z")
_PLAIN_DECIMAL_COMMA = re.compile(r"-?[0-9]{1,10}(?:,[0-9]{1,4})?\Z")
# A value's whole part has at most 10 digits (DataPoint.value).
_TOO_LARGE = Decimal("1e10")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d\Z", re.ASCII)
_DATE_PATTERN = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})\Z|(\d{1,2})([/.-])(\d{1,2})\5(\d{4})\Z", re.ASCII
)
PERIOD_HEADINGS = ("period", "date", "month", "week")
VALUE_HEADINGS = ("value",)
ANNOTATION_HEADINGS = ("annotation", "note", "notes", "comment")
MAX_ROWS = 1000
DELIMITER_NAMES = {"\t": "tabs", ";": "semicolons", ",": "commas"}
# What one measure and one owner may hold, so that every page, report and export that draws
# them has a bounded cost (a page at these caps: tests/security/test_chart_cost.py).
MAX_POINTS_PER_MEASURE = 1000
MAX_MEASURES_PER_OWNER = 20
# A PDSA cycle's plan, prediction, do, study and act: each a few paragraphs at most.
PDSA_TEXT_FIELDS = ("plan", "prediction", "do", "study", "act")
MAX_PDSA_TEXT_CHARACTERS = 5_000


def points_cap_error(have: int, adding: int) -> str:
    """Why ``adding`` more points to a measure holding ``have`` is refused."""
    return (
        f"A measure holds at most {MAX_POINTS_PER_MEASURE:,} data points: this one has {have:,}"
        + (f" and these would add {adding:,}" if adding > 1 else "")
        + ". Start a new measure for a new phase of the project."
    )


@dataclass(slots=True)
class ImportRow:
    """One row: its line number, the line as it was, what was read, and what is wrong."""

    line: int
    period_text: str
    value_text: str
    annotation: str
    period: datetime.date | None = None
    value: Decimal | None = None
    errors: list[str] = field(default_factory=list)
    raw: str = ""


@dataclass
class ImportPreview:
    """The parsed text: ``errors`` are about the whole of it; each row has its own.
    ``expected`` says what a row should look like, in the words the page shows."""

    rows: list[ImportRow]
    errors: list[str]
    expected: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows) and not any(row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(bool(row.errors) for row in self.rows)

    @property
    def first_problem(self) -> ImportRow | None:
        """The first row that is not right, to show as it was pasted."""
        return next((row for row in self.rows if row.errors), None)


def parse_period(text: str) -> datetime.date | None:
    """A date written as ISO (2025-03-01) or day/month/year (1/3/2025, 1.3.2025, 1-3-2025);
    None otherwise. Day first always: 03/01/2025 is the 3rd of January."""
    # A regular expression for the formats ``DATE_FORMATS`` name (strptime's %m and %d take
    # one or two digits): strptime tried pattern by pattern cost most of a 1,000-row import.
    text = text.strip()
    if _ISO_DATE.match(text):  # most cells, and date.fromisoformat reads them in C
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:  # 2025-02-30
            return None
    match = _DATE_PATTERN.match(text)
    if match is None:
        return None
    iso_year, iso_month, iso_day, day, _separator, month, year = match.groups()
    try:
        if iso_year:
            return datetime.date(int(iso_year), int(iso_month), int(iso_day))
        return datetime.date(int(year), int(month), int(day))
    except ValueError:  # 31/2/2025
        return None


def parse_value(text: str, *, decimal_comma: bool = False) -> Decimal | None:
    """A finite number; None otherwise. With a decimal point (the default) "1,234.5" and
    "12%" are allowed; with ``decimal_comma`` (the programme's spreadsheets write numbers that
    way) "1.234,5" and "12,5" are. Spaces (thousands in many locales) are ignored."""
    plain = _PLAIN_DECIMAL_COMMA if decimal_comma else _PLAIN_DECIMAL
    if plain.match(text):  # most cells: no grouping, sign or %, at most 4 decimals
        return Decimal(text.replace(",", ".")) if decimal_comma else Decimal(text)
    cleaned = text.strip().removesuffix("%").strip().replace(" ", "").replace("\u00a0", "")
    group, point = (".", ",") if decimal_comma else (",", ".")
    if group in cleaned:
        # A grouping mark only between groups of three ("1,234.5"): "12,5" where numbers use a
        # decimal point is a mistake to show, not a hundred and twenty-five.
        whole = cleaned.split(point, 1)[0].lstrip("+-")
        head, *groups = whole.split(group)
        if not (1 <= len(head) <= 3 and all(len(g) == 3 for g in groups)):
            return None
        cleaned = cleaned.replace(group, "")
    cleaned = cleaned.replace(point, ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not number.is_finite() or not math.isfinite(float(number)):
        return None
    # Stored to four decimal places (a computed percentage like 33.333333 is fine rounded).
    return (
        number.quantize(Decimal("0.0001")) if cast(int, number.as_tuple().exponent) < -4 else number
    )


def _delimiter(first_line: str) -> str:
    """Tab when the text has tabs (what a spreadsheet's copy gives), else the more common of
    semicolon and comma in the first line."""
    if "\t" in first_line:
        return "\t"
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _column(headings: list[str], names: Sequence[str]) -> int | None:
    return next((i for i, heading in enumerate(headings) if heading in names), None)


def parse_datapoints_csv(
    text: str, *, existing_periods: Iterable[datetime.date] = (), decimal_comma: bool = False
) -> ImportPreview:
    """Read pasted or uploaded text into rows: tab-separated as copied from Excel (or CSV with
    commas or semicolons), with a header row naming "period" (or "date") and "value" (and
    optionally "annotation") in any order — or without one, as period, value, annotation.

    Each row is checked on its own — a date in ISO or day/month/year, a number (with a decimal
    comma when ``decimal_comma``), an annotation of at most 300 characters — and against the
    rest: a period already in the text, or already recorded for the measure
    (``existing_periods``), is an error on that row, never an overwrite. ``expected`` says what
    a row should be and ``first_problem`` is the first row that is not."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    first_line = next((line for line in lines if line.strip()), "")
    delimiter = _delimiter(first_line)
    number = "12,5" if decimal_comma else "12.5"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records = [(number_, record) for number_, record in enumerate(reader, start=1) if any(record)]
    if not records:
        return ImportPreview(rows=[], errors=["The text is empty: paste a header row and data."])
    headings = [cell.strip().lower() for cell in records[0][1]]
    period_at = _column(headings, PERIOD_HEADINGS)
    value_at = _column(headings, VALUE_HEADINGS)
    note_at = _column(headings, ANNOTATION_HEADINGS)
    has_header = True
    if period_at is None and value_at is None and parse_period(records[0][1][0]) is not None:
        # No header: the columns are period, value, annotation.
        period_at, value_at, note_at, has_header = 0, 1, 2, False
    if has_header:
        expected = (
            f"under the header, one row a period: its date (2025-03-01 or 1/3/2025, day "
            f"first) and its value ({number}), separated by {DELIMITER_NAMES[delimiter]}"
        )
    else:
        expected = (
            f"one row a period: its date (2025-03-01 or 1/3/2025, day first), its value "
            f"({number}) and optionally an annotation, separated by {DELIMITER_NAMES[delimiter]}"
        )
    if period_at is None or value_at is None:
        return ImportPreview(
            rows=[],
            errors=[
                "The first row must name the columns — “period” (or “date”) and “value”, "
                "optionally “annotation” — or the rows must start with a date. The first line is: "
                f"“{first_line.strip()[:200]}”."
            ],
        )
    data = records[1:] if has_header else records
    if len(data) > MAX_ROWS:
        return ImportPreview(
            rows=[],
            errors=[f"At most {MAX_ROWS} rows at a time; this has {len(data)}."],
        )
    existing = set(existing_periods)
    if len(existing) + len(data) > MAX_POINTS_PER_MEASURE:
        return ImportPreview(rows=[], errors=[points_cap_error(len(existing), len(data))])
    seen: dict[datetime.date, int] = {}
    rows = []
    # A missing annotation column reads as a column past the end of every record.
    note_column = len(headings) + 1_000_000 if note_at is None else note_at
    # The loop runs 1,000 times a file inside the web request (bench/measure_import.py): the
    # usual cell, an ISO date or a plain number, is read here directly, as parse_period and
    # parse_value would read it; any other cell goes through them. A plain number cannot be
    # missing, unreadable or too large, so only the other values are checked for that.
    iso_date, from_iso = _ISO_DATE.match, datetime.date.fromisoformat
    plain_number = (_PLAIN_DECIMAL_COMMA if decimal_comma else _PLAIN_DECIMAL).match
    for line, record in data:
        width = len(record)
        period_text = record[period_at].strip() if period_at < width else ""
        value_text = record[value_at].strip() if value_at < width else ""
        annotation = record[note_column].strip() if note_column < width else ""
        errors: list[str] = []
        period: datetime.date | None
        if iso_date(period_text):
            try:
                period = from_iso(period_text)
            except ValueError:  # 2025-02-30
                period = None
        else:
            period = parse_period(period_text)
        if not period_text:
            errors.append("The period is missing.")
        elif period is None:
            errors.append(
                f"“{period_text}” is not a date: write 2025-03-01 or 1/3/2025 (day/month/year)."
            )
        elif period in seen:
            errors.append(
                f"{period.isoformat()} is also on line {seen[period]}: one value a period."
            )
        elif period in existing:
            errors.append(
                f"There is already a value for {period.isoformat()}: edit that point instead."
            )
        if period is not None:
            seen.setdefault(period, line)
        value: Decimal | None
        if plain_number(value_text):  # at most 10 whole digits
            value = Decimal(value_text.replace(",", ".") if decimal_comma else value_text)
        else:
            value = parse_value(value_text, decimal_comma=decimal_comma)
            if not value_text:
                errors.append("The value is missing.")
            elif value is None:
                errors.append(f"“{value_text}” is not a number: write it like {number}.")
            elif abs(value) >= _TOO_LARGE:
                errors.append(f"{value_text} is too large.")
        if annotation:
            if len(annotation) > 300:
                errors.append("The annotation is longer than 300 characters.")
            if "\x00" in annotation:
                errors.append("The annotation holds a NUL character, which cannot be stored.")
        rows.append(ImportRow(line, period_text, value_text, annotation, period, value, errors))
    if not rows:
        return ImportPreview(rows=[], errors=["There are no data rows under the header."])
    for row in rows:
        if row.errors:  # the line as pasted, for the rows that are not right
            row.raw = lines[row.line - 1][:200] if row.line - 1 < len(lines) else ""
    return ImportPreview(rows=rows, errors=[], expected=expected)
