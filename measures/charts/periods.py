"""How a chart names its periods: "Mar 2025" for monthly data, "3 Mar 2025" otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .data import Point

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_monthly(points: Sequence[Point]) -> bool:
    """Whether the periods are a month or more apart (label them "Mar 2025"). Linear in the
    points: callers work it out once per chart, not once per label."""
    return len(points) > 1 and all(
        (b.period - a.period).days >= 28 for a, b in zip(points, points[1:], strict=False)
    )


def format_period(day: date, *, monthly: bool) -> str:
    month = MONTHS[day.month - 1]
    return f"{month} {day.year}" if monthly else f"{day.day} {month} {day.year}"
