"""Properties of the rule detection over many generated series (hypothesis).

Small integer values make ties, points on the centre line and repeated values common, which is
where the rules are easiest to get wrong. Some properties compare the detection with a
deliberately naive restatement of the rule (every window of N points).
"""

import xml.etree.ElementTree as ET
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from measures.charts import (
    Annotation,
    Better,
    Movement,
    Nature,
    Point,
    PointNature,
    Rebase,
    Rule,
    RunChartRules,
    SpcRules,
    Variation,
    analyse_run_chart,
    analyse_xmr,
    month_starts,
    render_run_chart_svg,
    render_xmr_chart_svg,
)
from measures.charts.svg import _NOT_XML

DAYS = month_starts(date(2020, 1, 1), 80)
SWAPPED = {
    Nature.IMPROVEMENT: Nature.CONCERN,
    Nature.CONCERN: Nature.IMPROVEMENT,
    Nature.NEUTRAL: Nature.NEUTRAL,
}
SWAPPED_POINTS = {
    PointNature.IMPROVEMENT: PointNature.CONCERN,
    PointNature.CONCERN: PointNature.IMPROVEMENT,
    PointNature.MIXED: PointNature.MIXED,
    PointNature.COMMON: PointNature.COMMON,
}
SWAPPED_VARIATION = {
    Variation.COMMON_CAUSE: Variation.COMMON_CAUSE,
    Variation.MIXED: Variation.MIXED,
    Variation.IMPROVEMENT_HIGH: Variation.CONCERN_HIGH,
    Variation.CONCERN_HIGH: Variation.IMPROVEMENT_HIGH,
    Variation.IMPROVEMENT_LOW: Variation.CONCERN_LOW,
    Variation.CONCERN_LOW: Variation.IMPROVEMENT_LOW,
}
FLIPPED = {Movement.HIGHER: Movement.LOWER, Movement.LOWER: Movement.HIGHER, None: None}

short_values = st.lists(st.integers(0, 6), min_size=1, max_size=40)
xmr_values = st.lists(st.integers(0, 12), min_size=15, max_size=60)
flagged = st.sets(st.integers(0, 39), max_size=3)


def series(values, astronomical=frozenset()):
    return [
        Point(d, float(v), astronomical=i in astronomical)
        for i, (d, v) in enumerate(zip(DAYS, values, strict=False))
    ]


def where(analysis):
    return [(s.rule, s.indices, s.movement) for s in analysis.signals]


@given(short_values, flagged, st.sampled_from(list(Better)))
def test_reversing_better_swaps_run_chart_natures_and_keeps_the_signals(values, marked, better):
    points = series(values, marked)
    one = analyse_run_chart(points, better=better)
    other = analyse_run_chart(points, better=better.reversed)
    assert where(one) == where(other)
    assert [SWAPPED[s.nature] for s in one.signals] == [s.nature for s in other.signals]
    assert [SWAPPED_POINTS[n] for n in one.natures] == list(other.natures)


@given(xmr_values, st.sampled_from(list(Better)), st.integers(4, 9), st.integers(4, 9))
def test_reversing_better_swaps_xmr_natures_and_keeps_the_signals(values, better, shift, trend):
    rules = SpcRules(shift=shift, trend=trend)
    one = analyse_xmr(series(values), better=better, rules=rules)
    other = analyse_xmr(series(values), better=better.reversed, rules=rules)
    assert where(one) == where(other)
    assert [SWAPPED[s.nature] for s in one.signals] == [s.nature for s in other.signals]
    assert [SWAPPED_POINTS[n] for n in one.natures] == list(other.natures)
    assert SWAPPED_VARIATION[one.variation] is other.variation


@given(short_values, flagged)
def test_mirroring_the_values_flips_each_movement_and_keeps_the_points(values, marked):
    one = analyse_run_chart(series(values, marked), better="up")
    mirrored = analyse_run_chart(series([-v for v in values], marked), better="up")
    assert {(s.rule, s.indices, FLIPPED[s.movement]) for s in one.signals} == set(where(mirrored))
    assert one.runs.runs == mirrored.runs.runs


@given(xmr_values)
def test_mirroring_the_values_flips_each_xmr_movement(values):
    one = analyse_xmr(series(values), better="up")
    mirrored = analyse_xmr(series([-v for v in values]), better="up")
    assert {(s.rule, s.indices, FLIPPED[s.movement]) for s in one.signals} == set(where(mirrored))


