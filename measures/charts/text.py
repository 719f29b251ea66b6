"""Words and tables for a chart: the text summary of its signals and its data as a table.

Screen-reader users get the same facts as the picture (the SVG's <desc> is the summary, and
the page shows the table beside the chart); so does anyone reading a grey-scale print.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .data import (
    Annotation,
    Better,
    Movement,
    Nature,
    Point,
    PointNature,
    Rule,
    Signal,
    signals_by_point,
)
from .notes import numbered_notes, point_of_note
from .periods import MONTHS, format_period, is_monthly
from .run_chart import RunChartAnalysis, RunsVerdict
from .spc import Segment, XmrAnalysis

RULE_NAMES = {
    Rule.SHIFT: "shift",
    Rule.TREND: "trend",
    Rule.TOO_FEW_RUNS: "too few runs",
    Rule.TOO_MANY_RUNS: "too many runs",
    Rule.ASTRONOMICAL: "astronomical point",
    Rule.OUTSIDE_LIMITS: "outside the limits",
    Rule.TWO_OF_THREE: "2 of 3 near a limit",
}

Analysis = RunChartAnalysis | XmrAnalysis


def format_value(value: float) -> str:
    """A value as people write it: thousands separated, at most two decimals (three
    significant figures below 1), no trailing zeros."""
    if value != 0 and abs(value) < 1:
        text = f"{value:.3g}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _span(points: Sequence[Point], indices: Sequence[int], monthly: bool) -> str:
    first = format_period(points[indices[0]].period, monthly=monthly)
    if indices[0] == indices[-1]:
        return first
    return f"{first} to {format_period(points[indices[-1]].period, monthly=monthly)}"


def describe_signal(analysis: Analysis, found: Signal, *, monthly: bool | None = None) -> str:
    """One signal in a sentence fragment, e.g. "shift: 7 points in a row above the median,
    Mar 2024 to Sep 2024 (improvement)". ``monthly`` (``is_monthly`` of the points) saves
    working it out again for each of a chart's signals."""
    points = analysis.points
    if monthly is None:
        monthly = is_monthly(points)
    centre = "median" if isinstance(analysis, RunChartAnalysis) else "mean"
    higher = found.movement is Movement.HIGHER
    count = len(found.indices)
    if found.rule is Rule.SHIFT:
        where = "above" if higher else "below"
        text = f"{count} points in a row {where} the {centre}"
    elif found.rule is Rule.TREND:
        text = f"{count} points in a row {'rising' if higher else 'falling'}"
        if isinstance(analysis, RunChartAnalysis):
            text += " (repeated values count once)"
    elif found.rule is Rule.OUTSIDE_LIMITS:
        value = format_value(points[found.indices[0]].value)
        text = f"{value} is {'above the upper' if higher else 'below the lower'} limit"
    elif found.rule is Rule.TWO_OF_THREE:
        text = (
            f"{count} points beyond two-thirds of the way to the "
            f"{'upper' if higher else 'lower'} limit"
        )
    elif found.rule is Rule.ASTRONOMICAL:
        text = f"{format_value(points[found.indices[0]].value)} flagged as astronomical"
    else:
        # Only run charts count runs (their rules are the only ones that reach here).
        assert isinstance(analysis, RunChartAnalysis)
        runs = analysis.runs
        limit = (
            f"fewer than {runs.lower}"
            if found.rule is Rule.TOO_FEW_RUNS
            else f"more than {runs.upper}"
        )
        return (
            f"{RULE_NAMES[found.rule]}: {runs.runs} runs in {runs.useful_observations} points "
            f"off the median, {limit} ({runs.source})"
        )
    where = _span(points, found.indices, monthly)
    nature = "" if found.nature is Nature.NEUTRAL else f" ({found.nature.value})"
    return f"{RULE_NAMES[found.rule]}: {text}, {where}{nature}"


def describe_signals(analysis: Analysis) -> list[str]:
    """Every signal of the chart, described (``describe_signal``)."""
    monthly = is_monthly(analysis.points)
    return [describe_signal(analysis, found, monthly=monthly) for found in analysis.signals]


def _direction(better: Better) -> str:
    return "Higher is better." if better is Better.UP else "Lower is better."


