"""XmR (individuals and moving range) analysis with the NHS "Making Data Count" rules.

Natural process limits are mean ± 2.66 × the mean moving range (2.66 = 3 / d2, d2 = 1.128 for
ranges of two points). Special causes, per segment (limits recalculated after a rebase start a
new segment, and no rule looks across the step):

* a point outside the limits;
* a shift: ``rules.shift`` or more consecutive points above the mean, or below it;
* a trend: ``rules.trend`` or more consecutive points each higher than the last, or each lower;
* two of three consecutive points beyond two-thirds of the way to a limit, on the same side.

The rule lengths live in :class:`SpcRules` (a programme setting); the defaults are the Making
Data Count values and every chart states the lengths it used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from .data import (
    Baseline,
    Better,
    Movement,
    Nature,
    Point,
    PointNature,
    Rule,
    Signal,
    point_natures,
    signal,
    validate_points,
)

# 3 / d2 for moving ranges of two consecutive points.
LIMIT_FACTOR = 2.66


class NotEnoughPoints(ValueError):
    """The series is too short for an XmR chart under the rule set in use."""


@dataclass(frozen=True, slots=True)
class SpcRules:
    """Special-cause rule lengths; the defaults are NHS England's Making Data Count values."""

    shift: int = 7
    trend: int = 7
    # Fewer points than this and there is no XmR chart (a run chart instead). A segment whose
    # limits rest on fewer points is drawn and labelled as provisional.
    min_points: int = 15

    def __post_init__(self) -> None:
        if self.shift < 2 or self.trend < 3 or self.min_points < 2:
            raise ValueError(
                "A shift needs at least 2 points, a trend at least 3, and limits at least 2."
            )

    @property
    def statement(self) -> str:
        """The rules in words, for the chart and its summary."""
        return (
            f"Special-cause rules: a point outside the limits; {self.shift} or more points in a "
            f"row above or below the mean; {self.trend} or more points in a row rising or "
            "falling; 2 of 3 points beyond two-thirds of the way to a limit."
        )


@dataclass(frozen=True, slots=True)
class Rebase:
    """Recalculate the limits from ``starts_on`` because something changed (``reason``).

    The new limits come from the segment's points up to ``baseline_ends_on`` (inclusive) when
    given, otherwise from all of its points.
    """

    starts_on: date
    reason: str
    baseline_ends_on: date | None = None


class Variation(StrEnum):
    """The Making Data Count variation icon, judged on the latest point of a segment."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    # The latest point is in an improvement signal and a concern signal at once.
    MIXED = "mixed"

    @property
    def label(self) -> str:
        return VARIATION_LABELS[self]


VARIATION_LABELS = {
    Variation.COMMON_CAUSE: "common cause",
    Variation.IMPROVEMENT_HIGH: "special cause — improvement",
    Variation.IMPROVEMENT_LOW: "special cause — improvement",
    Variation.CONCERN_HIGH: "special cause — concern",
    Variation.CONCERN_LOW: "special cause — concern",
    Variation.MIXED: "special cause — improvement and concern",
}


class Assurance(StrEnum):
    """The Making Data Count assurance icon: where the target sits against the limits."""

    PASSING = "passing"
    FAILING = "failing"
    HIT_AND_MISS = "hit_and_miss"

    @property
    def label(self) -> str:
        return ASSURANCE_LABELS[self]


ASSURANCE_LABELS = {
    Assurance.PASSING: "consistently passing the target",
    Assurance.FAILING: "consistently failing the target",
    Assurance.HIT_AND_MISS: "hit and miss: the target is met some periods and missed others",
}


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the chart with its own limits (the first, or one started by a rebase).

    ``first``/``last`` and ``basis_first``/``basis_last`` are inclusive indices into the series;
    the limits were calculated from the basis points.
    """

    first: int
    last: int
    basis_first: int
    basis_last: int
    mean: float
    mean_moving_range: float
    upper: float
    lower: float
    reason: str
    provisional: bool
    signals: tuple[Signal, ...]
    variation: Variation
    assurance: Assurance | None

    @property
    def basis_count(self) -> int:
        return self.basis_last - self.basis_first + 1

    def covers(self, index: int) -> bool:
        return self.first <= index <= self.last


