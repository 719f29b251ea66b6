"""Each measure in one honest line, and its signals grouped: what a board reads first.

:func:`measure_headline` turns an analysis into a sentence that names the direction (better or
worse, by the measure's polarity), the size of the change (the means before and after), the
change it follows (an adopted PDSA cycle, a recorded change or recalculated limits) and the
assurance against the target. When a sustained shift follows a change and the limits still
span it, the headline says so and carries a :class:`RebaseProposal`: a person confirms it on
the measure page (never automatic).

:func:`grouped_signals` gives at most one line per rule per stretch of limits ("13 points
below the lower limit, Dec 2024–Dec 2025") for print; every point stays in the data table.

Plain functions over the analyses (no ORM), like the rest of the chart library.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .data import Better, Movement, Nature, Point, Rule, Signal
from .run_chart import RunChartAnalysis
from .spc import LIMIT_FACTOR, Assurance, Segment, Variation, XmrAnalysis, assurance_of
from .text import describe_signal, format_period, format_value, is_monthly

Analysis = RunChartAnalysis | XmrAnalysis


class ChangeKind(StrEnum):
    PDSA = "pdsa"
    RECORDED = "recorded"


@dataclass(frozen=True, slots=True)
class Change:
    """Something dated that changed the process: a PDSA cycle marked adopted, or a change
    recorded on a data point (its annotation)."""

    period: date
    label: str
    kind: ChangeKind

    @property
    def described(self) -> str:
        return f"PDSA adopted: {self.label}" if self.kind is ChangeKind.PDSA else self.label


@dataclass(frozen=True, slots=True)
class RebaseProposal:
    """Recalculate the limits from ``starts_on`` because of ``reason`` (the change the shift
    follows): proposed on the measure page, confirmed by a person."""

    starts_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class Headline:
    """The measure's line. ``direction`` is "better", "worse" or "" (no change to report);
    ``limits_span_change`` is true while a proposal waits for a person to confirm it."""

    text: str
    direction: str = ""
    before_mean: float | None = None
    after_mean: float | None = None
    change: Change | None = None
    proposal: RebaseProposal | None = None

    @property
    def limits_span_change(self) -> bool:
        return self.proposal is not None


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def format_amount(value: float, unit: str) -> str:
    """A mean as people write it: one decimal, the unit after ("15.2%", "4.3 days")."""
    text = format_value(round(value, 1))
    if unit.strip() == "%":
        return f"{text}%"
    return f"{text} {unit}".rstrip()


def _target_name(target: float, unit: str) -> str:
    """ "the 40% target", "the target of 4 days"."""
    amount = format_amount(target, unit)
    return f"the {amount} target" if unit.strip() in ("%", "") else f"the target of {amount}"


def _target_clause(
    assurance: Assurance | None, target: float | None, unit: str, *, since_change: bool = False
) -> str:
    if target is None:
        return "no target is set"
    aim = _target_name(target, unit)
    if assurance is Assurance.PASSING:
        return f"{aim} is met consistently" + (" since the change" if since_change else "")
    if assurance is Assurance.FAILING:
        return f"{aim} is not yet met"
    return f"{aim} is met in some periods and missed in others"


def _recent_target_clause(points: Sequence[Point], target: float | None, unit: str, better):
    """For a run chart (no limits to judge by): how often the latest periods met the target."""
    if target is None:
        return "no target is set"
    recent = points[-6:]
    met = sum(
        1 for p in recent if (p.value >= target if better is Better.UP else p.value <= target)
    )
    return f"{_target_name(target, unit)} was met in {met} of the latest {len(recent)} periods"


def _linked_change(
    points: Sequence[Point], first: int, start: int, window: int, changes: Sequence[Change]
) -> Change | None:
    """The latest change dated from ``window`` points before the shift's first point (but not
    before the stretch of limits began) up to the period after it starts: a change logged
    mid-month still counts for that month's point."""
    earliest = points[max(first + 1, start - window)].period
    latest = points[start + 1].period if start + 1 < len(points) else date.max
    linked = [c for c in changes if earliest <= c.period < latest]
    return max(linked, key=lambda c: c.period) if linked else None