def _windows(count, length, fits):
    """Indices in any window of ``length`` consecutive positions for which ``fits`` holds."""
    covered = set()
    for start in range(count - length + 1):
        window = list(range(start, start + length))
        if fits(window):
            covered.update(window)
    return covered


@given(short_values, st.integers(2, 8))
def test_run_chart_shifts_match_every_window_of_points_off_the_median(values, length):
    analysis = analyse_run_chart(series(values), better="up", rules=RunChartRules(shift=length))
    median = analysis.median
    useful = [i for i, v in enumerate(values) if v != median]
    for movement, side in ((Movement.HIGHER, 1), (Movement.LOWER, -1)):
        expected = {
            useful[k]
            for k in _windows(
                len(useful),
                length,
                lambda w, side=side: all((values[useful[k]] - median) * side > 0 for k in w),
            )
        }
        found = {
            i
            for s in analysis.signals
            if s.rule is Rule.SHIFT and s.movement is movement
            for i in s.indices
        }
        assert found == expected


@given(short_values, st.integers(3, 7))
def test_run_chart_trends_match_every_window_of_distinct_values(values, length):
    analysis = analyse_run_chart(series(values), better="up", rules=RunChartRules(trend=length))
    groups: list[list[int]] = []  # runs of equal successive values count once
    for i, v in enumerate(values):
        if groups and values[groups[-1][0]] == v:
            groups[-1].append(i)
        else:
            groups.append([i])
    for movement, side in ((Movement.HIGHER, 1), (Movement.LOWER, -1)):

        def rising(window, side=side):
            firsts = [values[groups[g][0]] for g in window]
            return all((b - a) * side > 0 for a, b in zip(firsts, firsts[1:], strict=False))

        expected = {i for g in _windows(len(groups), length, rising) for i in groups[g]}
        found = {
            i
            for s in analysis.signals
            if s.rule is Rule.TREND and s.movement is movement
            for i in s.indices
        }
        assert found == expected


@given(xmr_values, st.integers(3, 9), st.integers(3, 9))
def test_xmr_shifts_and_trends_match_every_window(values, shift, trend):
    analysis = analyse_xmr(series(values), better="up", rules=SpcRules(shift=shift, trend=trend))
    mean = analysis.segments[0].mean
    for movement, side in ((Movement.HIGHER, 1), (Movement.LOWER, -1)):
        shifts = _windows(
            len(values), shift, lambda w, s=side: all((values[i] - mean) * s > 0 for i in w)
        )
        trends = _windows(
            len(values),
            trend,
            lambda w, s=side: all((values[b] - values[b - 1]) * s > 0 for b in w[1:]),
        )
        for rule, expected in ((Rule.SHIFT, shifts), (Rule.TREND, trends)):
            found = {
                i
                for s in analysis.signals
                if s.rule is rule and s.movement is movement
                for i in s.indices
            }
            assert found == expected


@given(xmr_values, st.data())
def test_no_signal_spans_a_rebase(values, data):
    start = data.draw(st.integers(2, len(values) - 2))
    rebase = Rebase(DAYS[start], reason="changed")
    analysis = analyse_xmr(series(values), better="up", rebases=[rebase])
    for found in analysis.signals:
        assert all(i < start for i in found.indices) or all(i >= start for i in found.indices)
    assert analysis.moving_ranges[start] is None


@settings(max_examples=40, deadline=None)
@given(
    st.text(max_size=60),
    st.text(max_size=60),
    st.lists(st.integers(0, 9), min_size=15, max_size=30),
)
def test_any_text_makes_well_formed_svg_with_the_title_intact(title, note, values):
    points = series(values)
    expected = _NOT_XML.sub("", title)
    for svg in (
        render_run_chart_svg(
            analyse_run_chart(points, better="up"),
            title=title,
            y_label=note,
            annotations=[Annotation(DAYS[3], note)],
        ),
        render_xmr_chart_svg(
            analyse_xmr(
                points,
                better="down",
                rebases=[Rebase(DAYS[8], reason=note if note.strip() else "r")],
            ),
            title=title,
            y_label=note,
        ),
    ):
        root = ET.fromstring(svg)
        assert (root.find("{http://www.w3.org/2000/svg}title").text or "") == expected
        assert not list(root.iter("{http://www.w3.org/2000/svg}script"))
