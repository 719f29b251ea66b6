"""How long one measure's chart takes: analyse and render a 60-point measure, many times; and
one chart of 10,000 points, every one of them annotated.

Run from the project root: ``.venv/bin/python bench/measure_chart.py``. Prints the median (and
95th percentile) time per chart for the run chart and the XmR chart, each including the
analysis, the SVG, the text summary and the data table: everything a page or the PDF does per
measure. The goal is well under 100 ms per chart.

The 10,000-point chart is ten times what a measure may hold (``MAX_POINTS_PER_MEASURE``): it
shows that drawing grows about linearly with the points and notes (placing the notes once
compared each with every note before it: 1,000 annotated points took 0.65 s, 2,000 took 4 s).
Its goal, under half a second, keeps a page at the cap well inside a page's budget.
"""

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402, F401  (sets the import path)
from _results import figure  # noqa: E402

from measures.charts import (  # noqa: E402  (after the path is set)
    Annotation,
    Baseline,
    Point,
    Rebase,
    analyse_run_chart,
    analyse_xmr,
    chart_notes,
    chart_summary,
    chart_table,
    describe_signals,
    month_starts,
    render_run_chart_svg,
    render_xmr_chart_svg,
)

POINTS = 60
REPEATS = 300
# A page shows a team's three or four charts and the PDF thirty: a chart must cost little
# next to a page's ~100 ms budget.
GOAL_MS = 100


def measure() -> list[Point]:
    """Five years of monthly length-of-stay figures with a step down after a change."""
    rng = random.Random(7)
    days = month_starts(date(2021, 1, 1), POINTS)
    values = [rng.gauss(6.2, 0.6) if i < 30 else rng.gauss(5.1, 0.5) for i in range(POINTS)]
    return [
        Point(d, round(v, 2), astronomical=i == 44)
        for i, (d, v) in enumerate(zip(days, values, strict=True))
    ]


def run_chart(points: list[Point], notes: list[Annotation]) -> str:
    analysis = analyse_run_chart(
        points, better="down", baseline=Baseline(points[0].period, points[11].period), target=5.5
    )
    chart_summary(analysis)
    chart_table(analysis, caption="Length of stay", unit="days")
    return render_run_chart_svg(
        analysis, title="Average length of stay", y_label="Days", annotations=notes
    )


def xmr_chart(points: list[Point], notes: list[Annotation]) -> str:
    analysis = analyse_xmr(
        points,
        better="down",
        target=5.5,
        rebases=[Rebase(points[30].period, reason="Nurse-led discharge started")],
    )
    chart_summary(analysis)
    chart_table(analysis, caption="Length of stay", unit="days")
    return render_xmr_chart_svg(
        analysis, title="Average length of stay", y_label="Days", annotations=notes
    )


LARGE = 10_000
LARGE_REPEATS = 5
LARGE_GOAL_S = 0.5


def large_measure() -> tuple[list[Point], list[Annotation]]:
    """Weekly values for ~190 years, each point with a note of its own."""
    rng = random.Random(19)
    start = date(1840, 1, 6)
    points = [Point(start + timedelta(weeks=n), round(rng.gauss(60, 8), 1)) for n in range(LARGE)]
    notes = [
        Annotation(p.period, f"Note {n}: staffing changed on the ward")
        for n, p in enumerate(points)
    ]
    return points, notes


def large_chart(points: list[Point], notes: list[Annotation], kind: str) -> str:
    """Everything ``measures.measure_chart`` does for one measure, at 10,000 points."""
    if kind == "run":
        # A run chart of this length: analysed as the IHI rules say, however unusual.
        analysis = analyse_run_chart(points, better="down")
        render = render_run_chart_svg
    else:
        analysis = analyse_xmr(
            points, better="down", rebases=[Rebase(points[LARGE // 2].period, reason="New rota")]
        )
        render = render_xmr_chart_svg
    svg = render(analysis, title="Minutes to triage", y_label="Minutes", annotations=notes)
    chart_summary(analysis)
    describe_signals(analysis)
    chart_table(analysis, caption="Minutes to triage", unit="minutes", annotations=notes)
    chart_notes(analysis, notes)
    return svg


def main() -> None:
    points = measure()
    notes = [
        Annotation(points[28].period, "PDSA 1: discharge checklist"),
        Annotation(points[33].period, "PDSA 2: daily board round"),
    ]
    for name, build in (("run chart", run_chart), ("XmR chart", xmr_chart)):
        build(points, notes)  # warm up
        timings = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            svg = build(points, notes)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        median = statistics.median(timings)
        print(
            f"{name}, {POINTS} points: median {median:.2f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms per chart "
            f"({REPEATS} runs, SVG {len(svg) / 1024:.0f} KiB)"
        )
        figure(
            f"{name} of {POINTS} points: analysis, SVG, summary, table",
            f"{median:.1f} ms median",
            f"< {GOAL_MS} ms",
            median < GOAL_MS,
        )
    points, notes = large_measure()
    for kind, name in (("run", "run chart"), ("xmr", "XmR chart")):
        timings = []
        for _ in range(LARGE_REPEATS):
            started = time.perf_counter()
            svg = large_chart(points, notes, kind)
            timings.append(time.perf_counter() - started)
        median = statistics.median(timings)
        print(
            f"{name}, {LARGE:,} annotated points: median {median:.3f} s "
            f"({LARGE_REPEATS} runs, SVG {len(svg) / 1024:.0f} KiB)"
        )
        figure(
            f"{name}, {LARGE:,} annotated points drawn: analysis, SVG, summary, table",
            f"{median:.2f} s median",
            f"< {LARGE_GOAL_S} s",
            median < LARGE_GOAL_S,
        )


if __name__ == "__main__":
    main()