def measure_headline(
    analysis: Analysis, *, name: str, unit: str, changes: Sequence[Change] = ()
) -> Headline:
    """The one line for a measure (see the module docstring). ``changes`` are the adopted PDSA
    cycles and recorded changes on the measure, any order."""
    points = analysis.points
    values = [p.value for p in points]
    monthly = is_monthly(points)
    better = analysis.better
    xmr = analysis if isinstance(analysis, XmrAnalysis) else None
    is_xmr = xmr is not None
    if xmr is not None:
        segment = xmr.segments[-1]
        first, last = segment.first, segment.last
        shifts = [s for s in segment.signals if s.rule is Rule.SHIFT]
    else:
        first, last = 0, len(points) - 1
        shifts = [s for s in analysis.signals if s.rule is Rule.SHIFT]
    sustained = [s for s in shifts if s.indices[-1] == last and s.indices[0] > first]

    if sustained:
        shift = sustained[-1]
        start = shift.indices[0]
        before, after = _mean(values[first:start]), _mean(values[start : last + 1])
        direction = "better" if shift.nature is Nature.IMPROVEMENT else "worse"
        window = analysis.rules.shift if is_xmr else 6
        change = _linked_change(points, first, start, window, changes)
        verb = "rose" if shift.movement is Movement.HIGHER else "fell"
        when = format_period(points[start].period, monthly=monthly)
        opening = (
            f"{name} {'improved' if direction == 'better' else 'worsened'}: it {verb} from a "
            f"mean of {format_amount(before, unit)} to {format_amount(after, unit)}"
        )
        if change is not None:
            opening += f" after {when} ({change.described}); a sustained shift"
        else:
            opening += f" from {when}; a sustained shift with no recorded change before it"
        proposal = None
        if is_xmr:
            after_values = values[start : last + 1]
            ranges = [abs(b - a) for a, b in zip(after_values, after_values[1:], strict=False)]
            spread = LIMIT_FACTOR * _mean(ranges) if ranges else 0.0
            assurance = assurance_of(after + spread, after - spread, analysis.target, better)
            target = _target_clause(assurance, analysis.target, unit, since_change=True)
            if change is not None:
                proposal = RebaseProposal(starts_on=points[start].period, reason=change.label)
                target += "; the limits still span the change (recalculation proposed)"
        else:
            target = _recent_target_clause(points, analysis.target, unit, better)
        return Headline(
            text=f"{opening}; {target}.",
            direction=direction,
            before_mean=before,
            after_mean=after,
            change=change,
            proposal=proposal,
        )

    if xmr is not None and segment.reason and len(xmr.segments) > 1:
        previous = xmr.segments[-2]
        before, after = previous.mean, segment.mean
        when = format_period(points[first].period, monthly=monthly)
        moved_up = after > before
        improved = moved_up == (better is Better.UP)
        if format_amount(before, unit) == format_amount(after, unit):
            opening = f"{name} held at a mean of {format_amount(after, unit)}"
            direction = ""
        else:
            opening = (
                f"{name} {'improved' if improved else 'worsened'}: it "
                f"{'rose' if moved_up else 'fell'} from a mean of {format_amount(before, unit)} "
                f"to {format_amount(after, unit)}"
            )
            direction = "better" if improved else "worse"
        return Headline(
            text=(
                f"{opening} since {when} (limits recalculated: {segment.reason}); "
                f"{_variation_phrase(segment.variation)}; "
                f"{_target_clause(segment.assurance, analysis.target, unit)}."
            ),
            direction=direction,
            before_mean=before,
            after_mean=after,
        )

    span = f"{format_period(points[first].period, monthly=monthly)}–" + format_period(
        points[last].period, monthly=monthly
    )
    if is_xmr:
        centre = f"a mean of {format_amount(segment.mean, unit)} ({span})"
        return Headline(
            text=(
                f"{name}: {_variation_phrase(segment.variation)} around {centre}; "
                f"{_target_clause(segment.assurance, analysis.target, unit)}."
            ),
            direction=_variation_direction(segment.variation),
        )
    assert isinstance(analysis, RunChartAnalysis)  # an XmR analysis returned above
    state = "no run-chart signal" if not analysis.signals else "non-random variation"
    return Headline(
        text=(
            f"{name}: {state} around a median of {format_amount(analysis.median, unit)} "
            f"({span}, {len(points)} points: too few for limits); "
            f"{_recent_target_clause(points, analysis.target, unit, better)}."
        )
    )


def _variation_phrase(variation: Variation) -> str:
    if variation is Variation.COMMON_CAUSE:
        return "common-cause variation only"
    if variation is Variation.MIXED:
        return "special-cause variation, improving and concerning at once"
    if variation in (Variation.IMPROVEMENT_HIGH, Variation.IMPROVEMENT_LOW):
        return "special-cause improvement in the latest points"
    return "special-cause concern in the latest points"


