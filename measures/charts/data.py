"""The plain data the chart library reads and returns.

Nothing here knows about the ORM: the measure pages turn their rows into these dataclasses, so the
web page, the PDF report and the tests all feed the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Better(StrEnum):
    """Which way a measure improves."""

    UP = "up"
    DOWN = "down"

    @property
    def reversed(self) -> Better:
        return Better.DOWN if self is Better.UP else Better.UP


class Movement(StrEnum):
    """Which way the data moved for a signal: higher or lower than the process would give."""

    HIGHER = "higher"
    LOWER = "lower"


class Nature(StrEnum):
    """What a signal means for the measure, given its better direction."""

    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    # Too few / too many runs say the process is not random, but not which way it moved.
    NEUTRAL = "neutral"


class PointNature(StrEnum):
    """How one point is drawn: the union of the signals it belongs to."""

    COMMON = "common"
    IMPROVEMENT = "improvement"
    CONCERN = "concern"
    # In an improvement signal and a concern signal at once (e.g. rising while still below
    # the mean): shown as its own kind rather than picking a side.
    MIXED = "mixed"


class Rule(StrEnum):
    """Every rule either chart can report, with the wording used in summaries."""

    SHIFT = "shift"
    TREND = "trend"
    TOO_FEW_RUNS = "too_few_runs"
    TOO_MANY_RUNS = "too_many_runs"
    ASTRONOMICAL = "astronomical"
    OUTSIDE_LIMITS = "outside_limits"
    TWO_OF_THREE = "two_of_three"


def nature_of(movement: Movement, better: Better) -> Nature:
    """Improvement when the data moved the way the measure gets better, else concern."""
    moved_up = movement is Movement.HIGHER
    return Nature.IMPROVEMENT if moved_up == (better is Better.UP) else Nature.CONCERN


@dataclass(frozen=True, slots=True)
class Point:
    """One observation: the period it covers (its first day) and its value.

    ``astronomical`` is the user's own judgement that the value is obviously different from
    the rest (the IHI fourth run-chart rule is a judgement, not a calculation).
    """

    period: date
    value: float
    astronomical: bool = False


@dataclass(frozen=True, slots=True)
class Baseline:
    """A period (inclusive at both ends) whose points set the centre line (and limits)."""

    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise ValueError("The baseline must end on or after the day it starts.")

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True, slots=True)
class Annotation:
    """Something to mark on the chart at a date: a PDSA cycle, a change, an event."""

    period: date
    label: str


@dataclass(frozen=True, slots=True)
class Signal:
    """One rule that fired and the points (indices into the series) that make it up.

    ``indices`` is empty for chart-level signals (too few / too many runs). ``movement`` is
    None when the rule says nothing about direction.
    """

    rule: Rule
    indices: tuple[int, ...]
    movement: Movement | None
    nature: Nature


def signal(rule: Rule, indices: Iterable[int], movement: Movement | None, better: Better) -> Signal:
    """Build a signal, deriving its nature from the movement and the better direction."""
    nature = Nature.NEUTRAL if movement is None else nature_of(movement, better)
    return Signal(rule=rule, indices=tuple(indices), movement=movement, nature=nature)


def point_natures(count: int, signals: Iterable[Signal]) -> tuple[PointNature, ...]:
    """The drawing class of each of ``count`` points from the signals they belong to.

    Signals without a direction (too few / too many runs) belong to the chart, not to points.
    """
    seen: list[set[Nature]] = [set() for _ in range(count)]
    for found in signals:
        for index in found.indices:
            seen[index].add(found.nature)
    natures = []
    for kinds in seen:
        if Nature.IMPROVEMENT in kinds and Nature.CONCERN in kinds:
            natures.append(PointNature.MIXED)
        elif Nature.IMPROVEMENT in kinds:
            natures.append(PointNature.IMPROVEMENT)
        elif Nature.CONCERN in kinds:
            natures.append(PointNature.CONCERN)
        else:
            natures.append(PointNature.COMMON)
    return tuple(natures)


def validate_points(points: Sequence[Point]) -> tuple[Point, ...]:
    """Check the series is usable and return it as a tuple.

    Raises ValueError (with a message a page can show) for an empty series, a value that is not
    a finite number, or periods that are duplicated or out of order: a duplicate period is an
    error, never a silent overwrite.
    """
    series = tuple(points)
    if not series:
        raise ValueError("There are no data points to chart.")
    for previous, current in zip(series, series[1:], strict=False):
        if current.period == previous.period:
            raise ValueError(f"There are two data points for {current.period.isoformat()}.")
        if current.period < previous.period:
            raise ValueError(
                f"Data points must be in date order: {current.period.isoformat()} comes after "
                f"{previous.period.isoformat()}."
            )
    for point in series:
        if not math.isfinite(point.value):
            raise ValueError(f"The value for {point.period.isoformat()} is not a number.")
    return series


def month_starts(first: date, count: int) -> list[date]:
    """``count`` consecutive first-of-month dates from ``first``'s month (for monthly series)."""
    months = first.year * 12 + first.month - 1
    return [date((months + i) // 12, (months + i) % 12 + 1, 1) for i in range(count)]


def signals_by_point(count: int, signals: Iterable[Signal]) -> list[tuple[Signal, ...]]:
    """For each of ``count`` points, the signals it belongs to, in the signals' order: one pass
    over the signals, where asking each point in turn would scan them all every time."""
    found: list[list[Signal]] = [[] for _ in range(count)]
    for one in signals:
        for index in one.indices:
            found[index].append(one)
    return [tuple(here) for here in found]
