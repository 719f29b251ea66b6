from celery import current_task, shared_task

from . import notifications, sessions
from .models import TaskHeartbeat


@shared_task(name="leadership.heartbeat")
def heartbeat(label: str) -> int:
    """Write a row that proves a worker picked the task up from the broker; returns its id."""
    hostname = getattr(current_task.request, "hostname", None) or ""
    return TaskHeartbeat.objects.create(label=label, worker_hostname=hostname).pk


@shared_task(name="leadership.send_due_notifications")
def send_due_notifications(batch_size: int | None = None, max_batches: int | None = None) -> dict:
    """Send due notifications in batches, one SMTP connection per batch."""
    return notifications.send_due(batch_size=batch_size, max_batches=max_batches)


@shared_task(name="leadership.clear_expired_sessions")
def clear_expired_sessions() -> dict:
    """Daily (beat): delete expired sessions and login-throttle rows (leadership/sessions.py)."""
    return sessions.clear_expired()
