import math

from celery import shared_task
from django.utils import timezone

from . import notifications
from .models import TaskHeartbeat


@shared_task(name="leadership.heartbeat")
def heartbeat(label: str) -> int:
    """Write a row that proves a worker picked the task up from the broker; returns its id."""
    from celery import current_task

    hostname = getattr(current_task.request, "hostname", None) or ""
    return TaskHeartbeat.objects.create(label=label, worker_hostname=hostname).pk


@shared_task(name="leadership.send_due_notifications")
def send_due_notifications(batch_size: int | None = None, max_batches: int | None = None) -> dict:
    """Send due notifications in batches, one SMTP connection per batch."""
    return notifications.send_due(batch_size=batch_size, max_batches=max_batches)


@shared_task(name="leadership.sweep_notifications")
def sweep_notifications(parallelism: int | None = None) -> dict:
    """The periodic safety net (beat, every minute): release claims of dead workers, plan
    time-based reminders (idempotent), and fan out senders for whatever is due — including
    rows whose sender task was lost while the broker was down."""
    released = notifications.release_stale_claims()
    planned = notifications.run_planners(timezone.now())
    due = notifications.due_count()
    batch = notifications.setting("NOTIFICATION_BATCH_SIZE", 200)
    parallelism = parallelism or notifications.setting("NOTIFICATION_SENDER_PARALLELISM", 2)
    senders = min(math.ceil(due / batch), parallelism) if due else 0
    for _ in range(senders):
        send_due_notifications.delay()
    return {"released": released, "planned": planned, "due": due, "senders": senders}


@shared_task(name="leadership.clear_expired_sessions")
def clear_expired_sessions() -> dict:
    """Daily (beat): delete expired sessions and login-throttle rows (leadership/sessions.py)."""
    from .sessions import clear_expired

    return clear_expired()
