"""The audit trail's rows, one an event, written here rather than by the template language: a
page has 50 events, and the template engine's per-variable cost was the larger part of the
page's time; ``format_html`` for each cell, most of what was left. Every value is escaped."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from leadership.timestamps import day_and_time_writer

register = template.Library()


@register.simple_tag
def audit_rows(events) -> SafeString:
    """One <tr> per event (``governance.selectors.TrailEntry``): when (in the current time
    zone), who ("System" for no one), what, about whom (a link to their privacy page), the
    object, and the changes, a line each."""
    if not events:
        return mark_safe('<tr><td colspan="6">No entries match.</td></tr>')
    # One reverse for every row's link: each appends its person's id.
    person_url = escape(reverse("governance:person_privacy", args=[0]).removesuffix("0/"))
    when = day_and_time_writer()

    def about(event) -> str:
        if event.person is None:
            return "—"
        return f'<a href="{person_url}{int(event.person_id)}/">{escape(event.person)}</a>'

    return mark_safe(  # noqa: S308 — every value below is escaped
        "\n".join(
            f'<tr><td class="text-nowrap">{escape(when(event.created_at))}</td>'
            f"<td>{escape(event.actor or 'System')}</td><td>{escape(event.label)}</td>"
            f"<td>{about(event)}</td><td>{escape(event.target_repr)}</td>"
            f'<td class="small">{"<br>".join(escape(line) for line in event.change_lines)}</td>'
            "</tr>"
            for event in events
        )
    )
