"""One way to build an e-mail: ``emails/<name>.subject.txt``, ``.txt`` and ``.html`` rendered
with the same context into a multipart message."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for template ``name``; the subject is one line."""
    subject = render_to_string(f"emails/{name}.subject.txt", context)
    subject = " ".join(subject.split())
    text = render_to_string(f"emails/{name}.txt", context)
    html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def build_email(
    *,
    name: str,
    context: dict,
    to: str,
    headers: dict | None = None,
    attachments: list[dict] | None = None,
    connection=None,
) -> EmailMultiAlternatives:
    """A multipart (text + HTML) message ready to send on ``connection``."""
    subject, text, html = render_email(name, context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers or {},
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments or []:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message
