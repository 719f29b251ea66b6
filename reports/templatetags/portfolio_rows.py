"""The portfolio's table rows, written with ``format_html`` rather than the template
language: a portfolio has hundreds of rows, and the template engine's per-variable cost made
up most of the page's time. Every value is escaped by ``format_html``; the icons are our own
fixed drawings (``measures.charts.icons``)."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from measures.charts import icon_use_svg

register = template.Library()


def _icon(icon) -> SafeString:
    return mark_safe(icon_use_svg(icon) if icon else "")  # noqa: S308  (fixed drawings)


@register.simple_tag
def portfolio_rows(rows, measure_url: str) -> SafeString:
    """One <tr> per (project, MeasureSummary): project, headline (a link to the measure), the
    variation and assurance icons each with its words."""
    return format_html_join(
        "\n",
        '<tr><th scope="row" class="fw-normal">{} <span class="text-body-secondary">({})'
        '</span></th><td><a href="{}{}/">{}</a></td><td><span class="d-inline-flex '
        'align-items-center gap-1">{}<span>{}</span></span></td><td><span class="d-inline-flex '
        'align-items-center gap-1">{}<span>{}</span></span></td></tr>',
        (
            (
                project.name,
                project.kind.lower(),
                measure_url,
                summary.measure.pk,
                summary.headline,
                _icon(summary.variation),
                summary.variation_label or "no chart yet",
                _icon(summary.assurance),
                summary.assurance_label or "–",
            )
            for project, summary in rows
        ),
    )
