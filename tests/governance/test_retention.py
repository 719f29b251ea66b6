"""Retention: each kind of data goes once it is older than its period; a dry run only counts,
and a second run removes nothing."""

import datetime

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from cohorts.models import Cohort, Enrolment
from governance import tasks
from governance.retention import _sessions, apply_retention
from leadership.models import AuditEvent, Notification
from leadership.privacy import is_erased
from leadership.services import audit_record
from reports.models import ReportRequest
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory

START = datetime.datetime(2020, 3, 1, 9, 0, tzinfo=datetime.UTC)
NOTHING = dict.fromkeys(
    ["former_people", "notifications", "report_files", "sessions", "audit_events"], 0
)


def days_later(days: int) -> datetime.datetime:
    return START + datetime.timedelta(days=days)


@pytest.fixture
def old_data(time_machine, programme, administrator):
    """One of every kind, all made on START."""
    time_machine.move_to(START, tick=False)
    finished = CohortFactory(programme=programme, status=Cohort.Status.COMPLETED)
    running = CohortFactory(programme=programme, status=Cohort.Status.RUNNING)
    former = UserFactory(first_name="Fenella", last_name="Former")
    EnrolmentFactory(cohort=finished, person=former, status=Enrolment.Status.COMPLETED)
    current = UserFactory(first_name="Carys", last_name="Current")
    EnrolmentFactory(cohort=running, person=current)
    Notification.objects.create(
        recipient=current,
        kind=Notification.Kind.SESSION_REMINDER,
        dedup_key="retention:sent",
        template="generic",
        status=Notification.Status.SENT,
    )
    Notification.objects.create(
        recipient=current,
        kind=Notification.Kind.SESSION_REMINDER,
        dedup_key="retention:pending",
        template="generic",
    )
    report = ReportRequest.objects.create(
        cohort=finished, kind=ReportRequest.Kind.PROGRESS, requested_by=administrator
    )
    report.file.save("r.pdf", ContentFile(b"%PDF-1.4 old"), save=False)
    report.status = ReportRequest.Status.READY
    report.save()
    audit_record(actor=administrator, action="cohort.status", target=finished)
    Client().force_login(current)
    return {"former": former, "current": current, "report": report}


def test_nothing_goes_before_its_time(time_machine, old_data):
    time_machine.move_to(days_later(29), tick=False)
    assert apply_retention() == NOTHING


def test_a_dry_run_counts_and_changes_nothing(time_machine, old_data):
    time_machine.move_to(days_later(366), tick=False)
    counts = apply_retention(dry_run=True)
    assert counts == {**NOTHING, "notifications": 1, "sessions": 1}
    assert Notification.objects.count() == 2
    assert _sessions(days_later(366)).count() == 1


def test_old_sent_notifications_and_sessions_go_and_a_second_run_removes_nothing(
    time_machine, old_data
):
    time_machine.move_to(days_later(366), tick=False)
    assert apply_retention() == {**NOTHING, "notifications": 1, "sessions": 1}
    assert list(Notification.objects.values_list("dedup_key", flat=True)) == ["retention:pending"]
    assert apply_retention() == NOTHING


def test_old_report_files_are_deleted_from_storage(
    time_machine, old_data, django_capture_on_commit_callbacks
):
    name = old_data["report"].file.name
    time_machine.move_to(days_later(2 * 365 + 1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        counts = apply_retention()
    assert counts["report_files"] == 1
    assert not ReportRequest.objects.exists()
    assert not default_storage.exists(name)


def test_after_seven_years_former_people_are_erased_and_old_audit_events_go(time_machine, old_data):
    time_machine.move_to(days_later(7 * 365 + 1), tick=False)
    counts = apply_retention()
    assert counts["former_people"] == 1
    assert counts["audit_events"] >= 1
    former, current = old_data["former"], old_data["current"]
    former.refresh_from_db()
    current.refresh_from_db()
    assert is_erased(former)
    assert not is_erased(current)
    # The erasure's own event is new, so it stays; everything from START is gone.
    assert AuditEvent.objects.filter(action="person.erase", person_id=former.pk).exists()
    assert not AuditEvent.objects.filter(created_at__lt=days_later(1)).exists()
    assert apply_retention() == NOTHING


def test_someone_who_logged_in_recently_is_kept(time_machine, old_data):
    time_machine.move_to(days_later(7 * 365 - 10), tick=False)
    former = old_data["former"]
    former.last_login = days_later(7 * 365 - 10)
    former.save(update_fields=["last_login"])
    time_machine.move_to(days_later(7 * 365 + 1), tick=False)
    assert apply_retention()["former_people"] == 0


def test_a_period_of_zero_keeps_that_kind_for_ever(time_machine, old_data, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "notifications": 0}
    time_machine.move_to(days_later(3000), tick=False)
    assert apply_retention(dry_run=True)["notifications"] == 0


def test_the_command_reports_counts_per_kind(time_machine, old_data, capsys):
    time_machine.move_to(days_later(366), tick=False)
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert "notifications: would remove 1 (older than 365 days)" in out
    assert Notification.objects.count() == 2


def test_the_job_runs_daily_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == tasks.apply_retention.name
    assert entry["schedule"] == 24 * 60 * 60