def chart_summary(analysis: Analysis) -> str:
    """A plain-text account of the chart: what it shows, every signal, and the rules used."""
    points = analysis.points
    monthly = is_monthly(points)
    period = _span(points, [0, len(points) - 1], monthly)
    count = f"{len(points)} point{'' if len(points) == 1 else 's'}"
    sentences: list[str] = []
    if isinstance(analysis, RunChartAnalysis):
        sentences.append(f"Run chart of {count}, {period}. {_direction(analysis.better)}")
        basis = (
            f"the baseline {format_period(analysis.baseline.starts_on, monthly=monthly)} to "
            f"{format_period(analysis.baseline.ends_on, monthly=monthly)}"
            if analysis.median_from_baseline and analysis.baseline
            else "all points"
        )
        sentences.append(f"Median {format_value(analysis.median)} (from {basis}).")
        if analysis.target is not None:
            sentences.append(f"Target {format_value(analysis.target)}.")
        sentences.append(_signals_sentence(analysis, analysis.signals, monthly))
        runs = analysis.runs
        if runs.verdict is RunsVerdict.NOT_JUDGED:
            sentences.append(
                f"Runs not judged: {runs.useful_observations} points off the median, "
                f"the table starts at {analysis.rules.min_useful_for_runs}."
            )
        elif runs.verdict is RunsVerdict.AS_EXPECTED:
            sentences.append(
                f"{runs.runs} runs in {runs.useful_observations} points off the median, within "
                f"the expected {runs.lower} to {runs.upper}."
            )
        if not analysis.enough_points:
            sentences.append(
                f"With fewer than {analysis.rules.min_points} points, read any signal with care."
            )
        sentences.append(analysis.rules.statement)
        return " ".join(sentences)

    sentences.append(f"XmR chart of {count}, {period}. {_direction(analysis.better)}")
    if analysis.target is not None:
        sentences.append(f"Target {format_value(analysis.target)}.")
    for number, segment in enumerate(analysis.segments, start=1):
        basis = _span(points, [segment.basis_first, segment.basis_last], monthly)
        start = format_period(points[segment.first].period, monthly=monthly)
        opening = (
            f"Limits recalculated from {start} because: {segment.reason}." if segment.reason else ""
        )
        heading = f"Segment {number}:" if len(analysis.segments) > 1 else ""
        limits = (
            f"Mean {format_value(segment.mean)}, lower limit {format_value(segment.lower)}, "
            f"upper limit {format_value(segment.upper)}, from {segment.basis_count} points "
            f"({basis})" + (", provisional." if segment.provisional else ".")
        )
        sentences.append(" ".join(part for part in (heading, opening, limits) if part))
        sentences.append(_signals_sentence(analysis, segment.signals, monthly))
        sentences.append(f"Variation: {segment.variation.label}.")
        if segment.assurance is not None:
            sentences.append(f"Assurance: {segment.assurance.label}.")
    sentences.append(analysis.rules.statement)
    return " ".join(sentences)


def _signals_sentence(analysis: Analysis, signals: Sequence[Signal], monthly: bool) -> str:
    if not signals:
        return "No signals: the variation looks random (common cause)."
    described = (describe_signal(analysis, found, monthly=monthly) for found in signals)
    return "Signals: " + "; ".join(described) + "."


