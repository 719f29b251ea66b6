"""The attendance table's rows, one a participant, written in one pass rather than through the
template language or a ``format_html`` a row: with 50 participants the template engine's
per-variable cost, and then ``format_html``'s per-row one, were the larger part of the
attendance card's time. The participant's name, the only text a user typed, is escaped; the
other cells are numbers and the fixed words below."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_MEETS_RULE = {
    None: "No register taken yet",
    True: '<span class="badge text-bg-success">Yes</span>',
    False: '<span class="badge text-bg-danger">No</span>',
}


@register.simple_tag
def attendance_rows(rows) -> SafeString:
    """One <tr> per ``modules.selectors.ParticipantAttendance``: the participant, sessions
    expected, attended, apologies, the rate ("—" before any), and whether it meets the rule."""
    if not rows:
        return mark_safe('<tr><td colspan="6">No participants.</td></tr>')
    return mark_safe(  # noqa: S308 — the name is escaped; the rest are ints and fixed markup
        "\n".join(
            f'<tr><th scope="row">{escape(str(row.person))}</th>'
            f'<td class="text-end">{row.expected:d}</td>'
            f'<td class="text-end">{row.attended:d}</td>'
            f'<td class="text-end">{row.apologies:d}</td>'
            f'<td class="text-end">{"—" if row.rate is None else f"{row.percent:d}%"}</td>'
            f"<td>{_MEETS_RULE[row.meets_rule]}</td></tr>"
            for row in rows
        )
    )
