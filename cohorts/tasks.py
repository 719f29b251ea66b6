"""Background work for cohorts: building report PDFs.

WeasyPrint's memory grows across renders in one process, so the worker recycles its child
processes (``--max-tasks-per-child`` in docker-compose.yml) and each build has a time limit."""

from celery import shared_task

from . import report_services


@shared_task(
    name="cohorts.build_report",
    ignore_result=True,
    acks_late=True,
    time_limit=report_services.TIME_LIMIT,
    soft_time_limit=report_services.SOFT_TIME_LIMIT,
)
def build_report(report_id: int) -> None:
    """Build one requested report. Safe to deliver twice: the row is claimed first."""
    report_services.report_build(report_id)


@shared_task(name="cohorts.queue_pending_reports", ignore_result=True)
def queue_pending_reports() -> int:
    """Beat, every minute: queue the builds whose tasks were lost (see
    ``report_services.queue_pending_builds``)."""
    return report_services.queue_pending_builds()