@dataclass(frozen=True, slots=True)
class DataTable:
    """The chart's data for an accessible table: the first cell of each row is its header
    (render it as <th scope="row">), ``columns`` as <th scope="col">."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Sentences under the table (the limits each stretch of the chart used).
    notes: tuple[str, ...] = ()


def chart_table(
    analysis: Analysis,
    *,
    caption: str,
    unit: str = "",
    annotations: Sequence[Annotation] = (),
) -> DataTable:
    """The chart's data, one row per point, with the signals each point belongs to and, when
    the chart has any, its notes numbered as on the chart (every note, also those the chart
    leaves undrawn). Linear in the points, signals and notes."""
    points = analysis.points
    monthly = is_monthly(points)
    value_heading = f"Value ({unit})" if unit else "Value"
    signals = signals_by_point(len(points), analysis.signals)
    notes: list[list[str]] = [[] for _ in points]
    periods = [point.period for point in points]
    for note in numbered_notes(analysis, annotations):
        notes[point_of_note(note, periods)].append(f"{note.number}. {note.text}")
    has_notes = any(notes)
    # Segments are consecutive runs of points: each point's, in one pass over them.
    segment_of: list[Segment] = []
    if isinstance(analysis, XmrAnalysis):
        for segment in analysis.segments:
            segment_of += [segment] * (segment.last - segment.first + 1)
    rows = []
    for index, point in enumerate(points):
        found_here = "; ".join(
            RULE_NAMES[found.rule]
            + ("" if found.nature is Nature.NEUTRAL else f" ({found.nature})")
            for found in signals[index]
        )
        cells = [format_period(point.period, monthly=monthly), format_value(point.value)]
        if isinstance(analysis, RunChartAnalysis):
            cells.append(format_value(analysis.median))
        else:
            segment = segment_of[index]
            moving_range = analysis.moving_ranges[index]
            cells += [
                "" if moving_range is None else format_value(moving_range),
                format_value(segment.mean),
                format_value(segment.lower),
                format_value(segment.upper),
            ]
        cells.append(found_here or "none")
        if has_notes:
            cells.append("; ".join(notes[index]))
        rows.append(tuple(cells))
    if isinstance(analysis, RunChartAnalysis):
        columns: tuple[str, ...] = ("Period", value_heading, "Median", "Signals")
    else:
        columns = ("Period", value_heading, "Moving range", "Mean", "Lower limit", "Upper limit")
        columns += ("Signals",)
    if has_notes:
        columns += ("Notes",)
    return DataTable(caption=caption, columns=columns, rows=tuple(rows))


# How ``chart_grid`` marks a point that is part of a special-cause signal.
GRID_MARKS = {
    PointNature.IMPROVEMENT: " (I)",
    PointNature.CONCERN: " (C)",
    PointNature.MIXED: " (I/C)",
    PointNature.COMMON: "",
}
GRID_LEGEND = "(I): part of a special-cause signal of improvement; (C): of concern; (I/C): both."
WEEKS_A_ROW = 6
VALUE_SEPARATOR = " · "


def chart_grid(analysis: Analysis, *, caption: str, unit: str = "") -> DataTable:
    """The chart's values in a compact table for print: for monthly data a row a year,
    otherwise a row of ``WEEKS_A_ROW`` periods, each row's values in one cell, each value
    labelled with its month (or day) and marked when it belongs to a special-cause signal
    (``GRID_MARKS``): "Jan: 14 (C) · Feb: 16 (C) · …". The centre line and limits of each
    stretch are the table's ``notes``. The full point-by-point table is ``chart_table``.

    One cell a row, not a column a month: WeasyPrint's time goes on cells (a report's thirty
    such tables with a cell a month took four times a plain page's time a page), and the
    labels keep every value's month beside it for a screen reader as a column header did."""
    points = analysis.points
    monthly = is_monthly(points)
    marks = [GRID_MARKS[nature] for nature in analysis.natures]
    cells = [f"{format_value(p.value)}{mark}" for p, mark in zip(points, marks, strict=True)]
    if monthly:
        columns: tuple[str, ...] = ("Year", "Month: value")
        by_year: dict[int, list[str]] = {}
        for point, cell in zip(points, cells, strict=True):
            label = MONTHS[point.period.month - 1]
            by_year.setdefault(point.period.year, []).append(f"{label}: {cell}")
        rows = tuple((str(year), VALUE_SEPARATOR.join(values)) for year, values in by_year.items())
    else:
        columns = ("Starting", "Day: value")
        rows = tuple(
            (
                format_period(points[start].period, monthly=False),
                VALUE_SEPARATOR.join(
                    f"{point.period.day} {MONTHS[point.period.month - 1]}: {cell}"
                    for point, cell in zip(
                        points[start : start + WEEKS_A_ROW],
                        cells[start : start + WEEKS_A_ROW],
                        strict=True,
                    )
                ),
            )
            for start in range(0, len(points), WEEKS_A_ROW)
        )
    in_unit = f" ({unit})" if unit else ""
    if isinstance(analysis, RunChartAnalysis):
        notes: tuple[str, ...] = (f"Median {format_value(analysis.median)}{in_unit}.",)
    else:
        notes = tuple(
            f"{_span(points, [segment.first, segment.last], monthly)}: mean "
            f"{format_value(segment.mean)}, lower limit {format_value(segment.lower)}, upper "
            f"limit {format_value(segment.upper)}{in_unit}"
            + (f" (recalculated: {segment.reason})" if segment.reason else "")
            + "."
            for segment in analysis.segments
        )
    return DataTable(caption=caption, columns=columns, rows=rows, notes=(*notes, GRID_LEGEND))
