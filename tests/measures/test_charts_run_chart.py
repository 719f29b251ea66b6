"""The four IHI run-chart rules on hand-made series, edges included."""

from datetime import date

import pytest

from measures.charts import (
    RUNS_TABLE,
    Baseline,
    Better,
    Movement,
    Nature,
    Point,
    PointNature,
    Rule,
    RunChartRules,
    RunsVerdict,
    analyse_run_chart,
    month_starts,
)
from measures.charts.run_chart import exact_runs_limits


def series(*values, astronomical=()):
    days = month_starts(date(2024, 1, 1), len(values))
    return [
        Point(d, float(v), astronomical=i in astronomical)
        for i, (d, v) in enumerate(zip(days, values, strict=True))
    ]


def rules_fired(analysis, rule):
    return [s for s in analysis.signals if s.rule is rule]


def test_the_median_is_of_all_points_without_a_baseline():
    analysis = analyse_run_chart(series(1, 9, 3, 7, 5), better="up")
    assert analysis.median == 5
    assert not analysis.median_from_baseline


def test_the_median_is_of_the_baseline_points_and_extends_across_the_chart():
    points = series(10, 12, 11, 13, 30, 31, 32)
    baseline = Baseline(date(2024, 1, 1), date(2024, 4, 1))
    analysis = analyse_run_chart(points, better="up", baseline=baseline)
    assert analysis.median == 11.5
    assert analysis.median_from_baseline


def test_a_baseline_holding_no_points_falls_back_to_all_points():
    baseline = Baseline(date(2020, 1, 1), date(2020, 12, 1))
    analysis = analyse_run_chart(series(1, 2, 3), better="up", baseline=baseline)
    assert analysis.median == 2
    assert not analysis.median_from_baseline


def test_exactly_six_points_below_the_median_are_a_shift():
    # Median of these 12 is 5: six high, then six low.
    analysis = analyse_run_chart(series(9, 8, 9, 8, 9, 8, 1, 2, 1, 2, 1, 2), better="down")
    shifts = rules_fired(analysis, Rule.SHIFT)
    assert [s.indices for s in shifts] == [(0, 1, 2, 3, 4, 5), (6, 7, 8, 9, 10, 11)]
    assert [s.movement for s in shifts] == [Movement.HIGHER, Movement.LOWER]
    assert [s.nature for s in shifts] == [Nature.CONCERN, Nature.IMPROVEMENT]


def test_five_points_on_one_side_are_not_a_shift():
    analysis = analyse_run_chart(series(9, 8, 9, 8, 9, 1, 2, 1, 2, 1), better="up")
    assert rules_fired(analysis, Rule.SHIFT) == []


def test_a_point_on_the_median_neither_breaks_nor_counts_towards_a_shift():
    # Median 5 (of all points); the 5 in the middle of six 8s is skipped.
    points = series(8, 8, 8, 5, 8, 8, 8, 1, 2, 1, 2, 1, 2, 5, 5)
    analysis = analyse_run_chart(points, better="up")
    assert analysis.median == 5
    shifts = rules_fired(analysis, Rule.SHIFT)
    assert shifts[0].indices == (0, 1, 2, 4, 5, 6)
    assert 3 not in shifts[0].indices
    # Five points plus one on the median is still only five.
    five = analyse_run_chart(series(8, 8, 5, 8, 8, 8, 1, 1, 1, 1, 1, 5, 5), better="up")
    assert five.median == 5
    assert rules_fired(five, Rule.SHIFT) == []


def test_exactly_five_points_rising_are_a_trend_and_four_are_not():
    five = analyse_run_chart(series(1, 2, 3, 4, 5), better="up")
    assert [(s.indices, s.movement, s.nature) for s in rules_fired(five, Rule.TREND)] == [
        ((0, 1, 2, 3, 4), Movement.HIGHER, Nature.IMPROVEMENT)
    ]
    four = analyse_run_chart(series(3, 1, 2, 3, 4, 2), better="up")
    assert rules_fired(four, Rule.TREND) == []


def test_repeated_values_count_once_in_a_trend_and_do_not_break_it():
    # 1, 2, 2, 3, 4: four distinct values, not a trend.
    assert rules_fired(analyse_run_chart(series(1, 2, 2, 3, 4), better="up"), Rule.TREND) == []
    # 9, 8, 8, 7, 6, 5: five distinct falling values, the repeat inside the trend.
    analysis = analyse_run_chart(series(9, 8, 8, 7, 6, 5), better="up")
    trends = rules_fired(analysis, Rule.TREND)
    assert [(s.indices, s.movement, s.nature) for s in trends] == [
        ((0, 1, 2, 3, 4, 5), Movement.LOWER, Nature.CONCERN)
    ]


def test_a_peak_ends_one_trend_and_starts_the_next():
    analysis = analyse_run_chart(series(1, 2, 3, 4, 5, 4, 3, 2, 1), better="up")
    trends = rules_fired(analysis, Rule.TREND)
    assert [(s.indices, s.movement) for s in trends] == [
        ((0, 1, 2, 3, 4), Movement.HIGHER),
        ((4, 5, 6, 7, 8), Movement.LOWER),
    ]
    assert analysis.natures[4] is PointNature.MIXED


