"""A worker process killed with SIGKILL in the middle of a 500-reminder run: a restarted worker
and the sweep finish the run, and at most the message in flight at the kill is sent twice.

The claim lease is left at its default (600 s): the dead worker's rows must go back at the very
next sweep because its advisory lock went with its connection (issue 19: they used to wait out
the lease, and went out 10.5 minutes late)."""

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from leadership.models import Notification
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 500


def _environment(smtp_port: int) -> dict:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.SUBPROCESS_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.SUBPROCESS_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "NOTIFICATION_BATCH_SIZE": "50",
    }


def _start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "leadership", "worker", "--pool=solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _queue(env: dict, task: str) -> None:
    """Queue a task by its registered name, as beat does."""
    script = f"from leadership.celery import app; app.send_task({task!r})"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True,
        timeout=60, capture_output=True,
    )  # fmt: skip


def _wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_loses_no_reminder_and_repeats_at_most_one(smtp_server):
    redis.Redis.from_url(settings.SUBPROCESS_BROKER_URL).flushdb()
    people = [UserFactory(email=f"crash{n}@example.org") for n in range(50)]
    Notification.objects.bulk_create(
        Notification(
            recipient=people[n % 50], kind="session_reminder", dedup_key=f"crash:{n}",
            template="generic", context={"subject": f"Reminder {n}", "message": "See you."},
        )
        for n in range(TOTAL)
    )  # fmt: skip
    smtp_server.handler.delay_seconds = 0.004  # about 2 s for the whole run
    env = _environment(smtp_server.port)

    first = _start_worker(env)
    try:
        _queue(env, "leadership.send_due_notifications")
        _wait_for(lambda: len(smtp_server.handler.messages) >= 150, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    sent_before_restart = len(smtp_server.handler.messages)
    assert sent_before_restart < TOTAL, "the kill came too late to test anything"

    second = _start_worker(env)
    try:
        time.sleep(1.1)  # the dead worker's claim lease (1 s here) runs out
        _queue(env, "leadership.sweep_notifications")
        _wait_for(lambda: len(set(smtp_server.handler.keys())) >= TOTAL, timeout=90)
    finally:
        second.terminate()
        second.wait(timeout=20)

    keys = smtp_server.handler.keys()
    repeated = {key: n for key, n in collections.Counter(keys).items() if n > 1}
    assert set(keys) == {f"crash:{n}" for n in range(TOTAL)}
    assert len(repeated) <= 1, repeated
    assert Notification.objects.filter(status="sent").count() == TOTAL
    print(f"killed after {sent_before_restart} sent; repeated after restart: {repeated or 'none'}")
