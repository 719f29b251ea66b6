from celery import shared_task

from . import retention


# The name is the one it had in leadership/tasks.py, so a beat or a queued task of the previous
# release still finds it during a rolling deploy.
@shared_task(name="leadership.apply_retention")
def apply_retention() -> dict:
    """Daily (beat): remove what is past its retention period (governance/retention.py)."""
    return retention.apply_retention()