def test_a_flat_series_has_no_signals_and_no_useful_observations():
    analysis = analyse_run_chart(series(*[4] * 12), better="up")
    assert analysis.signals == ()
    assert analysis.runs.useful_observations == 0
    assert analysis.runs.verdict is RunsVerdict.NOT_JUDGED


def test_too_few_runs_for_ten_useful_observations():
    # Median 5; two runs of five: fewer than the table's 3 for 10 observations.
    analysis = analyse_run_chart(series(9, 8, 7, 9, 8, 2, 3, 1, 2, 3), better="up")
    assert (analysis.runs.useful_observations, analysis.runs.runs) == (10, 2)
    assert (analysis.runs.lower, analysis.runs.upper) == RUNS_TABLE[10] == (3, 9)
    assert analysis.runs.verdict is RunsVerdict.TOO_FEW
    [found] = rules_fired(analysis, Rule.TOO_FEW_RUNS)
    assert found.indices == ()
    assert found.nature is Nature.NEUTRAL


def test_too_many_runs_when_every_point_crosses_the_median():
    analysis = analyse_run_chart(series(*[9, 1] * 5), better="up")
    assert analysis.runs.runs == 10
    assert analysis.runs.verdict is RunsVerdict.TOO_MANY
    assert len(rules_fired(analysis, Rule.TOO_MANY_RUNS)) == 1


def test_a_number_of_runs_within_the_table_is_as_expected():
    analysis = analyse_run_chart(series(9, 9, 1, 1, 9, 9, 1, 1, 9, 1), better="up")
    assert analysis.runs.runs == 6
    assert analysis.runs.verdict is RunsVerdict.AS_EXPECTED
    assert analysis.signals == ()


def test_points_on_the_median_are_not_useful_observations():
    # 11 points, the median point itself excluded: 10 useful, 10 runs.
    analysis = analyse_run_chart(series(9, 1, 9, 1, 9, 5, 1, 9, 1, 9, 1), better="up")
    assert analysis.runs.useful_observations == 10
    assert analysis.runs.runs == 10
    assert analysis.runs.verdict is RunsVerdict.TOO_MANY


def test_fewer_than_ten_useful_observations_are_not_judged_for_runs():
    analysis = analyse_run_chart(series(*[9, 1] * 4, 5), better="up")
    assert analysis.runs.useful_observations == 8
    assert analysis.runs.verdict is RunsVerdict.NOT_JUDGED
    assert not analysis.enough_points
    assert rules_fired(analysis, Rule.TOO_MANY_RUNS) == []


def test_too_few_points_to_judge_anything():
    analysis = analyse_run_chart(series(3, 5, 4), better="up")
    assert analysis.signals == ()
    assert analysis.runs.verdict is RunsVerdict.NOT_JUDGED
    assert not analysis.enough_points


def test_beyond_sixty_useful_observations_the_exact_distribution_is_used():
    analysis = analyse_run_chart(series(*[9, 1] * 31), better="up")
    assert analysis.runs.useful_observations == 62
    assert (analysis.runs.lower, analysis.runs.upper) == exact_runs_limits(62)
    assert "Swed" in analysis.runs.source
    assert analysis.runs.verdict is RunsVerdict.TOO_MANY


@pytest.mark.parametrize("useful", sorted(RUNS_TABLE))
def test_each_row_of_the_published_table_is_within_one_run_of_the_exact_limits(useful):
    lower, upper = RUNS_TABLE[useful]
    exact_lower, exact_upper = exact_runs_limits(useful)
    assert abs(lower - exact_lower) <= 1
    assert abs(upper - exact_upper) <= 1
    assert lower < upper


def test_astronomical_points_are_the_ones_the_team_flagged():
    points = series(5, 6, 40, 5, 6, 1, 5, astronomical={2, 5})
    analysis = analyse_run_chart(points, better=Better.DOWN)
    flagged = rules_fired(analysis, Rule.ASTRONOMICAL)
    assert [(s.indices, s.movement, s.nature) for s in flagged] == [
        ((2,), Movement.HIGHER, Nature.CONCERN),
        ((5,), Movement.LOWER, Nature.IMPROVEMENT),
    ]


def test_custom_rule_lengths_are_used_and_stated():
    rules = RunChartRules(shift=8, trend=6)
    shift_of_seven = series(9, 9, 9, 9, 9, 9, 9, 1, 1, 1, 1, 1, 1, 1)
    analysis = analyse_run_chart(shift_of_seven, better="up", rules=rules)
    assert rules_fired(analysis, Rule.SHIFT) == []
    assert "8 or more points" in rules.statement
    assert "6 or more points" in rules.statement
    with pytest.raises(ValueError):
        RunChartRules(shift=1)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([], "no data points"),
        (
            [Point(date(2024, 1, 1), 1.0), Point(date(2024, 1, 1), 2.0)],
            "two data points for 2024-01-01",
        ),
        ([Point(date(2024, 2, 1), 1.0), Point(date(2024, 1, 1), 2.0)], "date order"),
        ([Point(date(2024, 1, 1), float("nan"))], "not a number"),
    ],
)
def test_it_rejects_a_series_it_cannot_chart(points, message):
    with pytest.raises(ValueError, match=message):
        analyse_run_chart(points, better="up")


def test_it_rejects_an_unknown_better_direction():
    with pytest.raises(ValueError):
        analyse_run_chart(series(1, 2), better="sideways")
