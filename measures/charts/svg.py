"""Hand-built SVG for run charts and XmR charts: one code path for the web page and the PDF.

WeasyPrint renders inline SVG, so the report embeds the same string the page shows. Every piece
of text goes through :func:`escape_text` (titles, labels and annotations are typed by users);
the result is safe to mark safe in a template. Meaning is never carried by colour alone: each
kind of point has its own marker shape, each line its own dash pattern and a text label, and a
legend names them, so the chart reads in grey-scale print and for colour-blind readers.
"""

from __future__ import annotations

import math
import re
import textwrap
from bisect import bisect_left
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from .data import Annotation, Nature, PointNature, signals_by_point
from .notes import chart_notes, drawn_notes, numbered_notes
from .run_chart import RunChartAnalysis
from .spc import XmrAnalysis
from .text import (
    RULE_NAMES,
    Analysis,
    chart_summary,
    format_period,
    format_value,
    is_monthly,
)

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
INK = "#222222"
GRID = "#e3e3e3"
DATA_LINE = "#9a9a9a"
TARGET = "#2e7d32"
NOTE_LINE = "#555555"
# Dark blue for improvement and orange for concern, as in Making Data Count; grey for common.
COLOURS = {
    PointNature.COMMON: "#6e6e6e",
    PointNature.IMPROVEMENT: "#1565c0",
    PointNature.CONCERN: "#e65100",
    PointNature.MIXED: "#6a1b9a",
}
NATURE_LABELS = {
    PointNature.COMMON: "Common cause",
    PointNature.IMPROVEMENT: "Special cause: improvement",
    PointNature.CONCERN: "Special cause: concern",
    PointNature.MIXED: "Improvement and concern",
}
SOLID, DASHED, DOTTED, DASH_DOT = "", "6 4", "2 3", "9 3 2 3"

# Characters XML 1.0 does not allow at all; a pasted control character must not break the page.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]")


def escape_text(text: object) -> str:
    """Text safe for SVG content and for double- or single-quoted attributes.

    Characters XML forbids are dropped; a carriage return is written as a reference so that
    parsing gives back the text as typed (XML turns a literal one into a line feed).
    """
    return escape(_NOT_XML.sub("", str(text)), {'"': "&quot;", "'": "&#x27;", "\r": "&#13;"})


def _n(number: float) -> str:
    """A coordinate: one decimal is plenty on screen and on paper."""
    return f"{number:.1f}".rstrip("0").rstrip(".")


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 × 10^k) covering ``low`` to ``high``."""
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step + 1e-9) * step
    stop = math.ceil(high / step - 1e-9) * step
    return [round(start + i * step, 10) for i in range(round((stop - start) / step) + 1)]


class _Layout:
    """Scales and positions for one chart."""

    def __init__(self, analysis: Analysis, width: int, top: float, y_values: list[float]):
        self.analysis = analysis
        self.width = width
        self.left = 72.0
        self.right = width - 132.0
        self.top = top
        self.bottom = top + 240.0
        ticks = nice_ticks(min(y_values), max(y_values))
        self.ticks = ticks
        self.y_low, self.y_high = ticks[0], ticks[-1]
        self.count = len(analysis.points)
        self.step = (self.right - self.left) / self.count
        self.periods = [point.period for point in analysis.points]

    def x(self, index: float) -> float:
        return self.left + (index + 0.5) * self.step

    def y(self, value: float) -> float:
        share = (value - self.y_low) / (self.y_high - self.y_low)
        return self.bottom - share * (self.bottom - self.top)

    def x_of_date(self, day: date) -> float:
        """x for a date: at its point, or between the points either side of it (a binary
        search: the periods are in order)."""
        periods = self.periods
        if day <= periods[0]:
            return self.x(0)
        index = bisect_left(periods, day)
        if index == len(periods):
            return self.x(len(periods) - 1)
        before, after = periods[index - 1], periods[index]
        share = (day - before).days / max((after - before).days, 1)
        return self.x(index - 1 + share)


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, dash: str, width=1.5) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{colour}" '
        f'stroke-width="{width}"{dash_attr}/>'
    )


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start", extra="") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}"{extra}>'
        f"{escape_text(text)}</text>"
    )


def marker(nature: PointNature, x: float, y: float) -> str:
    """The marker for a point: a shape per kind (circle, square, diamond, triangle)."""
    colour = COLOURS[nature]
    if nature is PointNature.IMPROVEMENT:
        return (
            f'<rect x="{_n(x - 4.5)}" y="{_n(y - 4.5)}" width="9" height="9" fill="{colour}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
    if nature is PointNature.CONCERN:
        return (
            f'<path d="M{_n(x)} {_n(y - 6)}L{_n(x + 6)} {_n(y)}L{_n(x)} {_n(y + 6)}'
            f'L{_n(x - 6)} {_n(y)}Z" fill="{colour}" stroke="{INK}" stroke-width="0.8"/>'
        )
    if nature is PointNature.MIXED:
        return (
            f'<path d="M{_n(x)} {_n(y - 6)}L{_n(x + 6)} {_n(y + 5)}L{_n(x - 6)} {_n(y + 5)}Z" '
            f'fill="{colour}" stroke="{INK}" stroke-width="0.8"/>'
        )
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}"/>'


def _legend(
    body: list[str],
    kinds: Sequence[PointNature],
    ringed: bool,
    lines: Sequence[tuple[str, str, str]],
    width: float,
    ly: float,
) -> float:
    """Append the legend (marker shapes and line styles, named) from baseline ``ly``; returns
    the last row's baseline."""
    items: list[tuple[str, str]] = [(NATURE_LABELS[kind], marker(kind, 0, 0)) for kind in kinds]
    if ringed:
        ring = f'<circle cx="0" cy="0" r="7" fill="none" stroke="{INK}" stroke-width="1.2"/>'
        items.append(("Astronomical (flagged)", ring))
    for name, colour, dash in lines:
        items.append((name, _line(-10, 0, 10, 0, colour, dash, 1.5)))
    lx = 12.0
    for name, sample in items:
        item_width = 44 + len(name) * 6.8
        if lx + item_width > width - 12:
            lx, ly = 12.0, ly + 18
        body.append(f'<g transform="translate({_n(lx + 10)} {_n(ly - 4)})">{sample}</g>')
        body.append(_text(lx + 26, ly, name, size=11))
        lx += item_width
    return ly


