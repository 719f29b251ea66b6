"""Notifications: record first, send after commit, never twice.

* ``notify`` writes a pending row (unique ``dedup_key``) inside the caller's transaction and
  asks for one sender task after commit.
* ``claim_due`` marks a batch ``sending`` with ``SELECT … FOR UPDATE SKIP LOCKED``, so two
  workers never take the same row; ``send_claimed`` sends the batch over one SMTP connection
  and marks each row sent as soon as it is sent — a worker killed mid-batch can repeat at most
  the one message in flight.
* A sender holds a PostgreSQL advisory lock of its own for as long as it holds its claim, and
  writes the lock's key on the rows it claims. PostgreSQL lets go of the lock when the
  sender's session ends — the moment a killed worker's connection closes, or (the session
  asks the server to probe it, ``tcp_keepalives_*``) about a minute after the worker's whole
  machine vanished. The next ``sweep`` (every minute) finds the lock free and puts the rows
  back to pending, so a dead worker's e-mails wait a minute or two, not a lease; a live
  worker's claim is never taken from it, so nothing is sent twice. Rows claimed without a key
  (by the previous release's workers during a rolling deploy, or on SQLite) go back after
  ``NOTIFICATION_CLAIM_LEASE_SECONDS``.
* Temporary SMTP failures are retried with exponential back-off up to
  ``NOTIFICATION_MAX_ATTEMPTS``; then the row is ``failed`` with its error, for an
  administrator to see and retry.
"""

import contextlib
import logging
import math
import secrets
import smtplib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from datetime import datetime, timedelta

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection as db_connection
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from .emails import BatchRenderer, build_email, envelope_sender, mime_bytes, send_raw
from .models import Notification, NotificationPreference, RequiredNotificationKind, User
from .services import audit_record

logger = logging.getLogger(__name__)

PREFERENCE_SALT = "leadership.notification-preference"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def preference_token(person: User, kind: str) -> str:
    """A signed, unguessable token for the one-click "stop these e-mails" link."""
    return signing.dumps({"p": person.pk, "k": kind}, salt=PREFERENCE_SALT)


def read_preference_token(token: str) -> tuple[int, str]:
    """(person id, kind) from a token; raises ``signing.BadSignature`` when tampered with."""
    data = signing.loads(token, salt=PREFERENCE_SALT)
    return int(data["p"]), str(data["k"])


def required_kinds() -> set[str]:
    return set(Notification.ALWAYS_REQUIRED) | set(
        RequiredNotificationKind.objects.values_list("kind", flat=True)
    )


def _queue_sender() -> None:
    """Ask a worker to send what is due. If the broker is down the rows stay pending and the
    periodic sweep sends them later, so a failure here is logged, not raised."""
    from .tasks import send_due_notifications  # tasks.py imports this module

    try:
        # Nobody waits for its result: without ignore_result Celery would also subscribe to
        # the result in Redis, and that retries for ~20 s when Redis is down.
        send_due_notifications.apply_async(ignore_result=True)
    except Exception:  # noqa: BLE001 — any broker error: the sweep will catch up
        logger.warning("Could not queue the notification sender; the sweep will send later.")


# Set while the sweep runs the planners: the sweep queues the senders itself once planning is
# done, so a planner's many small transactions must not each queue one.
_planning = ContextVar("notification_planning", default=False)


def queue_sender_after_commit() -> None:
    """Queue one sender task when the current transaction commits — only one per transaction,
    however many notifications it recorded (no user action queues more than one task)."""
    if _planning.get():
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        if any(func is _queue_sender for _sids, func, _robust in connection.run_on_commit):
            return
        transaction.on_commit(_queue_sender, robust=True)
    else:
        _queue_sender()


def _fields(
    kind: str,
    template: str,
    context: dict,
    scheduled_for: datetime | None,
    subject: models.Model | None,
    cohort_id: int | None,
    attachments: list[dict] | None,
) -> dict:
    """A new row's fields other than its recipient and key (``notify``, ``notify_many``)."""
    at = scheduled_for or timezone.now()
    return {
        "kind": kind,
        "template": template,
        "context": context,
        "attachments": attachments or [],
        "scheduled_for": at,
        "next_attempt_at": at,
        "subject_type": ContentType.objects.get_for_model(subject) if subject else None,
        "subject_id": str(subject.pk) if subject else "",
        "cohort_id": cohort_id,
    }


