"""A mail server that never answers: each send gives up within EMAIL_TIMEOUT, the rest of the
batch is not made to wait, the rows go back to pending with a retry time and the error, the
worker stays free for other tasks, and the messages go out once the server answers again."""

import time

import pytest
from django.utils import timezone

from leadership.models import Notification
from leadership.tasks import heartbeat, send_due_notifications
from tests.factories import UserFactory

from .processes import SilentServer

TIMEOUT = 1
ROWS = 5


@pytest.fixture
def silent_smtp(request):
    server = SilentServer(greeting=b"220 relay.example.org ESMTP\r\n" if request.param else b"")
    yield server
    server.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "silent_smtp", [False, True], ids=["no-greeting", "silent-after-greeting"], indirect=True
)
def test_a_mail_server_that_never_answers_delays_mail_without_holding_the_worker(
    celery_live_worker, smtp_settings, smtp_server, silent_smtp
):
    smtp_settings.EMAIL_PORT = silent_smtp.port
    smtp_settings.EMAIL_TIMEOUT = TIMEOUT
    people = [UserFactory(email=f"silent{n}@example.org") for n in range(ROWS)]
    Notification.objects.bulk_create(
        Notification(
            recipient=person, kind=Notification.Kind.SESSION_REMINDER, dedup_key=f"silent:{n}",
            template="generic", context={"subject": "Module 2", "message": "See you."},
        )
        for n, person in enumerate(people)
    )  # fmt: skip

    started = time.monotonic()
    counts = send_due_notifications.delay().get(timeout=30)
    took = time.monotonic() - started

    # One time-out for the batch, not one per message (that would be ROWS × TIMEOUT).
    assert took < 2 * TIMEOUT + 0.5, f"the send took {took:.2f} s"
    assert counts["retry"] == ROWS and counts["deferred"] == ROWS - 1 and counts["sent"] == 0
    now = timezone.now()
    for row in Notification.objects.all():
        assert row.status == Notification.Status.PENDING
        assert row.attempts == 1
        assert row.next_attempt_at > now
        assert "timed out" in row.last_error
    # The worker is free: the next task runs at once.
    assert heartbeat.delay("after the silent server").get(timeout=5)

    # The server answers again and the retry time has come: each message goes out once.
    smtp_settings.EMAIL_PORT = smtp_server.port
    Notification.objects.update(next_attempt_at=now)
    assert send_due_notifications.delay().get(timeout=20)["sent"] == ROWS
    assert sorted(smtp_server.handler.keys()) == [f"silent:{n}" for n in range(ROWS)]
    print(f"silent SMTP server: a batch of {ROWS} gave up after {took:.2f} s")
