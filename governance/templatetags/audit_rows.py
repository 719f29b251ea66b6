"""The audit trail's rows, one an event, written with ``format_html`` rather than the template
language: a page has 50 events, and the template engine's per-variable cost was the larger
part of the page's time. Every value is escaped by ``format_html``."""

import datetime

from django import template
from django.template.defaultfilters import date
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime

register = template.Library()


@register.simple_tag
def audit_rows(events) -> SafeString:
    """One <tr> per event (``governance.selectors.label_events``): when (in the current time
    zone), who ("System" for no one), what, about whom (a link to their privacy page), the
    object, and the changes, a line each."""
    if not events:
        return format_html('<tr><td colspan="6">{}</td></tr>', "No entries match.")
    # One reverse for every row's link: each appends its person's id.
    person_url = reverse("governance:person_privacy", args=[0]).removesuffix("0/")
    # A page's events fall on a few days: each day is written once ("j M Y"), the time
    # ("H:i") for each event.
    days: dict[datetime.date, str] = {}

    def when(at: datetime.datetime) -> str:
        at = localtime(at)
        if (day := days.get(at.date())) is None:
            day = days[at.date()] = date(at, "j M Y")
        return f"{day} {at:%H:%M}"

    return format_html_join(
        "\n",
        '<tr><td class="text-nowrap">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
        '<td class="small">{}</td></tr>',
        (
            (
                when(event.created_at),
                event.actor or "System",
                event.label,
                format_html('<a href="{}{}/">{}</a>', person_url, event.person.pk, event.person)
                if event.person
                else "—",
                event.target_repr,
                format_html_join(mark_safe("<br>"), "{}", ((line,) for line in event.change_lines)),
            )
            for event in events
        ),
    )
