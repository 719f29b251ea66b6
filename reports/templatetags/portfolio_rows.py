"""The portfolio's cohort sections and their table rows, written in Python rather than the
template language: a portfolio has tens of cohorts and hundreds of rows, and the template
engine's per-variable cost made up most of the page's time (and ``format_html``'s, a row at a
time, a fifth of what was left). Every value from the database is escaped with
``html.escape``; the icons are our own fixed drawings (``measures.charts.icons``)."""

from html import escape

from django import template
from django.template.defaultfilters import date
from django.utils.safestring import SafeString, mark_safe

from leadership.links import link
from measures.charts import icon_use_svg

register = template.Library()

_ICON_CELL = (
    '<td><span class="d-inline-flex align-items-center gap-1">{}<span>{}</span></span></td>'
)


def _rows(rows, measure_url: str) -> str:
    """One <tr> per (project, MeasureSummary): project, headline (a link to the measure), the
    variation and assurance icons each with its words. Escaped HTML."""
    url = escape(measure_url)
    html = [
        f'<tr><th scope="row" class="fw-normal">{escape(project.name)} '
        f'<span class="text-body-secondary">({escape(project.kind.lower())})</span></th>'
        f'<td><a href="{url}{int(summary.measure.pk)}/">{escape(summary.headline)}</a></td>'
        + _ICON_CELL.format(
            icon_use_svg(summary.variation) if summary.variation else "",
            escape(summary.variation_label or "no chart yet"),
        )
        + _ICON_CELL.format(
            icon_use_svg(summary.assurance) if summary.assurance else "",
            escape(summary.assurance_label or "–"),
        )
        + "</tr>"
        for project, summary in rows
    ]
    return "\n".join(html)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@register.simple_tag
def portfolio_sections(portfolio, measure_url: str) -> SafeString:
    """One <section> per cohort of ``portfolio`` (``reports.portfolio.Portfolio``): its name
    (a link to the cohort), status, start, projects and reports, and its table of measures."""
    html = []
    for item in portfolio.cohorts:
        cohort = item.cohort
        name = escape(cohort.name)
        rows = item.rows
        if rows:
            table = (
                '<div class="table-responsive">\n<table class="table table-sm align-middle">\n'
                f"<caption class=\"visually-hidden\">{name}: every team's and pair's "
                "measures</caption>\n"
                '<thead><tr><th scope="col">Project</th><th scope="col">Headline</th>'
                '<th scope="col">Variation</th><th scope="col">Assurance</th></tr></thead>\n'
                f"<tbody>\n{_rows(rows, measure_url)}\n</tbody>\n</table>\n</div>"
            )
        else:
            table = '<p class="text-body-secondary">No measures recorded yet.</p>'
        html.append(
            f'<section class="mb-4 portfolio-cohort" '
            f'aria-labelledby="portfolio-cohort-{int(cohort.pk)}">\n'
            f'<h2 class="h5" id="portfolio-cohort-{int(cohort.pk)}">'
            f'<a href="{link("cohorts:cohort_detail", cohort.pk)}">'
            f"{escape(cohort.programme.name)} — {name}</a></h2>\n"
            f'<p class="text-body-secondary small mb-2">{escape(cohort.get_status_display())}'
            f" · from {escape(date(cohort.starts_on, 'j M Y'))}"
            f" · {_plural(len(item.projects), 'project')}"
            f' · <a href="{link("reports:report_list", cohort.pk)}">reports</a></p>\n'
            f"{table}\n</section>"
        )
    return mark_safe("\n".join(html))  # noqa: S308  # nosec B308 B703 — every value escaped above
