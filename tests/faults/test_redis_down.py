"""Redis stopped: people keep working, and the work that needs a task is recorded and done —
once — when Redis is back and the sweeps run (e-mails, report builds). A private
redis-server, a real worker process and a real SMTP server; the web requests go through the
whole middleware stack."""

import collections
import datetime
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from home.tasks import sweep_notifications
from leadership.models import Notification, TaskHeartbeat
from leadership.tasks import heartbeat
from modules.models import ModuleTemplate, Session
from redesign_projects.models import Assignment, SubmissionFile
from reports.models import ReportRequest
from reports.tasks import queue_pending_reports
from tests.conftest import PASSWORD
from tests.redesign_projects.helpers import make_assignment, pdf
from tests.totp import code_for

from .processes import (
    SilentServer,
    celery_broker,
    start_worker_process,
    stop_process,
    wait_for,
    worker_environment,
)

# A request that has to give up on queueing a task must still answer promptly.
PROMPT_SECONDS = 2.0
# The broker's read time-out (3 s) and connect time-out bound the wait on a hung Redis.
HUNG_BROKER_LIMIT = 5.0


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_people_keep_working_and_reminders_go_out_once_it_is_back(
    private_redis, smtp_server, administrator, participant, cohort
):
    programme = cohort.programme
    ModuleTemplate.objects.create(
        programme=programme, position=1, title="Strategy", length_half_days=1, offset_weeks=0
    )
    assignment = make_assignment(cohort, kind=Assignment.Kind.INDIVIDUAL)
    env = worker_environment(
        broker_url=private_redis.url(),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        # The report sweep requeues at once here, not after a minute.
        REPORT_REQUEUE_AFTER_SECONDS="0",
    )
    worker = start_worker_process(env)
    try:
        with celery_broker(private_redis.url()):
            heartbeat.apply_async(("before",), ignore_result=True)
            wait_for(lambda: TaskHeartbeat.objects.filter(label="before").exists(), timeout=30)

            private_redis.stop()

            # Logging in (password and authenticator code) and reading pages need no Redis.
            admin = Client()
            login, login_seconds = _timed(
                lambda: admin.post(
                    reverse("account_login"),
                    {"login": administrator.email, "password": PASSWORD},
                )
            )
            assert login.url == reverse("mfa_authenticate")
            code, code_seconds = _timed(
                lambda: admin.post(reverse("mfa_authenticate"), {"code": code_for(administrator)})
            )
            assert code.status_code == 302
            assert admin.get(reverse("home"), follow=True).status_code == 200
            assert admin.get(reverse("cohorts:cohort_detail", args=[cohort.pk])).status_code == 200

            # An upload is stored.
            person = Client()
            person.force_login(participant)
            upload, upload_seconds = _timed(
                lambda: person.post(
                    reverse("redesign_projects:submission_edit", args=[assignment.pk]),
                    {"text": "Our aim", "files": [pdf()], "submit": "1"},
                )
            )
            assert upload.status_code == 302, upload.content.decode()[:2000]
            stored = SubmissionFile.objects.get()
            assert stored.file.storage.exists(stored.file.name)

            # A new cohort with its sessions, and a new participant whose invitation cannot
            # be queued: the request answers at once, the e-mail waits in the database.
            created, create_seconds = _timed(
                lambda: admin.post(
                    reverse("blueprints:cohort_create"),
                    {
                        "programme": programme.pk,
                        "name": "Cohort 9",
                        "starts_on": timezone.localdate() + datetime.timedelta(days=1),
                        "time_zone": "Pacific/Auckland",
                        "holiday_region": "NZ-AUK",
                    },
                )
            )
            assert created.status_code == 302
            new_cohort = programme.cohorts.get(name="Cohort 9")
            assert Session.objects.filter(module__cohort=new_cohort).count() == 1
            enrolled, enrol_seconds = _timed(
                lambda: admin.post(
                    reverse("cohorts:enrolment_create", args=[new_cohort.pk]),
                    {
                        "email": "new.person@example.org",
                        "role": "participant",
                        "first_name": "Hemi",
                        "profession": "doctor",
                    },
                )
            )
            assert enrolled.status_code == 302
            invitation = Notification.objects.get(kind=Notification.Kind.INVITATION)
            assert invitation.status == Notification.Status.PENDING
            assert invitation.attempts == 0  # no worker ever saw it
            # A progress report asked for: recorded, its build waits for the broker.
            asked, report_seconds = _timed(
                lambda: admin.post(
                    reverse("reports:report_generate", args=[cohort.pk]), {"kind": "progress"}
                )
            )
            assert asked.status_code == 302
            report = ReportRequest.objects.get()
            assert report.status == ReportRequest.Status.PENDING
            timings = {
                "login": login_seconds,
                "authenticator code": code_seconds,
                "upload": upload_seconds,
                "cohort_create": create_seconds,
                "enrol (queueing fails)": enrol_seconds,
                "report request (queueing fails)": report_seconds,
            }
            assert max(timings.values()) < PROMPT_SECONDS, timings

            # Redis comes back (empty: whatever it held is gone). The worker reconnects by
            # itself; beat's sweep plans the session reminder and sends what is pending.
            private_redis.start()
            back = time.monotonic()
            sweep_notifications.apply_async(ignore_result=True)
            queue_pending_reports.apply_async(ignore_result=True)
            newcomer = new_cohort.enrolments.get().person
            wait_for(lambda: len(smtp_server.handler.messages) >= 2, timeout=30)
            delivered_after = time.monotonic() - back
            built = lambda: ReportRequest.objects.get().status == ReportRequest.Status.READY  # noqa: E731
            wait_for(built, timeout=30, message="the report was never built")
            built_after = time.monotonic() - back

            # Swept again: nothing new, nothing twice.
            sweep_notifications.apply_async(ignore_result=True)
            heartbeat.apply_async(("after",), ignore_result=True)
            wait_for(lambda: TaskHeartbeat.objects.filter(label="after").exists(), timeout=20)
    finally:
        stop_process(worker)

    keys = smtp_server.handler.keys()
    assert collections.Counter(keys).most_common(1)[0][1] == 1, keys
    reminders = Notification.objects.filter(
        recipient=newcomer, kind=Notification.Kind.SESSION_REMINDER
    )
    assert reminders.count() == 1
    assert set(keys) == {invitation.dedup_key, reminders.get().dedup_key}
    assert not Notification.objects.exclude(status=Notification.Status.SENT).exists()
    print(
        "with Redis stopped: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
        + f"; e-mails delivered {delivered_after:.1f} s and the report built "
        + f"{built_after:.1f} s after Redis came back"
    )


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_accepts_connections_but_never_answers_does_not_hold_a_request(
    administrator, cohort
):
    """The worse outage: Redis hung (or a firewall dropping packets), so connecting works and
    nothing ever comes back. Queueing gives up after the broker's read time-out instead of
    waiting forever; the invitation is recorded for the sweep."""
    hung = SilentServer()
    admin = Client()
    admin.force_login(administrator)
    outcome: dict = {}

    def enrol() -> None:
        try:
            outcome["response"], outcome["seconds"] = _timed(
                lambda: admin.post(
                    reverse("cohorts:enrolment_create", args=[cohort.pk]),
                    {"email": "late.joiner@example.org", "role": "participant",
                     "first_name": "Mere", "profession": "nurse"},
                )
            )  # fmt: skip
        finally:
            connection.close()  # this thread's own database connection

    try:
        with celery_broker(f"redis://127.0.0.1:{hung.port}/0"):
            # In a thread, so that a regression fails this test instead of hanging the run.
            request = threading.Thread(target=enrol, daemon=True)
            request.start()
            request.join(timeout=HUNG_BROKER_LIMIT + 5)
    finally:
        hung.close()
    assert "response" in outcome, "the request was still waiting for the broker"
    assert outcome["response"].status_code == 302
    assert outcome["seconds"] < HUNG_BROKER_LIMIT
    row = Notification.objects.get(kind=Notification.Kind.INVITATION)
    assert row.status == Notification.Status.PENDING
    print(f"with Redis hung: the enrolment answered in {outcome['seconds']:.2f} s")
