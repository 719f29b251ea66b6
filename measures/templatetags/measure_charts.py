"""The one place a chart's SVG is marked safe, and its data table's rows built.

The chart library escapes every piece of text it puts in the SVG (titles, units, annotations
and PDSA change ideas are typed by users), so its output may be embedded as markup. The filter
takes the :class:`~measures.charting.MeasureChart`, not a string, so it cannot be
pointed at user text by mistake.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from measures.charting import MeasureChart
from measures.charts import (
    assurance_icon_svg,
    icon_symbols_svg,
    render_legend_svg,
    variation_icon_svg,
)

register = template.Library()


@register.filter
def chart_svg(chart: MeasureChart) -> SafeString:
    """The chart's SVG as markup (empty when the measure has too few points to chart)."""
    if not isinstance(chart, MeasureChart):
        raise TypeError("chart_svg takes a MeasureChart.")
    return mark_safe(chart.svg)  # noqa: S308  (escaped by measures.charts.svg)


@register.simple_tag
def chart_legend() -> SafeString:
    """One legend for compact charts (drawn without their own): our markup, no user text."""
    return mark_safe(render_legend_svg())  # noqa: S308  (built from constants)


@register.filter
def table_rows(chart: MeasureChart, latest: int | str = "") -> SafeString:
    """The data table's body rows (only the ``latest`` so many when given), the first cell of
    each its row header, every cell escaped. Joined here rather than in a template loop (or
    ``format_html`` per cell): a measure at its cap has a thousand rows of eight cells, and
    those took most of the page's time."""
    if not isinstance(chart, MeasureChart):
        raise TypeError("table_rows takes a MeasureChart.")
    if chart.table is None:
        return SafeString("")
    shown = chart.table.rows[-int(latest) :] if latest else chart.table.rows
    rows = (
        f'<tr><th scope="row">{escape(first)}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in rest)
        + "</tr>"
        for first, *rest in shown
    )
    return mark_safe("\n".join(rows))  # noqa: S308  (every cell escaped just above)


@register.filter
def variation_icon(chart: MeasureChart) -> SafeString:
    """The chart's Making Data Count variation icon (empty for a run chart). Our own fixed
    drawing: no user text goes in it. Print the label beside it."""
    if not isinstance(chart, MeasureChart):
        raise TypeError("variation_icon takes a MeasureChart.")
    if chart.variation is None:
        return mark_safe("")
    return mark_safe(variation_icon_svg(chart.variation))  # noqa: S308  (fixed drawing)


@register.filter
def assurance_icon(chart: MeasureChart) -> SafeString:
    """The chart's assurance icon (empty without a target or limits): as ``variation_icon``."""
    if not isinstance(chart, MeasureChart):
        raise TypeError("assurance_icon takes a MeasureChart.")
    if chart.assurance is None:
        return mark_safe("")
    return mark_safe(assurance_icon_svg(chart.assurance))  # noqa: S308  (fixed drawing)


@register.simple_tag
def mdc_icon_symbols() -> SafeString:
    """Every Making Data Count icon once, for pages that show many (each a
    ``measures.charts.icon_use_svg``)."""
    return mark_safe(icon_symbols_svg())  # noqa: S308  (fixed drawings)
