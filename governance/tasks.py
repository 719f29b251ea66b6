from celery import shared_task

from . import retention


@shared_task(name="governance.apply_retention")
def apply_retention() -> dict:
    """Daily (beat): remove what is past its retention period (governance/retention.py)."""
    return retention.apply_retention()
