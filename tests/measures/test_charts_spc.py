"""XmR limits and the Making Data Count special-cause rules on hand-made series."""

from datetime import date

import pytest

from measures.charts import (
    Assurance,
    Baseline,
    Movement,
    Nature,
    NotEnoughPoints,
    Point,
    PointNature,
    Rebase,
    Rule,
    SpcRules,
    Variation,
    analyse_xmr,
    latest_window,
    month_starts,
    xmr_possible,
)

DAYS = month_starts(date(2023, 1, 1), 60)
# The first twelve points alternate 12, 8: mean 10, mean moving range 4, so the limits are
# 10 ± 10.64 and two-thirds of the way to them is 10 ± 7.09 (17.09 and 2.91).
BASELINE = Baseline(DAYS[0], DAYS[11])
STEADY = [12, 8] * 6


def series(*values):
    return [Point(d, float(v)) for d, v in zip(DAYS, values, strict=False)]


def after_steady(*tail, better="up", **options):
    return analyse_xmr(series(*STEADY, *tail), better=better, baseline=BASELINE, **options)


def fired(analysis, rule):
    return [(s.indices, s.movement, s.nature) for s in analysis.signals if s.rule is rule]


def test_limits_are_the_mean_plus_or_minus_2_66_mean_moving_ranges():
    analysis = analyse_xmr(series(10, 12, 11, 15, 12), better="up", rules=SpcRules(min_points=5))
    [segment] = analysis.segments
    assert segment.mean == 12
    assert segment.mean_moving_range == 2.5  # ranges 2, 1, 4, 3
    assert segment.upper == pytest.approx(18.65)
    assert segment.lower == pytest.approx(5.35)
    assert analysis.moving_ranges == (None, 2, 1, 4, 3)


def test_the_baseline_sets_the_limits_for_the_points_after_it():
    analysis = after_steady(30, 30, 30)
    [segment] = analysis.segments
    assert (segment.mean, segment.mean_moving_range) == (10, 4)
    assert (segment.basis_first, segment.basis_last) == (0, 11)
    assert segment.upper == pytest.approx(20.64)


def test_fewer_points_than_the_rule_set_asks_for_is_not_an_xmr_chart():
    with pytest.raises(NotEnoughPoints, match="at least 15 points; this measure has 14"):
        analyse_xmr(series(*range(14)), better="up")
    assert analyse_xmr(series(*range(15)), better="up").segments
    assert not xmr_possible(14)
    assert xmr_possible(15)
    assert xmr_possible(10, SpcRules(min_points=10))


def test_a_point_above_the_upper_limit_is_improvement_when_up_is_better():
    assert fired(after_steady(21, 10, 10), Rule.OUTSIDE_LIMITS) == [
        ((12,), Movement.HIGHER, Nature.IMPROVEMENT)
    ]
    assert fired(after_steady(21, 10, 10, better="down"), Rule.OUTSIDE_LIMITS) == [
        ((12,), Movement.HIGHER, Nature.CONCERN)
    ]
    assert fired(after_steady(-1, 10, 10), Rule.OUTSIDE_LIMITS) == [
        ((12,), Movement.LOWER, Nature.CONCERN)
    ]


def test_exactly_seven_points_above_the_mean_are_a_shift_and_six_are_not():
    assert fired(after_steady(*[11] * 7), Rule.SHIFT) == [
        ((12, 13, 14, 15, 16, 17, 18), Movement.HIGHER, Nature.IMPROVEMENT)
    ]
    assert fired(after_steady(*[11] * 6, 9), Rule.SHIFT) == []


def test_a_point_on_the_mean_ends_a_run_on_one_side():
    assert fired(after_steady(11, 11, 11, 10, 11, 11, 11, 11), Rule.SHIFT) == []


def test_exactly_seven_points_rising_are_a_trend_and_six_are_not():
    # 8 (the last baseline point), then a drop to 7 and seven rising points.
    assert fired(after_steady(7, 8, 9, 10.5, 11, 12, 13), Rule.TREND) == [
        ((12, 13, 14, 15, 16, 17, 18), Movement.HIGHER, Nature.IMPROVEMENT)
    ]
    assert fired(after_steady(7, 8, 9, 10.5, 11, 12, 5), Rule.TREND) == []


