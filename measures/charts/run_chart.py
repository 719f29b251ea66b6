"""Run-chart analysis with the four rules of the Institute for Healthcare Improvement.

Shift, trend, too few / too many runs and astronomical points, as described by Perla, Provost
and Murray, "The run chart: a simple analytical tool for learning from variation in healthcare
processes", BMJ Quality & Safety 2011;20:46-51.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from .data import (
    Baseline,
    Better,
    Movement,
    Point,
    PointNature,
    Rule,
    Signal,
    point_natures,
    signal,
    validate_points,
)

# Limits for the number of runs, by number of useful observations (points not on the median):
# fewer runs than the lower limit is "too few", more than the upper limit is "too many".
# Source: Perla RJ, Provost LP, Murray SK. BMJ Qual Saf 2011;20:46-51, Table 1 ("Tests for number
# of runs above and below the median"), itself adapted from Swed FS, Eisenhart C, "Tables for
# testing randomness of grouping in a sequence of alternatives", Ann Math Stat 1943;14:66-87
# (about 5% risk of a false signal). tests/measures/test_charts_run_chart.py checks every
# row against the exact Swed-Eisenhart distribution (within one run), which guards against typos.
RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19),
    28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 22), 33: (11, 23),
    34: (12, 23), 35: (13, 24), 36: (13, 24), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (16, 27), 42: (16, 28), 43: (17, 28), 44: (17, 29), 45: (17, 30),
    46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 33), 50: (19, 34), 51: (20, 34),
    52: (20, 35), 53: (21, 35), 54: (21, 36), 55: (22, 36), 56: (22, 37), 57: (23, 37),
    58: (23, 38), 59: (24, 38), 60: (24, 39),
}  # fmt: skip
RUNS_TABLE_SOURCE = "Perla, Provost & Murray, BMJ Qual Saf 2011 (after Swed & Eisenhart 1943)"
RUNS_EXACT_SOURCE = "Swed & Eisenhart 1943 runs distribution, 2.5% in each tail"


def _log_comb(n: int, k: int) -> float:
    """log(n choose k), or -inf where it is zero."""
    if k < 0 or k > n:
        return -math.inf
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


@lru_cache(maxsize=256)
def exact_runs_limits(useful: int) -> tuple[int, int]:
    """Runs limits from the exact distribution of runs (Swed & Eisenhart 1943).

    With ``useful`` points split as evenly as possible about the median, returns the smallest
    count of runs that is not "too few" and the largest that is not "too many", each tail
    holding at most 2.5% of the probability. Used beyond the published table (over 60 useful
    observations) and to check the table.

    Each count's probability is worked out through logarithms of the binomial coefficients
    (``math.lgamma``), in floating point: exact integers would grow to thousands of digits for
    a long series and make this quadratic or worse in ``useful``; this is linear, and off from
    the integers by rounding far below what could move a limit.
    """
    below = useful // 2
    above = useful - below
    log_total = _log_comb(useful, below)

    def probability(runs: int) -> float:
        if runs % 2 == 0:
            k = runs // 2
            log_count = math.log(2) + _log_comb(below - 1, k - 1) + _log_comb(above - 1, k - 1)
            return math.exp(log_count - log_total)
        k = (runs - 1) // 2
        first = _log_comb(below - 1, k) + _log_comb(above - 1, k - 1)
        second = _log_comb(below - 1, k - 1) + _log_comb(above - 1, k)
        return math.exp(first - log_total) + math.exp(second - log_total)

    tail = 0.0
    lower = 2
    for runs in range(2, useful + 1):
        tail += probability(runs)
        if tail > 0.025:
            lower = runs
            break
    tail = 0.0
    upper = useful
    for runs in range(useful, 1, -1):
        tail += probability(runs)
        if tail > 0.025:
            upper = runs
            break
    return lower, upper


class RunsVerdict(StrEnum):
    AS_EXPECTED = "as_expected"
    TOO_FEW = "too_few"
    TOO_MANY = "too_many"
    NOT_JUDGED = "not_judged"


@dataclass(frozen=True, slots=True)
class RunChartRules:
    """Rule lengths for the run chart (IHI defaults); stated on every chart."""

    shift: int = 6
    trend: int = 5
    # The published runs table starts at 10 useful observations; below that the runs rule is
    # not judged.
    min_useful_for_runs: int = 10
    # Fewer points than this and the chart says its signals are to be read with caution.
    min_points: int = 10

    def __post_init__(self) -> None:
        if self.shift < 2 or self.trend < 3:
            raise ValueError("A shift needs at least 2 points and a trend at least 3.")
        if self.min_useful_for_runs < 10:
            raise ValueError("The runs table starts at 10 useful observations.")

    @property
    def statement(self) -> str:
        """The rules in words, for the chart and its summary."""
        return (
            f"Run-chart rules (IHI): a shift is {self.shift} or more points in a row on one side "
            f"of the median; a trend is {self.trend} or more points in a row rising or falling; "
            "too few or too many runs are judged from the published table once there are "
            f"{self.min_useful_for_runs} points off the median; astronomical points are flagged "
            "by the team."
        )


@dataclass(frozen=True, slots=True)
class RunsTest:
    """The too few / too many runs rule: counts, limits used and where they came from."""

    useful_observations: int
    runs: int
    lower: int | None
    upper: int | None
    source: str
    verdict: RunsVerdict


@dataclass(frozen=True, slots=True)
class RunChartAnalysis:
    points: tuple[Point, ...]
    better: Better
    median: float
    median_from_baseline: bool
    baseline: Baseline | None
    rules: RunChartRules
    signals: tuple[Signal, ...]
    runs: RunsTest
    target: float | None
    natures: tuple[PointNature, ...]

    @property
    def enough_points(self) -> bool:
        return len(self.points) >= self.rules.min_points

    def signals_at(self, index: int) -> tuple[Signal, ...]:
        """The signals point ``index`` belongs to."""
        return tuple(found for found in self.signals if index in found.indices)


def side_of(value: float, centre: float) -> int:
    """+1 above, -1 below, 0 on the centre line."""
    return (value > centre) - (value < centre)


def analyse_run_chart(
    points: Sequence[Point],
    *,
    better: Better | str,
    baseline: Baseline | None = None,
    rules: RunChartRules | None = None,
    target: float | None = None,
) -> RunChartAnalysis:
    """Apply the four IHI run-chart rules to a series.

    The median is of the points inside ``baseline`` when it holds any (and is then extended
    across the chart), otherwise of all points. Rules:

    * shift: ``rules.shift`` or more consecutive points on one side of the median; points on
      the median neither break nor count towards a shift;
    * trend: ``rules.trend`` or more consecutive points all going up or all going down; a value
      repeated in succession counts once and does not break the trend;
    * too few / too many runs against ``RUNS_TABLE`` for the number of useful observations
      (points not on the median), not judged below ``rules.min_useful_for_runs``;
    * astronomical: the points the user flagged.

    Raises ValueError for a series :func:`validate_points` rejects.
    """
    series = validate_points(points)
    better = Better(better)
    rules = rules or RunChartRules()
    values = [point.value for point in series]
    in_baseline = [p.value for p in series if baseline is not None and baseline.contains(p.period)]
    median = statistics.median(in_baseline or values)

    found: list[Signal] = []
    found += _shifts(values, median, rules.shift, better)
    found += _trends(values, rules.trend, better)
    runs = _runs_test(values, median, rules)
    if runs.verdict is RunsVerdict.TOO_FEW:
        found.append(signal(Rule.TOO_FEW_RUNS, (), None, better))
    elif runs.verdict is RunsVerdict.TOO_MANY:
        found.append(signal(Rule.TOO_MANY_RUNS, (), None, better))
    for index, point in enumerate(series):
        if point.astronomical:
            side = side_of(point.value, median)
            movement = None if side == 0 else Movement.HIGHER if side > 0 else Movement.LOWER
            found.append(signal(Rule.ASTRONOMICAL, (index,), movement, better))

    return RunChartAnalysis(
        points=series,
        better=better,
        median=median,
        median_from_baseline=bool(in_baseline),
        baseline=baseline,
        rules=rules,
        signals=tuple(found),
        runs=runs,
        target=target,
        natures=point_natures(len(series), found),
    )


def _shifts(values: list[float], centre: float, length: int, better: Better) -> list[Signal]:
    """Runs of ``length``+ points on one side of ``centre``, skipping points on it."""
    found = []
    current: list[int] = []
    current_side = 0
    for index, value in enumerate(values):
        side = side_of(value, centre)
        if side == 0:
            continue
        if side != current_side:
            if len(current) >= length:
                found.append(current)
            current, current_side = [], side
        current.append(index)
    if len(current) >= length:
        found.append(current)
    return [
        signal(
            Rule.SHIFT,
            run,
            Movement.HIGHER if values[run[0]] > centre else Movement.LOWER,
            better,
        )
        for run in found
    ]


def _trends(values: list[float], length: int, better: Better) -> list[Signal]:
    """Stretches where ``length``+ distinct successive values all rise (or all fall).

    A value repeated in succession counts once and does not break the stretch; all the points
    of the stretch, repeats included, belong to the signal.
    """
    found = []
    for direction, movement in ((1, Movement.HIGHER), (-1, Movement.LOWER)):
        start, distinct = 0, 1
        for index in range(1, len(values) + 1):
            if index < len(values):
                step = side_of(values[index], values[index - 1])
                if step in (0, direction):
                    distinct += step == direction
                    continue
            if distinct >= length:
                found.append((start, index - 1, movement))
            start, distinct = index, 1
    found.sort()
    return [
        signal(Rule.TREND, range(first, last + 1), movement, better)
        for first, last, movement in found
    ]


def _runs_test(values: list[float], centre: float, rules: RunChartRules) -> RunsTest:
    sides = [side for side in (side_of(value, centre) for value in values) if side != 0]
    useful = len(sides)
    runs = (1 + sum(a != b for a, b in zip(sides, sides[1:], strict=False))) if sides else 0
    if useful < rules.min_useful_for_runs:
        return RunsTest(useful, runs, None, None, "", RunsVerdict.NOT_JUDGED)
    if useful in RUNS_TABLE:
        (lower, upper), source = RUNS_TABLE[useful], RUNS_TABLE_SOURCE
    else:
        (lower, upper), source = exact_runs_limits(useful), RUNS_EXACT_SOURCE
    if runs < lower:
        verdict = RunsVerdict.TOO_FEW
    elif runs > upper:
        verdict = RunsVerdict.TOO_MANY
    else:
        verdict = RunsVerdict.AS_EXPECTED
    return RunsTest(useful, runs, lower, upper, source, verdict)