def render_legend_svg(width: int = 720) -> str:
    """One legend for every chart of a printed document (charts drawn ``compact``): each kind
    of point and each line style, named."""
    body: list[str] = []
    lines = [
        ("Mean or median", INK, SOLID),
        ("Process limits or extended median", INK, DASHED),
        ("Target", TARGET, DASH_DOT),
    ]
    ly = _legend(body, list(PointNature), True, lines, width, 18)
    height = ly + 12
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Chart legend" '
        f'width="{width}" height="{_n(height)}" viewBox="0 0 {width} {_n(height)}" '
        f'font-family="{FONT}" fill="{INK}">' + "".join(body) + "</svg>"
    )


def _marker_d(nature: PointNature, x: float, y: float) -> str:
    """The marker of ``marker`` as path data, so a compact chart draws all the points of one
    kind as one path (one SVG node instead of one per point)."""
    if nature is PointNature.IMPROVEMENT:
        return f"M{_n(x - 4.5)} {_n(y - 4.5)}h9v9h-9Z"
    if nature is PointNature.CONCERN:
        return f"M{_n(x)} {_n(y - 6)}L{_n(x + 6)} {_n(y)}L{_n(x)} {_n(y + 6)}L{_n(x - 6)} {_n(y)}Z"
    if nature is PointNature.MIXED:
        return f"M{_n(x)} {_n(y - 6)}L{_n(x + 6)} {_n(y + 5)}L{_n(x - 6)} {_n(y + 5)}Z"
    return f"M{_n(x - 3.5)} {_n(y)}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0Z"


def _place_notes(xs: Sequence[float], gap: float = 18) -> list[tuple[float, int]]:
    """(x, level) for number boxes at ``xs``: each on the lowest level where no box placed
    before it on that level is closer than ``gap``. Sorted by x, a level's nearest box is the
    last one put there, so one comparison per level decides: O(n log n + n × levels)."""
    levels: list[float] = []  # the x of the last box on each level
    placed: dict[int, tuple[float, int]] = {}
    for index in sorted(range(len(xs)), key=lambda i: xs[i]):
        nx = xs[index]
        level = next((lv for lv, last in enumerate(levels) if nx - last >= gap), len(levels))
        if level == len(levels):
            levels.append(nx)
        else:
            levels[level] = nx
        placed[index] = (nx, level)
    return [placed[index] for index in range(len(xs))]


