"""Paired statistics for before/after self-assessments, pure Python (no scipy).

The 95 % interval of a mean change uses Student's t quantile, computed from the closed form
of the t distribution for whole degrees of freedom (Abramowitz & Stegun 26.7.3–26.7.4) and
bisection; tests check it against the printed table."""

import math
from collections.abc import Sequence
from dataclasses import dataclass


def t_two_sided_probability(t: float, df: int) -> float:
    """P(|T| ≤ t) for Student's t with ``df`` (≥ 1) degrees of freedom."""
    if df < 1:
        raise ValueError("Degrees of freedom must be at least 1.")
    theta = math.atan(abs(t) / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    if df % 2 == 1:
        total, term = 0.0, 1.0
        if df > 1:
            total = 1.0
            for k in range(1, (df - 3) // 2 + 1):
                term *= cos2 * (2 * k) / (2 * k + 1)
                total += term
            total *= math.sin(theta) * math.cos(theta)
        return 2 / math.pi * (theta + total)
    total, term = 1.0, 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= cos2 * (2 * k - 1) / (2 * k)
        total += term
    return math.sin(theta) * total


def t_quantile(probability: float, df: int) -> float:
    """The ``probability`` quantile (0.5 < p < 1) of Student's t with ``df`` degrees of
    freedom, e.g. ``t_quantile(0.975, 9)`` ≈ 2.262. Bisection to 1e-10."""
    if not 0.5 < probability < 1:
        raise ValueError("Give a probability between 0.5 and 1.")
    target = 2 * probability - 1
    low, high = 0.0, 1.0
    while t_two_sided_probability(high, df) < target:
        high *= 2
    while high - low > 1e-10:
        middle = (low + high) / 2
        if t_two_sided_probability(middle, df) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


@dataclass(frozen=True)
class PairedChange:
    """Changes (after − before) of ``pairs`` people: their mean and its 95 % interval (None
    with fewer than two pairs, where no interval exists)."""

    pairs: int
    mean: float | None
    low: float | None
    high: float | None


def paired_change(changes: Sequence[float]) -> PairedChange:
    n = len(changes)
    if n == 0:
        return PairedChange(pairs=0, mean=None, low=None, high=None)
    mean = sum(changes) / n
    if n < 2:
        return PairedChange(pairs=1, mean=mean, low=None, high=None)
    variance = sum((c - mean) ** 2 for c in changes) / (n - 1)
    half_width = t_quantile(0.975, n - 1) * math.sqrt(variance / n)
    return PairedChange(pairs=n, mean=mean, low=mean - half_width, high=mean + half_width)