@dataclass(frozen=True, slots=True)
class XmrAnalysis:
    points: tuple[Point, ...]
    better: Better
    target: float | None
    rules: SpcRules
    segments: tuple[Segment, ...]
    # Aligned with points; None for the first point of each segment (no range across a step).
    moving_ranges: tuple[float | None, ...]
    signals: tuple[Signal, ...]
    natures: tuple[PointNature, ...]

    @property
    def variation(self) -> Variation:
        """The current variation: the latest segment's."""
        return self.segments[-1].variation

    @property
    def assurance(self) -> Assurance | None:
        """The current assurance against the target (None without a target)."""
        return self.segments[-1].assurance

    def segment_of(self, index: int) -> Segment:
        return next(segment for segment in self.segments if segment.covers(index))

    def signals_at(self, index: int) -> tuple[Signal, ...]:
        return tuple(found for found in self.signals if index in found.indices)


def xmr_possible(count: int, rules: SpcRules | None = None) -> bool:
    """Whether ``count`` points are enough for an XmR chart under ``rules``."""
    return count >= (rules or SpcRules()).min_points


def analyse_xmr(
    points: Sequence[Point],
    *,
    better: Better | str,
    target: float | None = None,
    rules: SpcRules | None = None,
    baseline: Baseline | None = None,
    rebases: Sequence[Rebase] = (),
) -> XmrAnalysis:
    """Calculate XmR limits per segment and find special causes.

    ``baseline`` chooses the points of the first segment its limits come from (all of them when
    it holds fewer than two). Each rebase starts a segment at the first point on or after its
    date, with limits from its own points. Signals, variation and assurance are per segment;
    the analysis's own ``variation``/``assurance`` are the latest segment's.

    Raises NotEnoughPoints for fewer than ``rules.min_points`` points, and ValueError for a bad
    series or rebase (no reason, no point after it, two at one point, too few basis points).
    """
    series = validate_points(points)
    better = Better(better)
    rules = rules or SpcRules()
    if len(series) < rules.min_points:
        raise NotEnoughPoints(
            f"An XmR chart needs at least {rules.min_points} points; this measure has "
            f"{len(series)}. Use the run chart until there are more."
        )
    values = [point.value for point in series]
    segments: list[Segment] = []
    moving_ranges: list[float | None] = []
    for first, last, basis_first, basis_last, reason in _segment_bounds(series, baseline, rebases):
        basis = values[basis_first : basis_last + 1]
        mean = sum(basis) / len(basis)
        ranges = [abs(b - a) for a, b in zip(basis, basis[1:], strict=False)]
        mean_range = sum(ranges) / len(ranges)
        upper = mean + LIMIT_FACTOR * mean_range
        lower = mean - LIMIT_FACTOR * mean_range
        found = _special_causes(values, first, last, mean, upper, lower, rules, better)
        segments.append(
            Segment(
                first=first,
                last=last,
                basis_first=basis_first,
                basis_last=basis_last,
                mean=mean,
                mean_moving_range=mean_range,
                upper=upper,
                lower=lower,
                reason=reason,
                provisional=len(basis) < rules.min_points,
                signals=tuple(found),
                variation=_variation(last, found),
                assurance=assurance_of(upper, lower, target, better),
            )
        )
        moving_ranges.append(None)
        moving_ranges += [abs(values[i] - values[i - 1]) for i in range(first + 1, last + 1)]
    signals = tuple(found for segment in segments for found in segment.signals)
    return XmrAnalysis(
        points=series,
        better=better,
        target=target,
        rules=rules,
        segments=tuple(segments),
        moving_ranges=tuple(moving_ranges),
        signals=signals,
        natures=point_natures(len(series), signals),
    )


