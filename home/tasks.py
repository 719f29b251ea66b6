from celery import shared_task

from leadership import notifications

from .planners import PLANNERS


# The name is the one it had in leadership/tasks.py, so a beat or a queued task of the previous
# release still finds it during a rolling deploy.
@shared_task(name="leadership.sweep_notifications")
def sweep_notifications(parallelism: int | None = None) -> dict:
    """The periodic safety net (beat, every minute): release claims of dead workers, plan
    time-based e-mails (idempotent) and fan out senders for whatever is due."""
    return notifications.sweep(planners=PLANNERS, parallelism=parallelism)