def notify(
    *,
    recipient: User,
    kind: str,
    dedup_key: str,
    template: str,
    context: dict,
    scheduled_for: datetime | None = None,
    subject: models.Model | None = None,
    cohort_id: int | None = None,
    attachments: list[dict] | None = None,
    to_address: str = "",
) -> Notification | None:
    """Record one e-mail to ``recipient``; returns the new row, or None when the same
    ``dedup_key`` was already recorded or the person opted out of this (optional) kind.
    With ``to_address`` it goes to that address instead, sent for ``recipient`` (a 360
    rater, who has no account and so no opt-out).

    Call it inside the transaction of the change that causes it."""
    if (
        not to_address
        and kind not in required_kinds()
        and NotificationPreference.objects.filter(person=recipient, kind=kind).exists()
    ):
        return None
    row, created = Notification.objects.get_or_create(
        dedup_key=dedup_key,
        defaults={
            "recipient": recipient,
            "to_address": to_address,
            **_fields(kind, template, context, scheduled_for, subject, cohort_id, attachments),
        },
    )
    if not created:
        return None
    if row.next_attempt_at <= timezone.now():
        queue_sender_after_commit()
    return row


def notify_many(
    *,
    recipients: Iterable[User],
    kind: str,
    dedup_key: Callable[[User], str],
    template: str,
    context: dict,
    subject: models.Model | None = None,
    cohort_id: int | None = None,
    attachments: list[dict] | None = None,
) -> int:
    """``notify`` for many people at once (one e-mail each, same template and context), in a
    fixed number of queries: a planner that runs every minute must cost next to nothing when
    everything is already recorded. Returns how many rows were created."""
    people = {person.pk: person for person in recipients}
    if kind not in required_kinds():
        opted_out = NotificationPreference.objects.filter(person_id__in=people, kind=kind)
        for person_id in opted_out.values_list("person_id", flat=True):
            people.pop(person_id, None)
    keys = {dedup_key(person): person for person in people.values()}
    recorded = set(
        Notification.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True)
    )
    fields = _fields(kind, template, context, None, subject, cohort_id, attachments)
    rows = [
        Notification(recipient=person, dedup_key=key, **fields)
        for key, person in keys.items()
        if key not in recorded
    ]
    # ignore_conflicts: a planner running at the same moment elsewhere may record some first.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    if rows:
        queue_sender_after_commit()
    return len(rows)


def cancel_pending(*, dedup_key_prefix: str, recipient: User | None = None) -> int:
    """Cancel pending notifications whose key starts with ``dedup_key_prefix`` (e.g. every
    reminder of a session that moved); returns how many."""
    rows = Notification.objects.filter(
        status=Notification.Status.PENDING, dedup_key__startswith=dedup_key_prefix
    )
    if recipient is not None:
        rows = rows.filter(recipient=recipient)
    return rows.update(status=Notification.Status.CANCELLED)


def cancel_for_person(*, person: User, cohort_id: int) -> int:
    """Cancel everything still pending for ``person`` about one cohort (they withdrew)."""
    return Notification.objects.filter(
        recipient=person, cohort_id=cohort_id, status=Notification.Status.PENDING
    ).update(status=Notification.Status.CANCELLED)