def _segment_bounds(
    series: tuple[Point, ...], baseline: Baseline | None, rebases: Sequence[Rebase]
) -> list[tuple[int, int, int, int, str]]:
    """(first, last, basis_first, basis_last, reason) for each segment, validated."""
    starts: list[tuple[int, Rebase | None]] = [(0, None)]
    rebase: Rebase | None
    for rebase in sorted(rebases, key=lambda r: r.starts_on):
        if not rebase.reason.strip():
            raise ValueError(
                f"Say what changed to recalculate the limits from {rebase.starts_on.isoformat()}."
            )
        index = next((i for i, p in enumerate(series) if p.period >= rebase.starts_on), None)
        if index is None:
            raise ValueError(
                f"There are no data points on or after {rebase.starts_on.isoformat()} to "
                "recalculate the limits from."
            )
        if index == starts[-1][0]:
            raise ValueError(
                f"The limits are already recalculated from {series[index].period.isoformat()}."
            )
        starts.append((index, rebase))
    bounds = []
    for number, (first, rebase) in enumerate(starts):
        last = starts[number + 1][0] - 1 if number + 1 < len(starts) else len(series) - 1
        if rebase is None:
            inside = [
                i
                for i in range(first, last + 1)
                if baseline and baseline.contains(series[i].period)
            ]
            basis_first, basis_last = (inside[0], inside[-1]) if len(inside) >= 2 else (first, last)
            reason = ""
        else:
            basis_first, basis_last = first, last
            if rebase.baseline_ends_on is not None:
                basis_last = max(
                    (i for i in range(first, last + 1)
                     if series[i].period <= rebase.baseline_ends_on),
                    default=first,
                )  # fmt: skip
            reason = rebase.reason.strip()
        if basis_last - basis_first < 1:
            raise ValueError(
                f"Recalculating the limits from {series[first].period.isoformat()} needs at "
                "least 2 points to calculate them from."
            )
        bounds.append((first, last, basis_first, basis_last, reason))
    return bounds


def _special_causes(
    values: list[float],
    first: int,
    last: int,
    mean: float,
    upper: float,
    lower: float,
    rules: SpcRules,
    better: Better,
) -> list[Signal]:
    found: list[Signal] = []
    indices = range(first, last + 1)
    for i in indices:
        if values[i] > upper:
            found.append(signal(Rule.OUTSIDE_LIMITS, (i,), Movement.HIGHER, better))
        elif values[i] < lower:
            found.append(signal(Rule.OUTSIDE_LIMITS, (i,), Movement.LOWER, better))

    # A point exactly on the mean is on neither side, so it ends a shift (as in the Making
    # Data Count tool, which asks whether each point is above, or below, the mean).
    for run, side in _runs(indices, lambda i: (values[i] > mean) - (values[i] < mean)):
        if side and len(run) >= rules.shift:
            movement = Movement.HIGHER if side > 0 else Movement.LOWER
            found.append(signal(Rule.SHIFT, run, movement, better))

    # Each point strictly higher (or lower) than the one before; a repeat ends the trend.
    def step(i: int) -> int:
        return 0 if i == first else (values[i] > values[i - 1]) - (values[i] < values[i - 1])

    for run, direction in _runs(indices, step):
        # A run of n rising steps spans n + 1 points: include the point it rose from.
        if direction and len(run) + 1 >= rules.trend:
            movement = Movement.HIGHER if direction > 0 else Movement.LOWER
            found.append(signal(Rule.TREND, [run[0] - 1, *run], movement, better))

    two_thirds_up = mean + (upper - mean) * 2 / 3
    two_thirds_down = mean - (mean - lower) * 2 / 3
    for movement, beyond in (
        (Movement.HIGHER, lambda i: values[i] > two_thirds_up),
        (Movement.LOWER, lambda i: values[i] < two_thirds_down),
    ):
        flagged: set[int] = set()
        for start in range(first, last - 1):
            window = [i for i in range(start, start + 3) if beyond(i)]
            if len(window) >= 2:
                flagged.update(window)
        for group in _clusters(sorted(flagged)):
            found.append(signal(Rule.TWO_OF_THREE, group, movement, better))
    found.sort(key=lambda s: (s.indices[0], s.rule))
    return found


