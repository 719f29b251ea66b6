"""A chart's notes: annotations, PDSA cycles and (XmR) recalculated limits, numbered by date.

Every note is numbered, and the data table lists every note beside its point; the chart itself
draws only the latest ``MAX_DRAWN_NOTES`` (a number box and a line each), with a line saying how
many earlier ones it left to the table. A measure with thousands of annotated points therefore
costs the chart a fixed number of boxes, and placing them costs nothing that grows with the data.
"""

from __future__ import annotations

import textwrap
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .data import Annotation
from .periods import format_period, is_monthly
from .run_chart import RunChartAnalysis
from .spc import XmrAnalysis

# About what a 720 px chart shows before the number boxes stack into a tower.
MAX_DRAWN_NOTES = 20


@dataclass(frozen=True, slots=True)
class Note:
    number: int
    period: date
    text: str
    # For a rebase, the first point of the new segment: its line sits on the step before it.
    rebase_at: int | None = None


def numbered_notes(
    analysis: RunChartAnalysis | XmrAnalysis, annotations: Sequence[Annotation]
) -> list[Note]:
    """Annotations and (XmR) rebases in date order, numbered from 1."""
    notes: list[tuple[date, str, int | None]] = [(a.period, a.label, None) for a in annotations]
    if isinstance(analysis, XmrAnalysis):
        notes += [
            (analysis.points[s.first].period, f"Limits recalculated: {s.reason}", s.first)
            for s in analysis.segments
            if s.reason
        ]
    notes.sort(key=lambda note: (note[0], note[2] is None))
    return [
        Note(number, period, text, rebase_at)
        for number, (period, text, rebase_at) in enumerate(notes, start=1)
    ]


def drawn_notes(notes: Sequence[Note]) -> list[Note]:
    """The notes the chart draws: the latest ``MAX_DRAWN_NOTES``."""
    return list(notes[-MAX_DRAWN_NOTES:])


def left_to_table(count: int) -> str:
    """The line that stands for the notes the chart does not draw."""
    return (
        f"{count} earlier note{'s are' if count != 1 else ' is'} not drawn on the chart: "
        "the measure's data table lists every note."
    )


def chart_notes(
    analysis: RunChartAnalysis | XmrAnalysis,
    annotations: Sequence[Annotation],
    *,
    wrap: int | None = None,
) -> list[str]:
    """The drawn notes as lines of text ("1. Jun 2024: PDSA: …"), wrapped at ``wrap``
    characters when given, after a line counting the earlier notes left to the table."""
    notes = numbered_notes(analysis, annotations)
    drawn = drawn_notes(notes)
    monthly = is_monthly(analysis.points)
    texts = [left_to_table(len(notes) - len(drawn))] if len(drawn) < len(notes) else []
    texts += [f"{n.number}. {format_period(n.period, monthly=monthly)}: {n.text}" for n in drawn]
    lines: list[str] = []
    for text in texts:
        lines += textwrap.wrap(text, wrap) if wrap else [text]
    return lines


def point_of_note(note: Note, periods: Sequence[date]) -> int:
    """The index of the point a note belongs to: its rebase's point, else the last point on or
    before its date (the first point for a note before the series)."""
    if note.rebase_at is not None:
        return note.rebase_at
    return max(bisect_right(periods, note.period) - 1, 0)
