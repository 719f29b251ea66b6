from celery import shared_task

from .models import TaskHeartbeat


@shared_task(name="leadership.heartbeat")
def heartbeat(label: str) -> int:
    """Write a row that proves a worker picked the task up from the broker; returns its id."""
    from celery import current_task

    hostname = getattr(current_task.request, "hostname", None) or ""
    return TaskHeartbeat.objects.create(label=label, worker_hostname=hostname).pk