def claim_due(*, batch_size: int, claimed_by: int | None = None) -> list[int]:
    """Take up to ``batch_size`` due rows for this worker (``sending``); other workers skip
    the locked rows instead of waiting for them. ``claimed_by`` is the key of the advisory lock
    the caller holds while it sends them (``claim_lock``)."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if ids:
            Notification.objects.filter(id__in=ids).update(
                status=Notification.Status.SENDING,
                claimed_at=now,
                claimed_by=claimed_by,
                attempts=F("attempts") + 1,
            )
    return ids


# Asked of the server for a sender's session, so that the session — and the sender's lock —
# ends about a minute after the worker's machine stops answering (30 s idle, then 3 probes
# 10 s apart), rather than after the operating system's default of two hours.
_KEEPALIVES = {
    "tcp_keepalives_idle": "30",
    "tcp_keepalives_interval": "10",
    "tcp_keepalives_count": "3",
}


@contextlib.contextmanager
def claim_lock() -> Iterator[int | None]:
    """Hold a new advisory lock on this database session for the duration of the block and
    yield its key (None where the database has no such locks: SQLite)."""
    if db_connection.vendor != "postgresql":
        yield None
        return
    key = secrets.randbits(63)
    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, false)"] * len(_KEEPALIVES)),
            [value for setting in _KEEPALIVES.items() for value in setting],
        )
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield key
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _lock_is_free(key: int) -> bool:
    """Whether no session holds the advisory lock ``key`` (its sender's session has ended)."""
    with db_connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (taken,) = cursor.fetchone()
        if taken:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return taken


def _is_temporary(error: Exception) -> bool:
    """4xx replies, dropped or refused connections and time-outs may work later; 5xx won't."""
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _msg in error.recipients.values())
    # Dropped connections, refusals and time-outs (smtplib's errors are OSErrors too).
    return isinstance(error, OSError)


def _backoff(attempts: int) -> timedelta:
    base = settings.NOTIFICATION_RETRY_BASE_SECONDS
    return timedelta(seconds=base * (2 ** max(attempts - 1, 0)))


def _send_one(row: Notification, connection, renderer: BatchRenderer) -> None:
    """Send one row's e-mail on the open ``connection``. Over SMTP the message is written as
    bytes and handed to smtplib (``mime_bytes``); other backends (the console, the test outbox)
    get Django's message object with the same content."""
    address = row.to_address or row.recipient.email
    context = {
        **row.context,
        "recipient_name": "" if row.to_address else row.recipient.get_short_name() or address,
        "kind_label": row.get_kind_display(),
    }
    headers = {"X-Notification-Key": row.dedup_key}
    if row.kind not in Notification.ALWAYS_REQUIRED and not row.to_address:
        path = reverse(
            "notification_preferences_link",
            kwargs={"token": preference_token(row.recipient, row.kind)},
        )
        context["preferences_url"] = absolute_url(path)
        headers["List-Unsubscribe"] = f"<{context['preferences_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject, text, html = renderer.render(row.template, context)
    smtp = getattr(connection, "connection", None) if isinstance(connection, SmtpBackend) else None
    if smtp is None:
        build_email(
            name=row.template,
            context=context,
            to=address,
            headers=headers,
            attachments=row.attachments,
            connection=connection,
            rendered=(subject, text, html),
        ).send()
        return
    message = mime_bytes(
        to=address,
        subject=subject,
        text=text,
        html=html,
        headers=headers,
        attachments=row.attachments,
    )
    send_raw(smtp, envelope_sender(), address, message)


def _relax_commit_durability() -> None:
    """Each "sent" mark is its own commit, so a killed worker repeats at most one message.
    Waiting for every one of those commits to reach the disk would make the fsync, not SMTP,
    the bottleneck; on PostgreSQL this worker's session commits without waiting. A worker
    crash loses nothing (the server has the commit); only a crash of the database server
    itself could lose the last few marks, and then those few messages go out again."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")


def _record_failure(row: Notification, error: Exception, max_attempts: int) -> str:
    """Put a row back to pending with back-off, or mark it failed when the error is permanent
    or its attempts are used up; returns which ("retry" or "failed")."""
    give_up = not _is_temporary(error) or row.attempts >= max_attempts
    Notification.objects.filter(pk=row.pk).update(
        status=Notification.Status.FAILED if give_up else Notification.Status.PENDING,
        next_attempt_at=timezone.now() + _backoff(row.attempts),
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    return "failed" if give_up else "retry"


def _server_unreachable(error: Exception, connection) -> bool:
    """The mail server could not be reached or stopped answering: the connection never
    opened (refused, no greeting, login failed) or a read timed out (``EMAIL_TIMEOUT``;
    smtplib reports that as a disconnection caused by the time-out)."""
    timed_out = isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError)
    return timed_out or getattr(connection, "connection", True) is None


def _mark_sent(pk: int) -> None:
    """One commit per message sent (see ``send_claimed``); plain SQL because this runs once per
    e-mail and the ORM's query building cost a third of it."""
    table = Notification._meta.db_table
    with db_connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, last_error = '' WHERE id = %s",  # noqa: S608 — the table name is ours # nosec B608
            [Notification.Status.SENT, timezone.now(), pk],
        )