def _spread(labels: list[tuple[float, str]], top: float, bottom: float) -> list[tuple[float, str]]:
    """Nudge right-hand line labels apart so they never overlap (12 px apart)."""
    placed: list[tuple[float, str]] = []
    for y, text in sorted(labels):
        y = min(max(y, top + 4), bottom)
        if placed and y - placed[-1][0] < 12:
            y = placed[-1][0] + 12
        placed.append((y, text))
    return placed


def render_run_chart_svg(
    analysis: RunChartAnalysis,
    *,
    title: str,
    y_label: str,
    x_label: str = "Period",
    annotations: Sequence[Annotation] = (),
    chart_id: str = "chart",
    width: int = 720,
    compact: bool = False,
) -> str:
    """The run chart as an SVG string: median (solid over its baseline, dashed where extended),
    target, points by kind, flagged astronomical points ringed, annotations numbered and listed
    under the chart, the rules stated, and the text summary as its <desc>.

    ``compact`` draws only the plot, for print: see ``_render``."""
    return _render(analysis, title, y_label, x_label, annotations, chart_id, width, compact)


def render_xmr_chart_svg(
    analysis: XmrAnalysis,
    *,
    title: str,
    y_label: str,
    x_label: str = "Period",
    annotations: Sequence[Annotation] = (),
    chart_id: str = "chart",
    width: int = 720,
    compact: bool = False,
    description: str | None = None,
) -> str:
    """The XmR chart as an SVG string: mean and limits per segment (the step and the reason of
    each rebase shown and listed), target, points by kind, annotations, the rule lengths, the
    variation and assurance labels, and the text summary as its <desc>.

    ``compact`` draws only the plot, for print: see ``_render``. ``description``: the <desc>
    instead of the analysis's summary (a chart drawing a ``latest_window`` describes the whole
    series)."""
    return _render(
        analysis, title, y_label, x_label, annotations, chart_id, width, compact, description
    )


def chart_status(analysis: Analysis) -> str:
    """One line on the variation (and assurance) or the run-chart signals found."""
    if isinstance(analysis, XmrAnalysis):
        status = f"Variation: {analysis.variation.label}."
        if analysis.assurance is not None:
            status += f" Assurance: {analysis.assurance.label}."
        current = analysis.segments[-1]
        if current.provisional:
            status += f" Limits are provisional (from {current.basis_count} points)."
        return status
    if not analysis.signals:
        return "No run-chart signals: the variation looks random."
    names = dict.fromkeys(
        RULE_NAMES[s.rule] + ("" if s.nature is Nature.NEUTRAL else f" ({s.nature})")
        for s in analysis.signals
    )
    return "Signals: " + ", ".join(names) + "."


