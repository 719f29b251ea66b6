"""The one place a chart's SVG is marked safe.

The chart library escapes every piece of text it puts in the SVG (titles, units, annotations
and PDSA change ideas are typed by users), so its output may be embedded as markup. The filter
takes the :class:`~measures.charting.MeasureChart`, not a string, so it cannot be
pointed at user text by mistake.
"""

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
