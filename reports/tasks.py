"""Background work for reports: building their PDFs.

WeasyPrint's memory grows across renders in one process, so the worker recycles its child
processes (``--max-tasks-per-child`` in docker-compose.yml) and each build has a time limit."""

from celery import shared_task

from . import services


# The task names kept the app they were first registered under: queued messages and beat's
# schedule (stored in the database by django-celery-beat) name them.
@shared_task(
    name="cohorts.build_report",
    ignore_result=True,
    acks_late=True,
    time_limit=services.TIME_LIMIT,
    soft_time_limit=services.SOFT_TIME_LIMIT,
)
def build_report(report_id: int) -> None:
    """Build one requested report. Safe to deliver twice: the row is claimed first."""
    services.report_build(report_id)


@shared_task(name="cohorts.queue_pending_reports", ignore_result=True)
def queue_pending_reports() -> int:
    """Beat, every minute: queue the builds whose tasks were lost (see
    ``services.queue_pending_builds``)."""
    return services.queue_pending_builds()