def _runs(indices: range, key: Callable[[int], int]) -> list[tuple[list[int], int]]:
    """Maximal runs of consecutive indices with the same key, with that key."""
    runs: list[tuple[list[int], int]] = []
    for i in indices:
        value = key(i)
        if runs and runs[-1][1] == value:
            runs[-1][0].append(i)
        else:
            runs.append(([i], value))
    return runs


def _clusters(flagged: list[int]) -> list[list[int]]:
    """Split flagged indices where they are more than two apart (no shared window of three)."""
    groups: list[list[int]] = []
    for i in flagged:
        if groups and i - groups[-1][-1] <= 2:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _variation(last: int, found: list[Signal]) -> Variation:
    """Judge the segment on its latest point, as the Making Data Count icons do."""
    current = [s for s in found if last in s.indices]
    natures = {s.nature for s in current}
    if not current:
        return Variation.COMMON_CAUSE
    if Nature.IMPROVEMENT in natures and Nature.CONCERN in natures:
        return Variation.MIXED
    higher = current[-1].movement is Movement.HIGHER
    if Nature.IMPROVEMENT in natures:
        return Variation.IMPROVEMENT_HIGH if higher else Variation.IMPROVEMENT_LOW
    return Variation.CONCERN_HIGH if higher else Variation.CONCERN_LOW


def assurance_of(
    upper: float, lower: float, target: float | None, better: Better
) -> Assurance | None:
    """Passing when every value the process gives meets the target, failing when none does.

    Meeting the target means at or above it when up is better, at or below it when down is.
    """
    if target is None:
        return None
    if better is Better.UP:
        passing, failing = lower >= target, upper < target
    else:
        passing, failing = upper <= target, lower > target
    if passing:
        return Assurance.PASSING
    if failing:
        return Assurance.FAILING
    return Assurance.HIT_AND_MISS


def latest_window(analysis: XmrAnalysis, count: int) -> XmrAnalysis:
    """The analysis of the whole series seen through its latest ``count`` points, for a small
    chart that draws only those: centre lines, limits and signals stay as the whole series
    gave them (a shift that began before the window is still a shift), clipped to the window
    and their indices counted from its first point. Signals wholly before it are left out;
    chart-level ones (no points) are kept, and a segment that began before the window loses
    its reason (its recalculation is not on the drawing). For drawing only: the basis indices
    of a segment may fall before the window, so the chart's words (``chart_summary``) come
    from the whole analysis. The whole analysis when it has ``count`` points or fewer."""
    start = len(analysis.points) - count
    if start <= 0:
        return analysis

    def clip(found: Signal) -> Signal | None:
        if not found.indices:
            return found
        inside = tuple(index - start for index in found.indices if index >= start)
        return replace(found, indices=inside) if inside else None

    def shifted(segment: Segment) -> Segment:
        return replace(
            segment,
            first=max(segment.first - start, 0),
            reason=segment.reason if segment.first >= start else "",
            last=segment.last - start,
            basis_first=segment.basis_first - start,
            basis_last=segment.basis_last - start,
            signals=tuple(s for s in map(clip, segment.signals) if s is not None),
        )

    return replace(
        analysis,
        points=analysis.points[start:],
        segments=tuple(shifted(s) for s in analysis.segments if s.last >= start),
        moving_ranges=analysis.moving_ranges[start:],
        signals=tuple(s for s in map(clip, analysis.signals) if s is not None),
        natures=analysis.natures[start:],
    )
