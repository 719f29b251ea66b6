"""The batch path for e-mail (one rendering per template and context, MIME written directly,
SMTP pipelining) says exactly what Django's own message would, and survives a real server."""

import email
import smtplib
from email import policy
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail import BadHeaderError
from django.test.signals import template_rendered

from leadership import notifications
from leadership.emails import (
    BatchRenderer,
    build_email,
    envelope_sender,
    mime_bytes,
    render_email,
    send_raw,
)
from leadership.models import Notification

TEMPLATES = sorted(
    path.name.removesuffix(".subject.txt")
    for path in (Path(settings.BASE_DIR) / "templates" / "emails").glob("*.subject.txt")
)
# Values a person could type, with everything that escaping or MIME could get wrong.
NAME = 'Ngaio <O\'Brien> & "Tāne"'
URL = "https://leadership.example.org/notifications/stop/a&b=c<d>/"


def shared_context() -> dict:
    return {
        "subject": "Module 2 — Tikanga & <practice>",
        "message": "Bring your A3.\n.\nA line that starts with a dot, and ünïcödé, and a long "
        "line that goes well past seventy-six characters so quoted-printable must fold it.",
        "programme_name": "Enhanced Care",
        "cohort_name": "Cohort 3",
        "session_title": "Module 2 & friends",
        "session_date": "Thu 4 March",
        "link": "https://leadership.example.org/x?a=1&b=2",
        "kind_label": "Session reminders",
        "set_password_url": "https://leadership.example.org/set/abc/",
        "language": "en-GB",
    }


@pytest.mark.parametrize("name", TEMPLATES)
def test_a_batch_renders_every_template_exactly_as_rendering_it_for_each_person(name):
    renderer = BatchRenderer()
    for person, url in ((NAME, URL), ("Sam", None)):
        context = {**shared_context(), "recipient_name": person}
        if url:
            context["preferences_url"] = url
        assert renderer.render(name, context) == render_email(name, context)


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_html_email_declares_its_cohorts_language_or_plain_english(name):
    """A screen reader reads an e-mail in the cohort's English (``Cohort.email_voice``), as it
    reads the cohort's pages and PDFs; without a cohort, English."""
    assert '<html lang="en-GB">' in render_email(name, shared_context())[2]
    without = {k: v for k, v in shared_context().items() if k != "language"}
    assert '<html lang="en">' in render_email(name, without)[2]