def _variation_direction(variation: Variation) -> str:
    if variation in (Variation.IMPROVEMENT_HIGH, Variation.IMPROVEMENT_LOW):
        return "better"
    if variation in (Variation.CONCERN_HIGH, Variation.CONCERN_LOW):
        return "worse"
    return ""


# --- signals grouped ------------------------------------------------------------------------

_NATURE_WORDS = {
    frozenset({Nature.IMPROVEMENT}): " (improvement)",
    frozenset({Nature.CONCERN}): " (concern)",
    frozenset({Nature.IMPROVEMENT, Nature.CONCERN}): " (improvement and concern)",
}


def _points(count: int) -> str:
    return f"{count} point{'' if count == 1 else 's'}"


def _span_of(analysis: Analysis, indices: Collection[int]) -> str:
    monthly = is_monthly(analysis.points)
    every = sorted(indices)
    span = format_period(analysis.points[every[0]].period, monthly=monthly)
    if every[-1] != every[0]:
        span += "–" + format_period(analysis.points[every[-1]].period, monthly=monthly)
    return span


def _rule_line(analysis: Analysis, rule: Rule, found: Sequence[Signal]) -> str:
    """One line for every signal of ``rule`` in one stretch of limits: each direction with its
    number of points, span and nature, joined by a semicolon."""
    centre = "median" if isinstance(analysis, RunChartAnalysis) else "mean"
    if rule is Rule.ASTRONOMICAL:
        indices = set().union(*(item.indices for item in found))
        return f"{_points(len(indices))} flagged as astronomical, {_span_of(analysis, indices)}"
    parts = []
    for movement in (Movement.HIGHER, Movement.LOWER):
        mine = [item for item in found if item.movement is movement]
        if not mine:
            continue
        indices = set().union(*(item.indices for item in mine))
        higher = movement is Movement.HIGHER
        count = _points(len(indices))
        runs_text = "in a row" if len(mine) == 1 else f"in {len(mine)} runs"
        if rule is Rule.OUTSIDE_LIMITS:
            text = f"{count} {'above the upper' if higher else 'below the lower'} limit"
        elif rule is Rule.SHIFT:
            text = f"{count} {runs_text} {'above' if higher else 'below'} the {centre}"
        elif rule is Rule.TREND:
            text = f"{count} {runs_text} {'rising' if higher else 'falling'}"
        else:
            limit = "upper" if higher else "lower"
            text = f"{count} near the {limit} limit (2 of 3 beyond two-thirds of the way)"
        natures = frozenset(item.nature for item in mine) - {Nature.NEUTRAL}
        parts.append(f"{text}, {_span_of(analysis, indices)}{_NATURE_WORDS.get(natures, '')}")
    return "; ".join(parts)


RULE_ORDER = (
    Rule.OUTSIDE_LIMITS,
    Rule.SHIFT,
    Rule.TREND,
    Rule.TWO_OF_THREE,
    Rule.ASTRONOMICAL,
    Rule.TOO_FEW_RUNS,
    Rule.TOO_MANY_RUNS,
)


def grouped_signals(analysis: Analysis) -> list[str]:
    """At most one line per rule for each stretch of limits (the whole run chart, or each XmR
    segment), with the number of points, where they sit, their span and their nature. A run
    chart's too few / too many runs keep their own sentence."""
    stretches: list[tuple[Segment | None, Sequence[Signal]]]
    if isinstance(analysis, XmrAnalysis):
        stretches = [(segment, segment.signals) for segment in analysis.segments]
    else:
        stretches = [(None, analysis.signals)]
    several = len(stretches) > 1
    monthly = is_monthly(analysis.points)
    lines = []
    for segment, signals in stretches:
        prefix = ""
        if segment is not None and several:
            since = format_period(analysis.points[segment.first].period, monthly=monthly)
            prefix = f"Limits from {since}: " if segment.reason else "First limits: "
        for rule in RULE_ORDER:
            found = [s for s in signals if s.rule is rule]
            if not found:
                continue
            if rule in (Rule.TOO_FEW_RUNS, Rule.TOO_MANY_RUNS):
                lines.append(prefix + describe_signal(analysis, found[0]))
            else:
                lines.append(prefix + _rule_line(analysis, rule, found))
    return lines