def test_a_repeated_value_ends_a_trend():
    assert fired(after_steady(7, 8, 9, 9, 10.5, 11, 12, 13), Rule.TREND) == []


def test_a_falling_trend_is_a_concern_when_up_is_better():
    assert fired(after_steady(13, 12, 11, 9.5, 9, 8, 7), Rule.TREND) == [
        ((12, 13, 14, 15, 16, 17, 18), Movement.LOWER, Nature.CONCERN)
    ]


def test_two_of_three_points_beyond_two_thirds_of_the_way_to_a_limit():
    assert fired(after_steady(18, 10, 18), Rule.TWO_OF_THREE) == [
        ((12, 14), Movement.HIGHER, Nature.IMPROVEMENT)
    ]
    assert fired(after_steady(18, 10, 10, 18), Rule.TWO_OF_THREE) == []
    # One beyond each side is not two on the same side.
    assert fired(after_steady(18, 10, 2), Rule.TWO_OF_THREE) == []
    assert fired(after_steady(2, 2, 10), Rule.TWO_OF_THREE) == [
        ((12, 13), Movement.LOWER, Nature.CONCERN)
    ]


def test_rule_lengths_come_from_the_rule_set_and_are_stated():
    rules = SpcRules(shift=6, trend=8)
    assert fired(after_steady(*[11] * 6, 9, rules=rules), Rule.SHIFT) != []
    assert fired(after_steady(7, 8, 9, 10.5, 11, 12, 13, rules=rules), Rule.TREND) == []
    assert "6 or more points in a row above or below the mean" in rules.statement
    assert "8 or more points in a row rising or falling" in rules.statement
    with pytest.raises(ValueError):
        SpcRules(trend=2)


def test_a_rebase_gives_the_new_segment_its_own_limits_and_no_range_across_the_step():
    points = series(*STEADY, *[4, 6] * 4)
    rebase = Rebase(DAYS[12], reason="  New discharge checklist ")
    analysis = analyse_xmr(points, better="up", rebases=[rebase])
    first, second = analysis.segments
    assert (first.first, first.last, first.mean) == (0, 11, 10)
    assert (second.first, second.last, second.mean, second.mean_moving_range) == (12, 19, 5, 2)
    assert second.reason == "New discharge checklist"
    assert analysis.moving_ranges[12] is None
    assert second.provisional  # limits from 8 points, fewer than the 15 the rules ask for
    # Without the rebase the drop is a shift below the mean; after it, the new process is stable.
    unrebased = analyse_xmr(points, better="up")
    assert unrebased.variation is Variation.CONCERN_LOW
    assert analysis.signals == ()
    assert analysis.variation is Variation.COMMON_CAUSE


def test_rules_do_not_look_across_a_rebase():
    # Five points above the first segment's mean (10.4), then four above the second's (5.5):
    # nine in a row above their own mean, but no rule joins runs across the step.
    points = series(*STEADY[:-1], 11, 11, 11, 11, 6, 6, 6, 6, 3, 7, 3, 7)
    analysis = analyse_xmr(points, better="up", rebases=[Rebase(DAYS[15], reason="x")])
    assert [segment.mean for segment in analysis.segments] == [pytest.approx(10.4), 5.5]
    assert fired(analysis, Rule.SHIFT) == []


def test_a_rebase_can_take_its_limits_from_its_first_points():
    points = series(*STEADY, 4, 6, 4, 6, 20, 20, 20)
    rebase = Rebase(DAYS[12], reason="new rota", baseline_ends_on=DAYS[15])
    segment = analyse_xmr(points, better="up", rebases=[rebase]).segments[-1]
    assert (segment.basis_first, segment.basis_last, segment.mean) == (12, 15, 5)


@pytest.mark.parametrize(
    ("rebases", "message"),
    [
        ([Rebase(DAYS[12], reason="  ")], "Say what changed"),
        ([Rebase(date(2031, 1, 1), reason="later")], "no data points on or after 2031-01-01"),
        ([Rebase(DAYS[0], reason="from the start")], "already recalculated from 2023-01-01"),
        ([Rebase(DAYS[5], reason="a"), Rebase(DAYS[5], reason="b")], "already recalculated"),
        ([Rebase(DAYS[15], reason="last point")], "needs at least 2 points"),
    ],
)
def test_it_rejects_a_rebase_it_cannot_honour(rebases, message):
    with pytest.raises(ValueError, match=message):
        analyse_xmr(series(*range(16)), better="up", rebases=rebases)


