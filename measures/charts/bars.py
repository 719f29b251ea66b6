"""Small horizontal bars for a distribution (how many chose each answer): one SVG per
question, the same on a page and in a PDF.

Each bar has its label drawn before it and its count and share after it, so the figure reads
without colour and in grey-scale print; the whole figure is one image whose accessible name
says every count in words. Labels are typed by people: every piece of text is escaped
(:func:`~measures.charts.svg.escape_text`), so the output may be embedded as markup.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from .svg import FONT, GRID, INK, _n, escape_text

BAR = "#1565c0"
ROW = 22
LABEL_WIDTH = 170
VALUE_WIDTH = 80


def share_text(count: int, total: int) -> str:
    """ "4 (40%)"; "0" when nobody answered."""
    return f"{count} ({round(100 * count / total)}%)" if total else str(count)


def distribution_words(rows: Sequence[tuple[str, int]], total: int) -> str:
    """The figure in words: "Agree: 4 of 10 (40%); …"."""
    return "; ".join(
        f"{label}: {count} of {total}" + (f" ({round(100 * count / total)}%)" if total else "")
        for label, count in rows
    )


def render_bars_svg(
    rows: Sequence[tuple[str, int]], *, title: str, total: int, width: int = 420
) -> str:
    """Bars for ``rows`` (label, count), each drawn as its share of ``total`` answers."""
    bar_space = width - LABEL_WIDTH - VALUE_WIDTH
    height = ROW * len(rows) + 4
    body: list[str] = []
    for index, (label, count) in enumerate(rows):
        top = 2 + index * ROW
        middle = top + ROW / 2 + 4
        shown = textwrap.shorten(label, width=26, placeholder="…")
        length = bar_space * count / total if total else 0
        body.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{_n(middle)}" text-anchor="end" font-size="12">'
            f"{escape_text(shown)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{_n(top + 4)}" width="{_n(bar_space)}" '
            f'height="{ROW - 8}" fill="none" stroke="{GRID}"/>'
            f'<rect x="{LABEL_WIDTH}" y="{_n(top + 4)}" width="{_n(length)}" '
            f'height="{ROW - 8}" fill="{BAR}"/>'
            f'<text x="{_n(LABEL_WIDTH + bar_space + 6)}" y="{_n(middle)}" font-size="12">'
            f"{escape_text(share_text(count, total))}</text>"
        )
    words = escape_text(f"{title}: {distribution_words(rows, total)}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="distribution" role="img" '
        f'aria-label="{words}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" fill="{INK}">'
        f"<title>{words}</title>{''.join(body)}</svg>"
    )
