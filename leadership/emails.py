"""One way to build an e-mail: ``emails/<name>.subject.txt``, ``.txt`` and ``.html`` rendered
with the same context into a multipart message (plain text + HTML, attachments after).

Batches of notifications go out through ``BatchRenderer`` and ``mime_bytes``: a batch renders
each template and shared context once and splices in each recipient's own values, and the
MIME bytes are written directly instead of through the ``email`` package, whose header folding
and generator cost more than everything else about a reminder. ``build_email`` (Django's
``EmailMultiAlternatives``) stays for the non-SMTP backends — the console in development, the
outbox in tests — and a test holds the two to the same content.
"""

import base64
import binascii
import json
import re
import secrets
import smtplib
from email.header import Header
from email.utils import formatdate, parseaddr
from functools import lru_cache

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.core.mail.utils import DNS_NAME
from django.template.loader import render_to_string
from django.utils.html import escape


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for template ``name``; the subject is one line."""
    subject: str = render_to_string(f"emails/{name}.subject.txt", context)
    subject = " ".join(subject.split())
    # The HTML's <title> is the subject line, for every kind.
    context = {"subject": subject, **context}
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
    rendered: tuple[str, str, str] | None = None,
) -> EmailMultiAlternatives:
    """A multipart (text + HTML) message ready to send on ``connection``; ``rendered`` is the
    (subject, text, HTML) when the caller has them already."""
    subject, text, html = rendered or render_email(name, context)
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


class BatchRenderer:
    """Renders ``render_email`` once per template and shared context, then splices in each
    recipient's own values (``PER_RECIPIENT``): a reminder to fifty people is one rendering.

    The per-recipient values are rendered as random marks and replaced afterwards — raw in the
    subject and plain text (those templates turn autoescaping off), HTML-escaped in the HTML.
    That is exactly what rendering them would give as long as templates print these values
    plainly (``{{ recipient_name }}``, no filters); a test renders every e-mail template both
    ways to hold that true."""

    PER_RECIPIENT = ("recipient_name", "preferences_url")

    def __init__(self) -> None:
        self._rendered: dict[tuple, tuple[str, str, str]] = {}
        self._marks = {key: f"m{secrets.token_hex(12)}" for key in self.PER_RECIPIENT}

    def render(self, name: str, context: dict) -> tuple[str, str, str]:
        own = {key: str(context[key]) for key in self.PER_RECIPIENT if context.get(key)}
        shared = {key: value for key, value in context.items() if key not in self.PER_RECIPIENT}
        cache_key = (name, tuple(own), json.dumps(shared, sort_keys=True, default=str))
        if cache_key not in self._rendered:
            marked = {key: self._marks[key] for key in own}
            self._rendered[cache_key] = render_email(name, {**shared, **marked})
        subject, text, html = self._rendered[cache_key]
        for key, value in own.items():
            mark = self._marks[key]
            subject = subject.replace(mark, value)
            text = text.replace(mark, value)
            html = html.replace(mark, escape(value))
        return " ".join(subject.split()), text, html


def _header(name: str, value: str) -> str:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values can't contain newlines (got {value!r} for {name})")
    if value.isascii() and len(value) < 900:
        return f"{name}: {value}"
    return _encoded_header(name, value)


@lru_cache(maxsize=256)
def _encoded_header(name: str, value: str) -> str:
    """An RFC 2047 header. Cached: ``Header`` measures each candidate encoding a character at
    a time (about 0.8 ms for a subject with a dash), and a batch repeats a cohort's subject
    for each of its people."""
    encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}"


@lru_cache(maxsize=64)
def _address_header(name: str, address: str) -> str:
    if "<" not in address and "(" not in address:  # a bare address, as recipients' are
        return _header(name, address)
    display, email = parseaddr(address)
    if display and not display.isascii():
        display = Header(display, "utf-8").encode()
    elif display:
        display = '"' + display.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return _header(name, f"{display} <{email}>" if display else email)


def _text_part(content: str, subtype: str) -> list[str]:
    data = content.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    # quoted-printable: ASCII stays readable, lines stay under 76 characters, CRLF throughout.
    body = binascii.b2a_qp(data, istext=True).decode("ascii")
    return [
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        body,
    ]


def _attachment_part(attachment: dict) -> list[str]:
    content = attachment["content"]
    data = content.encode() if isinstance(content, str) else content
    body = base64.encodebytes(data).decode("ascii").replace("\n", "\r\n")
    filename = attachment["filename"].replace('"', "")
    return [
        f"Content-Type: {attachment['mimetype']}",
        "Content-Transfer-Encoding: base64",
        f'Content-Disposition: attachment; filename="{filename}"',
        "",
        body,
    ]


def _multipart(subtype: str, parts: list[list[str]]) -> list[str]:
    boundary = f"=_{secrets.token_hex(12)}"  # keeps the Content-Type line under 78
    lines = [f'Content-Type: multipart/{subtype}; boundary="{boundary}"', ""]
    for part in parts:
        lines += [f"--{boundary}", *part]
    lines += [f"--{boundary}--", ""]
    return lines


def mime_bytes(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    headers: dict | None = None,
    attachments: list[dict] | None = None,
    from_email: str | None = None,
) -> bytes:
    """The whole message, CRLF line endings, ready for ``smtplib.SMTP.sendmail``: the same
    structure as ``build_email`` (multipart/alternative, inside multipart/mixed when there are
    attachments)."""
    lines = [
        _address_header("From", from_email or settings.DEFAULT_FROM_EMAIL),
        _header("To", to) if "<" not in to else _address_header("To", to),
        _header("Subject", subject),
        f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}",
        f"Message-ID: <{secrets.token_hex(16)}@{DNS_NAME}>",
        "MIME-Version: 1.0",
    ]
    lines += [_header(name, value) for name, value in (headers or {}).items()]
    body = _multipart("alternative", [_text_part(text, "plain"), _text_part(html, "html")])
    if attachments:
        body = _multipart("mixed", [body, *(_attachment_part(a) for a in attachments)])
    return "\r\n".join(lines + body).encode("ascii")


@lru_cache(maxsize=8)
def envelope_sender(from_email: str | None = None) -> str:
    """The address part of ``DEFAULT_FROM_EMAIL`` (what SMTP's MAIL FROM takes)."""
    return parseaddr(from_email or settings.DEFAULT_FROM_EMAIL)[1]


_LINE_STARTING_WITH_DOT = re.compile(rb"(?m)^\.")


def send_raw(smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes) -> None:
    """Send the prebuilt ``message`` to one recipient on an open smtplib connection.

    Where the server offers PIPELINING (RFC 2920; Postfix, Exim and the cloud relays do),
    MAIL, RCPT and DATA go in one write and their three replies are read together: two round
    trips a message instead of four. Refusals raise the same smtplib exceptions as
    ``sendmail``, so retries and failures are recorded the same way."""
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("pipelining") or not (sender + recipient).isascii():
        smtp.sendmail(sender, [recipient], message)
        return
    smtp.send(f"MAIL FROM:<{sender}>\r\nRCPT TO:<{recipient}>\r\nDATA\r\n")
    mail_code, mail_reply = smtp.getreply()
    rcpt_code, rcpt_reply = smtp.getreply()
    data_code, data_reply = smtp.getreply()
    refused = mail_code != 250 or rcpt_code not in (250, 251)
    if data_code == 354 and refused:
        # The server took DATA though it refused the envelope: end it with an empty message.
        smtp.send(".\r\n")
        smtp.getreply()
    if refused or data_code != 354:
        smtp.rset()
    if mail_code != 250:
        raise smtplib.SMTPSenderRefused(mail_code, mail_reply, sender)
    if rcpt_code not in (250, 251):
        raise smtplib.SMTPRecipientsRefused({recipient: (rcpt_code, rcpt_reply)})
    if data_code != 354:
        raise smtplib.SMTPDataError(data_code, data_reply)
    body = _LINE_STARTING_WITH_DOT.sub(b"..", message)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
