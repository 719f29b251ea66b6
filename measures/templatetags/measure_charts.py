"""The one place a chart's SVG is marked safe.

The chart library escapes every piece of text it puts in the SVG (titles, units, annotations
and PDSA change ideas are typed by users), so its output may be embedded as markup. The filter
takes the :class:`~measures.charting.MeasureChart`, not a string, so it cannot be
pointed at user text by mistake.
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from measures.charting import MeasureChart
from measures.charts import (
    assurance_icon_svg,
    icon_symbols_svg,
    variation_icon_svg,
)

register = template.Library()


@register.filter
def chart_svg(chart: MeasureChart) -> SafeString:
    """The chart's SVG as markup (empty when the measure has too few points to chart)."""
    if not isinstance(chart, MeasureChart):
        raise TypeError("chart_svg takes a MeasureChart.")
    return mark_safe(chart.svg)  # noqa: S308  (escaped by measures.charts.svg)


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
