"""A dot plot of mean ratings per dimension on the 1–5 scale: one row a dimension, one marker
shape a series (before/after, or self/others), joined by a line. Hand-built SVG like
``measures.charts``; every piece of text is escaped there (``escape_text``), so the result is
safe to mark safe in a template. The page shows the same numbers in a table beside it."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from measures.charts.svg import escape_text

from .models import SCALE, SCALE_MAX, SCALE_MIN

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
INK = "#222222"
GRID = "#d0d0d0"
# Two series at most; each has its own shape and shade, so it reads in grey-scale print.
MARKERS = (("circle", "#ffffff", "#1565c0"), ("square", "#1565c0", "#1565c0"))


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]


def _marker(kind: int, x: float, y: float) -> str:
    shape, fill, stroke = MARKERS[kind]
    if shape == "circle":
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="{stroke}" '
            'stroke-width="2"/>'
        )
    return (
        f'<rect x="{x - 5.5:.1f}" y="{y - 5.5:.1f}" width="11" height="11" fill="{fill}" '
        f'stroke="{stroke}" stroke-width="2"/>'
    )


def dot_plot(*, title: str, dimensions: Sequence[str], series: Sequence[Series]) -> SafeString:
    """The SVG string. ``series`` holds one or two series of values per dimension (None: no
    value)."""
    label_width, plot_width, right = 240, 400, 50
    row, top = 36, 54
    width = label_width + plot_width + right
    height = top + row * len(dimensions) + 40

    def x_of(value: float) -> float:
        return label_width + (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * plot_width

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="dotplot-title" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" '
        f'font-family="{FONT}" font-size="13" fill="{INK}">',
        f'<title id="dotplot-title">{escape_text(title)}</title>',
    ]
    legend_x = label_width
    for index, one in enumerate(series):
        parts.append(_marker(index, legend_x + 6, 18))
        parts.append(f'<text x="{legend_x + 18}" y="23">{escape_text(one.label)}</text>')
        legend_x += 30 + 8 * len(one.label)
    bottom = top + row * len(dimensions)
    for value in range(SCALE_MIN, SCALE_MAX + 1):
        x = x_of(value)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 10}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID}"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{value}</text>'
            f'<text x="{x:.1f}" y="{bottom + 31}" text-anchor="middle" font-size="10">'
            f"{escape_text(SCALE[value])}</text>"
        )
    for index, name in enumerate(dimensions):
        y = top + row * index + row / 2 - 8
        shown = name if len(name) <= 32 else name[:31] + "…"
        parts.append(f'<text x="0" y="{y + 4:.1f}">{escape_text(shown)}</text>')
        values = [one.values[index] for one in series]
        known = [x_of(v) for v in values if v is not None]
        if len(known) == 2:
            parts.append(
                f'<line x1="{min(known):.1f}" y1="{y:.1f}" x2="{max(known):.1f}" y2="{y:.1f}" '
                f'stroke="{INK}" stroke-width="1.5"/>'
            )
        for kind, known_value in enumerate(values):
            if known_value is not None:
                parts.append(_marker(kind, x_of(known_value), y))
    parts.append("</svg>")
    # Safe: every text in it went through escape_text; numbers are formatted here.
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703
