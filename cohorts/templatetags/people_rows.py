"""The cohort page's people tables, one row a person, written here rather than by the template
language: with 50 people the template engine's per-variable cost was the larger part of the
page's time, and ``format_html`` a row still a tenth of it. Every value is escaped."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from cohorts.models import Enrolment
from cohorts.selectors import PersonRow
from leadership.models import User

register = template.Library()


def _labels(model, field: str) -> dict:
    """``get_<field>_display`` as one dict for every row (the method rebuilds it per call)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


@register.simple_tag
def people_rows(rows: list[PersonRow], *, person_url: str, can_manage: bool) -> SafeString:
    """One <tr> per person (``cohorts.selectors.PersonRow``): the person (a link to their
    page, ``person_url`` + id, for those who manage the cohort), profession, job title,
    department, and for those who manage it their e-mail and enrolment status."""
    professions = _labels(User, "profession")
    if can_manage:
        statuses = _labels(Enrolment, "status")
        url = escape(person_url)
        html = "\n".join(
            f'<tr><th scope="row"><a href="{url}{int(row.person_id)}/">{escape(row.name)}</a>'
            f"</th><td>{escape(professions.get(row.profession, row.profession))}</td>"
            f"<td>{escape(row.job_title)}</td><td>{escape(row.department)}</td>"
            f"<td>{escape(row.email)}</td>"
            f"<td>{escape(statuses.get(row.status, row.status))}</td></tr>"
            for row in rows
        )
    else:
        html = "\n".join(
            f'<tr><th scope="row">{escape(row.name)}</th>'
            f"<td>{escape(professions.get(row.profession, row.profession))}</td>"
            f"<td>{escape(row.job_title)}</td><td>{escape(row.department)}</td></tr>"
            for row in rows
        )
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 — every value escaped above