def test_a_batch_renders_a_shared_context_once_whoever_it_goes_to():
    renderer = BatchRenderer()
    rendered = []

    def count(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        for n in range(5):
            renderer.render("generic", {**shared_context(), "recipient_name": f"P{n}"})
    finally:
        template_rendered.disconnect(count)
    assert rendered.count("emails/generic.subject.txt") == 1
    assert rendered.count("emails/generic.html") == 1


def parts(raw: bytes) -> dict:
    message = email.message_from_bytes(raw, policy=policy.default)
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    # Compared with line endings normalised: Django re-encodes a text attachment as text
    # (LF), ours is base64 and keeps the CRLF that iCalendar asks for.
    attachments = [
        (a.get_filename(), a.get_content_type(), a.get_content().replace("\r\n", "\n"))
        for a in message.iter_attachments()
        if a.get_content_type() != "multipart/alternative"
    ]
    # Header values compared without the whitespace that folding a long line leaves.
    return {
        "from": str(message["From"]),
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "key": message["X-Notification-Key"].strip(),
        "unsubscribe": message["List-Unsubscribe"].strip(),
        "structure": [p.get_content_type() for p in message.walk()],
        "text": text.get_content().replace("\r\n", "\n"),
        "html": html.get_content().replace("\r\n", "\n"),
        "attachments": attachments,
    }


@pytest.mark.parametrize("with_attachment", [False, True])
def test_the_bytes_written_directly_say_what_djangos_message_says(settings, with_attachment):
    settings.DEFAULT_FROM_EMAIL = "Rōpū Leadership <noreply@leadership.example.org>"
    context = {**shared_context(), "recipient_name": NAME, "preferences_url": URL}
    rendered = render_email("generic", context)
    headers = {"X-Notification-Key": "session-reminder:7:14", "List-Unsubscribe": f"<{URL}>"}
    attachments = (
        [{"filename": "module-2.ics", "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
          "mimetype": "text/calendar"}]
        if with_attachment
        else []
    )  # fmt: skip
    ours = mime_bytes(
        to="ngaio@example.org", subject=rendered[0], text=rendered[1], html=rendered[2],
        headers=headers, attachments=attachments,
    )  # fmt: skip
    djangos = build_email(
        name="generic", context=context, to="ngaio@example.org", headers=headers,
        attachments=attachments,
    ).message().as_bytes()  # fmt: skip
    assert parts(ours) == parts(djangos)
    # Header lines within SMTP's hard limit; the bodies, quoted-printable, within 76.
    head, body = ours.split(b"\r\n\r\n", 1)
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert b"\n" not in ours.replace(b"\r\n", b"")  # CRLF throughout, as SMTP wants


def test_a_header_cannot_be_given_a_second_line():
    with pytest.raises(BadHeaderError):
        mime_bytes(
            to="a@example.org", subject="Hi", text="t", html="<p>t</p>",
            headers={"X-Notification-Key": "k\r\nBcc: everyone@example.org"},
        )  # fmt: skip


@pytest.mark.parametrize("pipelining", [True, False])
def test_a_real_server_gets_each_message_whole_and_a_refusal_spoils_nothing(
    smtp_server, pipelining
):
    handler = smtp_server.handler
    handler.pipelining = pipelining
    handler.refuse_recipients = {"gone@example.org"}
    body = "First line\r\n.\r\n..two dots\r\n"
    smtp = smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5)
    try:
        smtp.ehlo()
        assert smtp.has_extn("pipelining") is pipelining
        for to in ("one@example.org", "gone@example.org", "two@example.org"):
            raw = mime_bytes(to=to, subject=f"To {to}", text=body, html="<p>x</p>")
            if to.startswith("gone"):
                with pytest.raises(smtplib.SMTPRecipientsRefused):
                    send_raw(smtp, envelope_sender(), to, raw)
            else:
                send_raw(smtp, envelope_sender(), to, raw)
    finally:
        smtp.quit()
    assert [rcpts for _, rcpts in handler.envelopes] == [["one@example.org"], ["two@example.org"]]
    received = [email.message_from_bytes(m, policy=policy.default) for m in handler.messages]
    assert [str(m["Subject"]) for m in received] == ["To one@example.org", "To two@example.org"]
    # Dot-stuffing undone by the server: the text arrives as written.
    text = received[0].get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == body.replace("\r\n", "\n")


def test_a_refused_recipient_fails_its_row_and_the_rest_of_the_batch_goes(
    participant, other_participant, smtp_server, smtp_settings
):
    smtp_server.handler.refuse_recipients = {participant.email}
    for person in (participant, other_participant):
        notifications.notify(
            recipient=person, kind=Notification.Kind.FEEDBACK_RELEASED, dedup_key=f"t:{person.pk}",
            template="generic", context={"subject": "Hello", "message": "Body"},
        )  # fmt: skip
    counts = notifications.send_due()
    assert counts["sent"] == 1
    refused = Notification.objects.get(recipient=participant)
    assert refused.status == Notification.Status.FAILED
    assert "550" in refused.last_error
    assert Notification.objects.get(recipient=other_participant).status == "sent"


def test_no_product_code_queues_the_generic_template():
    # Each kind has its own templates; "generic" only renders what an older release queued.
    root = Path(__file__).resolve().parents[2]
    apps = [root / app for app in settings.INSTALLED_APPS if (root / app / "apps.py").exists()]
    queuing = [
        str(path.relative_to(root))
        for app in apps
        for path in app.rglob("*.py")
        if 'template="generic"' in path.read_text()
    ]
    assert queuing == []
