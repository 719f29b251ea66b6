"""The attendance table's rows, one a participant, written with ``format_html`` rather than
the template language: with 50 participants the template engine's per-variable cost was the
larger part of the attendance card's time. Every value is escaped by ``format_html``."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_MEETS_RULE = {
    None: "No register taken yet",
    True: mark_safe('<span class="badge text-bg-success">Yes</span>'),
    False: mark_safe('<span class="badge text-bg-danger">No</span>'),
}


@register.simple_tag
def attendance_rows(rows) -> SafeString:
    """One <tr> per ``modules.selectors.ParticipantAttendance``: the participant, sessions
    expected, attended, apologies, the rate ("—" before any), and whether it meets the rule."""
    if not rows:
        return format_html('<tr><td colspan="6">{}</td></tr>', "No participants.")
    return format_html_join(
        "\n",
        '<tr><th scope="row">{}</th><td class="text-end">{}</td><td class="text-end">{}</td>'
        '<td class="text-end">{}</td><td class="text-end">{}</td><td>{}</td></tr>',
        (
            (
                row.person,
                row.expected,
                row.attended,
                row.apologies,
                "—" if row.percent is None else f"{row.percent}%",
                _MEETS_RULE[row.meets_rule],
            )
            for row in rows
        ),
    )
