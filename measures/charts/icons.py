"""The Making Data Count variation and assurance icons, drawn by our own code.

NHS England's "Making Data Count" summarises each measure with two round icons: *variation*
(common cause, or special cause of improvement or concern, high or low) and *assurance* (will
the process meet its target: consistently pass, consistently fail, or hit and miss). These are
our own drawings of that idea: a ring in the icon's colour, a letter (H, L, P, F, ?) and a
little line of dots, so the icon reads in grey-scale print and without colour vision. Pages and
reports always print the label beside the icon: the icon is never the only carrier of meaning.

Each function returns a complete SVG document (fixed strings and our own numbers: no user text,
safe to embed), the same for the web page and the PDF.
"""

from __future__ import annotations

from .spc import Assurance, Variation

BLUE, ORANGE, GREY, PURPLE = "#1565c0", "#e65100", "#6e6e6e", "#6a1b9a"

# Dots rising to the right (high), falling (low) or level (common cause), in a 40 × 40 box.
_DOTS = {
    "level": ((9, 27), (15, 27), (21, 27), (27, 27), (33, 27)),
    "high": ((9, 30), (15, 30), (21, 29), (27, 24), (33, 22)),
    "low": ((9, 24), (15, 24), (21, 25), (27, 30), (33, 32)),
}

VARIATION_ICONS = {
    Variation.COMMON_CAUSE: (GREY, "", "level"),
    Variation.IMPROVEMENT_HIGH: (BLUE, "H", "high"),
    Variation.IMPROVEMENT_LOW: (BLUE, "L", "low"),
    Variation.CONCERN_HIGH: (ORANGE, "H", "high"),
    Variation.CONCERN_LOW: (ORANGE, "L", "low"),
    Variation.MIXED: (PURPLE, "±", "level"),
}

ASSURANCE_ICONS = {
    Assurance.PASSING: (BLUE, "P"),
    Assurance.FAILING: (ORANGE, "F"),
    Assurance.HIT_AND_MISS: (GREY, "?"),
}

VARIATION_SHORT = {
    Variation.COMMON_CAUSE: "Common cause",
    Variation.IMPROVEMENT_HIGH: "Improvement (high)",
    Variation.IMPROVEMENT_LOW: "Improvement (low)",
    Variation.CONCERN_HIGH: "Concern (high)",
    Variation.CONCERN_LOW: "Concern (low)",
    Variation.MIXED: "Improvement and concern",
}

ASSURANCE_SHORT = {
    Assurance.PASSING: "Consistently passing",
    Assurance.FAILING: "Consistently failing",
    Assurance.HIT_AND_MISS: "Hit and miss",
}


def _icon_parts(colour: str, letter: str, dots: str, target_line: bool = False) -> str:
    parts = [
        f'<circle cx="20" cy="20" r="17.5" fill="#ffffff" stroke="{colour}" stroke-width="3"/>'
    ]
    if target_line:
        parts.append(
            f'<line x1="7" y1="26" x2="33" y2="26" stroke="{colour}" stroke-width="1.5" '
            'stroke-dasharray="3 2"/>'
        )
    else:
        parts.append(
            "".join(
                f'<circle cx="{x}" cy="{y}" r="2.2" fill="{colour if i >= 3 else GREY}"/>'
                for i, (x, y) in enumerate(_DOTS[dots])
            )
        )
    if letter:
        parts.append(
            f'<text x="20" y="{17 if not target_line else 21}" font-size="13" '
            f'font-weight="bold" text-anchor="middle" fill="{colour}">{letter}</text>'
        )
    return "".join(parts)


def _icon(colour: str, letter: str, dots: str, label: str, target_line: bool = False) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="40" height="40" '
        f'viewBox="0 0 40 40" aria-label="{label}" '
        'font-family="DejaVu Sans, Arial, Helvetica, sans-serif">'
        + _icon_parts(colour, letter, dots, target_line)
        + "</svg>"
    )


def variation_icon_svg(variation: Variation) -> str:
    """The variation icon: a grey ring with level dots for common cause; blue (improvement) or
    orange (concern) with H or L and the last dots high or low for special cause."""
    colour, letter, dots = VARIATION_ICONS[variation]
    return _icon(colour, letter, dots, f"Variation: {VARIATION_SHORT[variation]}")


def assurance_icon_svg(assurance: Assurance) -> str:
    """The assurance icon: P (blue) consistently passing, F (orange) consistently failing,
    ? (grey) hit and miss; a dashed line stands for the target."""
    colour, letter = ASSURANCE_ICONS[assurance]
    return _icon(colour, letter, "level", f"Assurance: {ASSURANCE_SHORT[assurance]}", True)


def icon_symbols_svg() -> str:
    """Every icon once, as <symbol>s in a hidden SVG, for a page that shows many of them: each
    use is then ``icon_use_svg`` (a few bytes instead of a whole drawing)."""
    symbols = [
        f'<symbol id="mdc-variation-{variation}" viewBox="0 0 40 40">'
        + _icon_parts(colour, letter, dots)
        + "</symbol>"
        for variation, (colour, letter, dots) in VARIATION_ICONS.items()
    ]
    symbols += [
        f'<symbol id="mdc-assurance-{assurance}" viewBox="0 0 40 40">'
        + _icon_parts(colour, letter, "level", True)
        + "</symbol>"
        for assurance, (colour, letter) in ASSURANCE_ICONS.items()
    ]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" aria-hidden="true" '
        'style="position:absolute" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">'
        + "".join(symbols)
        + "</svg>"
    )


def icon_use_svg(icon: Variation | Assurance, size: int = 28) -> str:
    """A use of one of ``icon_symbols_svg``'s symbols, labelled like the full icon."""
    if isinstance(icon, Variation):
        ref, label = f"mdc-variation-{icon}", f"Variation: {VARIATION_SHORT[icon]}"
    else:
        ref, label = f"mdc-assurance-{icon}", f"Assurance: {ASSURANCE_SHORT[icon]}"
    return (
        f'<svg role="img" aria-label="{label}" width="{size}" height="{size}" '
        f'viewBox="0 0 40 40"><use href="#{ref}"/></svg>'
    )
