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

register = template.Library()


@register.filter
def chart_svg(chart: MeasureChart) -> SafeString:
    """The chart's SVG as markup (empty when the measure has too few points to chart)."""
    if not isinstance(chart, MeasureChart):
        raise TypeError("chart_svg takes a MeasureChart.")
    return mark_safe(chart.svg)  # noqa: S308  (escaped by measures.charts.svg)


@register.filter
def table_rows(chart: MeasureChart) -> SafeString:
    """The data table's body rows, the first cell of each its row header, every cell escaped.
    Joined here rather than in a template loop (or ``format_html`` per cell): a measure at its
    cap has a thousand rows of eight cells, and those took most of the page's time."""
    if not isinstance(chart, MeasureChart):
        raise TypeError("table_rows takes a MeasureChart.")
    if chart.table is None:
        return SafeString("")
    rows = (
        f'<tr><th scope="row">{escape(first)}</th>'
        + "".join(f"<td>{escape(cell)}</td>" for cell in rest)
        + "</tr>"
        for first, *rest in chart.table.rows
    )
    return mark_safe("\n".join(rows))  # noqa: S308  (every cell escaped just above)