def send_claimed(ids: Iterable[int]) -> dict[str, int]:
    """Send claimed rows over one SMTP connection. Each row is marked the moment its message
    is accepted, so a crash repeats at most the message in flight. Returns counts."""
    rows = list(
        Notification.objects.filter(id__in=list(ids), status=Notification.Status.SENDING)
        .select_related("recipient")
        .order_by("id")
    )
    counts = {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0, "deferred": 0}
    if not rows:
        return counts
    opted_out = set(
        NotificationPreference.objects.filter(
            person_id__in={row.recipient_id for row in rows}
        ).values_list("person_id", "kind")
    )
    required = required_kinds()
    max_attempts = settings.NOTIFICATION_MAX_ATTEMPTS
    _relax_commit_durability()
    renderer = BatchRenderer()
    connection = get_connection(fail_silently=False)
    try:
        for index, row in enumerate(rows):
            opted = (row.recipient_id, row.kind) in opted_out and not row.to_address
            if row.kind not in required and opted:
                Notification.objects.filter(pk=row.pk).update(status=Notification.Status.CANCELLED)
                counts["cancelled"] += 1
                continue
            if not row.recipient.is_active:
                Notification.objects.filter(pk=row.pk).update(
                    status=Notification.Status.CANCELLED, last_error="Account deactivated."
                )
                counts["cancelled"] += 1
                continue
            try:
                # Opened once for the batch (reopened after a failure): Django's backend would
                # otherwise connect, greet and quit around every single message.
                connection.open()
                _send_one(row, connection, renderer)
            except Exception as error:  # noqa: BLE001 — recorded on the row either way
                counts[_record_failure(row, error, max_attempts)] += 1
                if _server_unreachable(error, connection):
                    # Every other message of the batch would wait out the same time-out (a
                    # mail server that never answers would hold the worker for batch × time-
                    # out): they go back to pending with the same error, for a later sweep.
                    for rest in rows[index + 1 :]:
                        counts[_record_failure(rest, error, max_attempts)] += 1
                        counts["deferred"] += 1
                    break
                # A broken connection is reopened for the next message.
                connection.close()
                continue
            _mark_sent(row.pk)
            counts["sent"] += 1
    finally:
        connection.close()
    return counts


def send_due(
    *,
    batch_size: int | None = None,
    max_batches: int | None = None,
    time_budget_seconds: float = 60.0,
) -> dict:
    """Claim and send batches until nothing is due, ``max_batches`` are done or the time
    budget is spent (a task never runs into its time limit)."""
    batch_size = batch_size or settings.NOTIFICATION_BATCH_SIZE
    started = timezone.now()
    totals = {"sent": 0, "retry": 0, "failed": 0, "cancelled": 0, "deferred": 0}
    batches = 0
    while (timezone.now() - started).total_seconds() < time_budget_seconds:
        if max_batches is not None and batches >= max_batches:
            break
        batches += 1
        with claim_lock() as key:
            ids = claim_due(batch_size=batch_size, claimed_by=key)
            if not ids:
                break
            counts = send_claimed(ids)
        for outcome, value in counts.items():
            totals[outcome] += value
        if counts["deferred"]:
            break  # the mail server is not answering: the next sweep tries again
    return totals


