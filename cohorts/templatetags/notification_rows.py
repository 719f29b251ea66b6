"""The e-mail log's rows, one an e-mail, written here rather than by the template language (as
the audit trail's are): a page has 50 e-mails, and the template engine's per-variable cost (a
date, two display labels, a truncated error, a link and a CSRF field for each failed one) made
the page's time grow with its rows, 1.65× from a cohort with a few e-mails to a full page.
Every value is escaped."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from leadership.models import Notification
from leadership.timestamps import day_and_time_writer

register = template.Library()

# The badge's colour for each status (any other: pending or sending).
_BADGE: dict[str, str] = {
    Notification.Status.FAILED.value: "danger",
    Notification.Status.SENT.value: "success",
    Notification.Status.CANCELLED.value: "secondary",
}


@register.simple_tag(takes_context=True)
def notification_rows(context, rows) -> SafeString:
    """One <tr> per ``Notification`` (with its recipient): when it was due (in the current
    time zone), to whom, its kind, its status as a badge, attempts, the last error (at most
    120 characters) and, for a failed one, a "Retry" form."""
    if not rows:
        return mark_safe('<tr><td colspan="7">No e-mails match.</td></tr>')
    kinds = {value: str(label) for value, label in Notification.Kind.choices}
    statuses = {value: str(label) for value, label in Notification.Status.choices}
    # One reverse for every failed row's form (each puts its e-mail's id in the middle), and
    # the CSRF field ``{% csrf_token %}`` writes, once: it is the same for every form of a page.
    before, after = (escape(part) for part in reverse("notification_retry", args=[1]).split("/1/"))
    token = context.get("csrf_token")
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'
        if token and token != "NOTPROVIDED"
        else ""
    )
    when = day_and_time_writer()

    def row(notification: Notification) -> str:
        to = escape(str(notification.recipient))
        retry = (
            f'<form method="post" action="{before}/{int(notification.pk)}/{after}">{csrf}'
            '<button class="btn btn-sm btn-outline-danger" type="submit">Retry<span '
            f'class="visually-hidden"> e-mail to {to}</span></button></form>'
            if notification.status == Notification.Status.FAILED
            else ""
        )
        return (
            f"<tr><td>{escape(when(notification.scheduled_for))}</td><td>{to}</td>"
            f"<td>{escape(kinds.get(notification.kind, notification.kind))}</td>"
            f'<td><span class="badge text-bg-{_BADGE.get(notification.status, "warning")}">'
            f"{escape(statuses.get(notification.status, notification.status))}</span></td>"
            f"<td>{int(notification.attempts)}</td>"
            f'<td class="small">{escape(Truncator(notification.last_error).chars(120))}</td>'
            f"<td>{retry}</td></tr>"
        )

    return mark_safe("\n".join(row(notification) for notification in rows))  # noqa: S308 — escaped