def _render(
    analysis: Analysis,
    title: str,
    y_label: str,
    x_label: str,
    annotations: Sequence[Annotation],
    chart_id: str,
    width: int,
    compact: bool = False,
    description: str | None = None,
) -> str:
    """``compact`` leaves out everything a printed document says better as text around the
    chart: the heading (title, status, rules), the legend, the list of notes (their numbers
    stay on the plot), each point's tooltip and the "Period" axis title; centre line and limits
    are labelled with their values alone and periods as "Jan 23". WeasyPrint lays out SVG
    text one glyph at a time, so those characters made up most of a report's chart-drawing
    time (the labels left cost a fifth of the whole render even so); the report
    prints them as ordinary text (``chart_status``, ``chart_notes``) and one legend
    (``render_legend_svg``) for all its charts."""
    ident = _NOT_ID.sub("-", chart_id) or "chart"
    if not ident[0].isalpha():
        ident = f"chart-{ident}"
    is_xmr = isinstance(analysis, XmrAnalysis)
    points = analysis.points
    monthly = is_monthly(points)
    body: list[str] = []

    # Heading block: title, status (signals / MDC labels), the rules used.
    y = 22.0 if not compact else 0.0
    for line in [] if compact else textwrap.wrap(title, max(20, int(width / 9.5))) or [""]:
        body.append(_text(12, y, line, size=16, extra=' font-weight="bold"'))
        y += 20
    for line in [] if compact else textwrap.wrap(chart_status(analysis), max(30, int(width / 6.6))):
        body.append(_text(12, y, line, size=12))
        y += 15
    for line in [] if compact else textwrap.wrap(analysis.rules.statement, max(30, int(width / 6))):
        body.append(_text(12, y, line, size=10, extra=f' fill="{NOTE_LINE}"'))
        y += 13

    # Scales: everything drawn must fit.
    y_values = [p.value for p in points]
    if isinstance(analysis, XmrAnalysis):
        for segment in analysis.segments:
            y_values += [segment.upper, segment.lower]
    else:
        y_values.append(analysis.median)
    if analysis.target is not None:
        y_values.append(analysis.target)
    layout = _Layout(analysis, width, y + 26, y_values)

    # Notes (annotations and rebases) are numbered on the chart and listed under it; the
    # chart draws the latest few (``notes.MAX_DRAWN_NOTES``), the data table lists them all.
    # Number boxes closer than their width stack upwards, so make room above the plot.
    notes = drawn_notes(numbered_notes(analysis, annotations))
    placed = _place_notes(
        [
            layout.x(note.rebase_at) - layout.step / 2
            if note.rebase_at is not None
            else layout.x_of_date(note.period)
            for note in notes
        ]
    )
    if any(level for _, level in placed):
        layout = _Layout(analysis, width, y + 26 + 15 * max(lv for _, lv in placed), y_values)
    left, right, top, bottom = layout.left, layout.right, layout.top, layout.bottom
    half = layout.step / 2

    # Grid, axes and tick labels. Compact charts draw the grid as one path and the axes with
    # their ticks as another.
    grid_d, axes_d = [], [f"M{_n(left)} {_n(top)}V{_n(bottom)}H{_n(right)}"]
    for number, tick in enumerate(layout.ticks):
        ty = layout.y(tick)
        if compact:
            grid_d.append(f"M{_n(left)} {_n(ty)}H{_n(right)}")
        else:
            body.append(_line(left, ty, right, ty, GRID, SOLID, 1))
        # Each SVG text node costs WeasyPrint most of a millisecond: in print every other
        # gridline is labelled.
        if not compact or number % 2 == 0:
            body.append(_text(left - 6, ty + 4, format_value(tick), anchor="end"))
    if not compact:
        body.append(_line(left, top, left, bottom, INK, SOLID, 1))
        body.append(_line(left, bottom, right, bottom, INK, SOLID, 1))
    label_every = max(1, math.ceil(len(points) * (80 if not monthly else 62) / (right - left)))
    if compact:  # printed at about 130 mm, every other label still reads
        label_every *= 2
    for index in range(0, len(points), label_every):
        px = layout.x(index)
        if compact:
            axes_d.append(f"M{_n(px)} {_n(bottom)}v4")
        else:
            body.append(_line(px, bottom, px, bottom + 4, INK, SOLID, 1))
        period = format_period(points[index].period, monthly=monthly)
        if compact:  # "Jan 23": every glyph counts in print (see _render)
            period = period[:-4] + period[-2:]
        body.append(_text(px, bottom + 16, period, size=10, anchor="middle"))
    if compact:
        body.insert(0, f'<path d="{"".join(grid_d)}" fill="none" stroke="{GRID}"/>')
        body.append(f'<path d="{"".join(axes_d)}" fill="none" stroke="{INK}"/>')
    else:  # the periods are plainly dates; print spends no glyphs saying so
        body.append(_text((left + right) / 2, bottom + 34, x_label, size=12, anchor="middle"))
    middle = (top + bottom) / 2
    body.append(
        _text(16, middle, y_label, size=12, anchor="middle",
              extra=f' transform="rotate(-90 16 {_n(middle)})"')
    )  # fmt: skip

    # Centre lines and limits, with labels on the right.
    labels: list[tuple[float, str]] = []
    legend_lines: list[tuple[str, str, str]] = []
    if isinstance(analysis, XmrAnalysis):
        for segment in analysis.segments:
            x1, x2 = layout.x(segment.first) - half, layout.x(segment.last) + half
            body.append(_line(x1, layout.y(segment.mean), x2, layout.y(segment.mean), INK, SOLID))
            for limit in (segment.upper, segment.lower):
                body.append(_line(x1, layout.y(limit), x2, layout.y(limit), INK, DASHED, 1.2))
        current = analysis.segments[-1]
        labels += [
            (layout.y(current.mean), f"Mean {format_value(current.mean)}"),
            (layout.y(current.upper), f"Upper limit {format_value(current.upper)}"),
            (layout.y(current.lower), f"Lower limit {format_value(current.lower)}"),
        ]
        legend_lines += [("Mean", INK, SOLID), ("Process limits", INK, DASHED)]
    else:
        my = layout.y(analysis.median)
        if analysis.median_from_baseline and analysis.baseline:
            inside = [i for i, p in enumerate(points) if analysis.baseline.contains(p.period)]
            x1, x2 = layout.x(inside[0]) - half, layout.x(inside[-1]) + half
            body.append(_line(left, my, right, my, INK, DASHED, 1.2))
            body.append(_line(x1, my, x2, my, INK, SOLID, 2))
            legend_lines += [("Median of baseline", INK, SOLID), ("Extended median", INK, DASHED)]
        else:
            body.append(_line(left, my, right, my, INK, SOLID))
            legend_lines.append(("Median", INK, SOLID))
        labels.append((my, f"Median {format_value(analysis.median)}"))
    if analysis.target is not None:
        ty = layout.y(analysis.target)
        body.append(_line(left, ty, right, ty, TARGET, DASH_DOT, 1.5))
        labels.append((ty, f"Target {format_value(analysis.target)}"))
        legend_lines.append(("Target", TARGET, DASH_DOT))
    for label_y, text in _spread(labels, top, bottom):
        if compact and not text.startswith("Target"):
            # The value alone: the one legend says solid is the centre line, dashed the limits.
            text = text.rsplit(" ", 1)[-1]
        body.append(_text(right + 6, label_y + 4, text, size=10))

    for note, (nx, level) in zip(notes, placed, strict=True):
        number = note.number
        dash = DOTTED if note.rebase_at is None else DASHED
        body.append(_line(nx, top, nx, bottom, NOTE_LINE, dash, 1))
        body.append(
            f'<rect x="{_n(nx - 8)}" y="{_n(top - 16 - level * 15)}" width="16" height="14" '
            f'fill="#ffffff" stroke="{NOTE_LINE}" stroke-width="0.8"/>'
        )
        body.append(_text(nx, top - 5 - level * 15, str(number), size=10, anchor="middle"))

    # The data: a line, then a marker per point with its own tooltip.
    path = " ".join(f"{_n(layout.x(i))},{_n(layout.y(p.value))}" for i, p in enumerate(points))
    body.append(f'<polyline points="{path}" fill="none" stroke="{DATA_LINE}" stroke-width="1.5"/>')
    ringed = False
    merged: dict[PointNature, list[str]] = {}
    signals = signals_by_point(len(points), analysis.signals)
    for index, point in enumerate(points):
        px, py = layout.x(index), layout.y(point.value)
        found = signals[index]
        tip = f"{format_period(point.period, monthly=monthly)}: {format_value(point.value)}"
        if found:
            tip += " — " + ", ".join(RULE_NAMES[s.rule] for s in found)
        if compact:
            merged.setdefault(analysis.natures[index], []).append(
                _marker_d(analysis.natures[index], px, py)
            )
        shape = "" if compact else marker(analysis.natures[index], px, py)
        if not is_xmr and point.astronomical:
            ringed = True
            shape += (
                f'<circle cx="{_n(px)}" cy="{_n(py)}" r="9" fill="none" stroke="{INK}" '
                'stroke-width="1.2"/>'
            )
        if shape:
            body.append(shape if compact else f"<g><title>{escape_text(tip)}</title>{shape}</g>")
    for nature, parts in merged.items():
        outline = "" if nature is PointNature.COMMON else f' stroke="{INK}" stroke-width="0.8"'
        body.append(f'<path d="{"".join(parts)}" fill="{COLOURS[nature]}"{outline}/>')

    if compact:
        height = bottom + 44
    else:
        kinds = [PointNature.COMMON, PointNature.IMPROVEMENT, PointNature.CONCERN]
        if PointNature.MIXED in analysis.natures:
            kinds.append(PointNature.MIXED)
        ly = _legend(body, kinds, ringed, legend_lines, width, bottom + 58)
        y = ly + 10
        for line in chart_notes(analysis, annotations, wrap=max(30, int(width / 6.2))):
            y += 15
            body.append(_text(12, y, line, size=11))
        height = y + 14

    title_id, desc_id = f"{ident}-title", f"{ident}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="measure-chart" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" width="{width}" height="{_n(height)}" '
        f'viewBox="0 0 {width} {_n(height)}" font-family="{FONT}" fill="{INK}">'
        f'<title id="{title_id}">{escape_text(title)}</title>'
        f'<desc id="{desc_id}">{escape_text(description or chart_summary(analysis))}</desc>'
        + ("" if compact else f'<rect width="{width}" height="{_n(height)}" fill="#ffffff"/>')
        + "".join(body)
        + "</svg>"
    )
