"""The cohort page's people tables, one row a person, written with ``format_html`` rather than
the template language: with 50 people the template engine's per-variable cost was the larger
part of the page's time. Every value is escaped by ``format_html``."""

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from cohorts.models import Enrolment
from leadership.models import User

register = template.Library()


def _labels(model, field: str) -> dict:
    """``get_<field>_display`` as one dict for every row (the method rebuilds it per call)."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


@register.simple_tag
def people_rows(enrolments, *, person_url: str, can_manage: bool) -> SafeString:
    """One <tr> per enrolment: the person (a link to their page, ``person_url`` + id, for those
    who manage the cohort), profession, job title, department, and for those who manage it
    their e-mail and enrolment status."""
    professions = _labels(User, "profession")
    if can_manage:
        statuses = _labels(Enrolment, "status")
        return format_html_join(
            "\n",
            '<tr><th scope="row"><a href="{}{}/">{}</a></th><td>{}</td><td>{}</td><td>{}</td>'
            "<td>{}</td><td>{}</td></tr>",
            (
                (
                    person_url,
                    enrolment.person_id,
                    enrolment.person,
                    professions.get(enrolment.person.profession, enrolment.person.profession),
                    enrolment.person.job_title,
                    enrolment.person.department,
                    enrolment.person.email,
                    statuses.get(enrolment.status, enrolment.status),
                )
                for enrolment in enrolments
            ),
        )
    return format_html_join(
        "\n",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (
                enrolment.person,
                professions.get(enrolment.person.profession, enrolment.person.profession),
                enrolment.person.job_title,
                enrolment.person.department,
            )
            for enrolment in enrolments
        ),
    )
