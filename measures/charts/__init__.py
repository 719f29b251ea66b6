"""Improvement measures as charts: run-chart and XmR (SPC) analysis, SVG, text and tables.

Plain functions over plain data (no ORM, no Django), shared by the measure pages and the PDF
reports. Typical use by a page::

    points = [Point(period=row.period, value=float(row.value), astronomical=row.astronomical)
              for row in measure.datapoints]
    analysis = analyse_run_chart(points, better=measure.better, baseline=..., target=...)
    svg = render_run_chart_svg(analysis, title=measure.name, y_label=measure.unit,
                               annotations=[Annotation(c.started_on, c.title) for c in cycles],
                               chart_id=f"measure-{measure.pk}-run")
    summary, table = chart_summary(analysis), chart_table(analysis, caption=..., unit=...)
"""

from .bars import distribution_words, render_bars_svg
from .data import (
    Annotation,
    Baseline,
    Better,
    Movement,
    Nature,
    Point,
    PointNature,
    Rule,
    Signal,
    month_starts,
)
from .headline import (
    Change,
    ChangeKind,
    Headline,
    RebaseProposal,
    grouped_signals,
    measure_headline,
)
from .icons import (
    ASSURANCE_SHORT,
    VARIATION_SHORT,
    assurance_icon_svg,
    icon_symbols_svg,
    icon_use_svg,
    variation_icon_svg,
)
from .notes import MAX_DRAWN_NOTES, chart_notes
from .run_chart import (
    RUNS_TABLE,
    RunChartAnalysis,
    RunChartRules,
    RunsTest,
    RunsVerdict,
    analyse_run_chart,
)
from .spc import (
    Assurance,
    NotEnoughPoints,
    Rebase,
    Segment,
    SpcRules,
    Variation,
    XmrAnalysis,
    analyse_xmr,
    latest_window,
    xmr_possible,
)
from .svg import (
    chart_status,
    escape_text,
    render_legend_svg,
    render_run_chart_svg,
    render_xmr_chart_svg,
)
from .text import (
    DataTable,
    chart_grid,
    chart_summary,
    chart_table,
    describe_signal,
    describe_signals,
)

__all__ = [
    "ASSURANCE_SHORT",
    "MAX_DRAWN_NOTES",
    "RUNS_TABLE",
    "VARIATION_SHORT",
    "Annotation",
    "Assurance",
    "Baseline",
    "Better",
    "Change",
    "ChangeKind",
    "DataTable",
    "Headline",
    "Movement",
    "Nature",
    "NotEnoughPoints",
    "Point",
    "PointNature",
    "Rebase",
    "RebaseProposal",
    "Rule",
    "RunChartAnalysis",
    "RunChartRules",
    "RunsTest",
    "RunsVerdict",
    "Segment",
    "Signal",
    "SpcRules",
    "Variation",
    "XmrAnalysis",
    "analyse_run_chart",
    "analyse_xmr",
    "assurance_icon_svg",
    "chart_grid",
    "chart_notes",
    "chart_status",
    "chart_summary",
    "chart_table",
    "describe_signal",
    "describe_signals",
    "distribution_words",
    "latest_window",
    "escape_text",
    "grouped_signals",
    "icon_symbols_svg",
    "icon_use_svg",
    "measure_headline",
    "month_starts",
    "render_bars_svg",
    "render_legend_svg",
    "render_run_chart_svg",
    "render_xmr_chart_svg",
    "variation_icon_svg",
    "xmr_possible",
]