def test_variation_is_judged_on_the_latest_point():
    assert after_steady(10, 10, 21).variation is Variation.IMPROVEMENT_HIGH
    assert after_steady(10, 10, 21).variation.label == "special cause — improvement"
    assert after_steady(10, 10, 21, better="down").variation is Variation.CONCERN_HIGH
    assert after_steady(10, 10, 21, better="down").variation.label == "special cause — concern"
    assert after_steady(21, 10, 10).variation is Variation.COMMON_CAUSE
    assert after_steady(21, 10, 10).variation.label == "common cause"


def test_a_latest_point_rising_while_below_the_mean_is_both_improvement_and_concern():
    analysis = after_steady(3, 4, 5, 6, 7, 8, 9)
    assert analysis.variation is Variation.MIXED
    assert analysis.natures[-1] is PointNature.MIXED


@pytest.mark.parametrize(
    ("better", "target", "assurance"),
    [
        ("up", -5, Assurance.PASSING),
        ("up", 25, Assurance.FAILING),
        ("up", 10, Assurance.HIT_AND_MISS),
        ("down", 25, Assurance.PASSING),
        ("down", -5, Assurance.FAILING),
        ("down", 10, Assurance.HIT_AND_MISS),
        ("up", None, None),
    ],
)
def test_assurance_compares_the_target_with_the_limits(better, target, assurance):
    analysis = after_steady(10, 10, 10, better=better, target=target)
    assert analysis.assurance is assurance


def test_assurance_labels_follow_making_data_count():
    assert Assurance.PASSING.label == "consistently passing the target"
    assert Assurance.FAILING.label == "consistently failing the target"
    assert Assurance.HIT_AND_MISS.label.startswith("hit and miss")


def test_a_segment_with_enough_points_is_not_provisional():
    analysis = analyse_xmr(series(*[12, 8] * 8), better="up")
    assert not analysis.segments[0].provisional


# --- the latest points of a long series, as a small chart draws them -----------------------


def test_a_window_keeps_the_whole_series_analysis_for_its_latest_points():
    # A steady start, a shift up (points 12-19), a rebase at 30, then a shift down (50-57).
    values = [*STEADY, *[18] * 8, *[12, 8] * 5, *[11, 9] * 10, *[1] * 8, 12]
    analysis = analyse_xmr(
        series(*values), better="up", baseline=BASELINE,
        rebases=[Rebase(DAYS[30], "New pathway")],
    )  # fmt: skip
    start = len(values) - 20
    window = latest_window(analysis, 20)

    assert window.points == analysis.points[start:]
    assert window.natures == analysis.natures[start:]
    assert window.moving_ranges == analysis.moving_ranges[start:]
    # Only the segment that reaches into the window, clipped to it, with the same limits; its
    # recalculation happened before the window, so it is not a note on the drawing.
    [segment] = window.segments
    assert segment.first == 0 and segment.last == 19
    assert (segment.mean, segment.upper, segment.lower) == (
        analysis.segments[-1].mean, analysis.segments[-1].upper, analysis.segments[-1].lower
    )  # fmt: skip
    assert segment.reason == "" and analysis.segments[-1].reason == "New pathway"
    # The early shift up (12-20) is gone; the one from 30 to 49 is kept from the window's first
    # point (39); the late shift down is kept, counted from the window.
    expected = [
        (tuple(i - start for i in s.indices if i >= start), s.rule, s.movement)
        for s in analysis.signals
        if not s.indices or max(s.indices) >= start
    ]
    assert [(s.indices, s.rule, s.movement) for s in window.signals] == expected
    assert any(s.movement is Movement.LOWER and s.rule is Rule.SHIFT for s in window.signals)
    assert (tuple(range(11)), Rule.SHIFT, Movement.HIGHER) in [
        (s.indices, s.rule, s.movement) for s in window.signals
    ]
    assert len(window.signals) == len(analysis.signals) - 2
    assert fired(analysis, Rule.SHIFT)[0][1] is Movement.HIGHER  # the whole series has both


def test_a_window_as_long_as_the_series_is_the_series():
    analysis = after_steady(10, 11, 10)
    assert latest_window(analysis, len(analysis.points)) is analysis
    assert latest_window(analysis, 100) is analysis