def release_stale_claims() -> int:
    """Rows a dead worker left ``sending`` go back to pending: those whose sender's lock is
    free at once (its session has ended), those claimed without a lock once their lease has
    expired. A claim whose lock is held belongs to a live sender and is left alone."""
    sending = Notification.objects.filter(status=Notification.Status.SENDING)
    released = 0
    if db_connection.vendor == "postgresql":
        keys = sending.filter(claimed_by__isnull=False).values_list("claimed_by", flat=True)
        for key in {key for key in keys if key is not None}:
            if _lock_is_free(key):
                released += sending.filter(claimed_by=key).update(
                    status=Notification.Status.PENDING, claimed_by=None
                )
        sending = sending.filter(claimed_by__isnull=True)
    lease = timedelta(seconds=settings.NOTIFICATION_CLAIM_LEASE_SECONDS)
    released += sending.filter(claimed_at__lt=timezone.now() - lease).update(
        status=Notification.Status.PENDING, claimed_by=None
    )
    return released


def run_planners(now: datetime, planners: Iterable[Callable[..., int]]) -> int:
    """Call each of ``planners``; each records what is due and is idempotent (dedup keys).
    Returns how many rows they created."""
    created = 0
    token = _planning.set(True)
    try:
        for planner in planners:
            created += planner(now=now) or 0
    finally:
        _planning.reset(token)
    return created


def sweep(*, planners: Iterable[Callable[..., int]], parallelism: int | None = None) -> dict:
    """The periodic safety net: release claims of dead workers, run ``planners`` (idempotent),
    and fan out senders for whatever is due — including rows whose sender task was lost while
    the broker was down. At most ``parallelism`` senders, one per batch that is due."""
    from .tasks import send_due_notifications  # tasks.py imports this module

    released = release_stale_claims()
    planned = run_planners(timezone.now(), planners)
    due = due_count()
    parallelism = parallelism or settings.NOTIFICATION_SENDER_PARALLELISM
    senders = min(math.ceil(due / settings.NOTIFICATION_BATCH_SIZE), parallelism) if due else 0
    for _ in range(senders):
        send_due_notifications.delay()
    return {"released": released, "planned": planned, "due": due, "senders": senders}


def due_count() -> int:
    return Notification.objects.filter(
        status=Notification.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).count()


@transaction.atomic
def notification_retry(*, notification: Notification, acting_user: User) -> Notification:
    """An administrator sends a failed notification again (attempts start afresh)."""
    updated = Notification.objects.filter(
        Q(pk=notification.pk) & Q(status=Notification.Status.FAILED)
    ).update(
        status=Notification.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
    )
    notification.refresh_from_db()
    if updated:
        audit_record(
            actor=acting_user,
            action="notification.retry",
            target=notification,
            cohort_id=notification.cohort_id,
            person_id=notification.recipient_id,
        )
        queue_sender_after_commit()
    return notification


@transaction.atomic
def preference_opt_out(*, person: User, kind: str) -> bool:
    """Stop ``kind`` e-mails to ``person``; False when the kind is required (no change)."""
    if kind in required_kinds():
        return False
    NotificationPreference.objects.get_or_create(person=person, kind=kind)
    return True


@transaction.atomic
def preference_opt_in(*, person: User, kind: str) -> None:
    NotificationPreference.objects.filter(person=person, kind=kind).delete()


def invitation_notify(
    *,
    person: User,
    programme_name: str,
    cohort_name: str,
    cohort_id: int,
    voice: dict[str, str] | None = None,
    resend_key: str = "",
):
    """Record the invitation e-mail with a set-password link for a newly enrolled person.
    The link is allauth's password-reset key: it stops working once a password is set.
    ``voice`` is the programme's greeting and sign-off; ``resend_key`` names a resend (e.g.
    its day), so a resend is a new e-mail but the same resend recorded twice is one."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(person),
            "key": default_token_generator.make_token(person),
        },
    )
    return notify(
        recipient=person,
        kind=Notification.Kind.INVITATION,
        dedup_key=f"invitation:{cohort_id}:{person.pk}" + (f":{resend_key}" if resend_key else ""),
        template="invitation",
        context={
            "programme_name": programme_name,
            **(voice or {}),
            "cohort_name": cohort_name,
            "set_password_url": absolute_url(path),
            "link": absolute_url("/"),
        },
        subject=person,
        cohort_id=cohort_id,
    )
