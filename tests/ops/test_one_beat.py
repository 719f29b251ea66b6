"""Two real beat processes against the same database and Redis: each periodic run is sent
once — the second beat skips what the first already sent for that period."""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from celery import schedules
from celery.signals import task_prerun
from django.conf import settings
from django.db import connection

from leadership.periodic import KEY_PREFIX, claim_key, period_seconds

ROOT = Path(__file__).resolve().parents[2]
SWEEP = "leadership.sweep_notifications"


def _beat(env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "leadership", "beat", "--loglevel=INFO",
         "--max-interval=1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip


def _lines(log: Path) -> list[dict]:
    lines = []
    for raw in log.read_text().splitlines():
        try:
            lines.append(json.loads(raw))
        except json.JSONDecodeError:
            continue  # a traceback's continuation, say
    return lines


def _attempts(log: Path) -> tuple[int, int]:
    """(sent, skipped) runs of the sweep that this beat's log records."""
    messages = [line["message"] for line in _lines(log)]
    sent = sum("Sending due task sweep-notifications" in m for m in messages)
    skipped = sum("skipped sweep-notifications" in m for m in messages)
    return sent, skipped


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_period_lengths_follow_the_schedule():
    assert period_seconds(schedules.schedule(60.0)) == 60.0
    assert period_seconds(schedules.crontab(minute=0, hour=3)) == 60.0
    assert claim_key("sweep", 60.0, 119.9) == claim_key("sweep", 60.0, 60.0)
    assert claim_key("sweep", 60.0, 120.0) != claim_key("sweep", 60.0, 119.9)


def test_two_beats_send_each_periodic_run_once(celery_live_worker, tmp_path):
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in client.scan_iter(f"{KEY_PREFIX}:*"):
        client.delete(key)
    executed = []

    def count(sender=None, **kwargs):
        if sender.name == SWEEP:
            executed.append(time.time())

    task_prerun.connect(count, weak=False)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "NOTIFICATION_SWEEP_SECONDS": "1",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    logs = [tmp_path / "beat-1.log", tmp_path / "beat-2.log"]
    beats = [_beat(env, log) for log in logs]
    try:
        # Both beats are running and each has met the sweep at least once.
        _wait_for(lambda: all(sum(_attempts(log)) for log in logs), 60, "both beats")
        started = time.time()
        time.sleep(3)
    finally:
        for beat in beats:
            beat.send_signal(signal.SIGTERM)
        for beat in beats:
            beat.wait(timeout=20)
        elapsed = time.time() - started
    try:
        attempts = [_attempts(log) for log in logs]
        sent = sum(s for s, _ in attempts)
        skipped = sum(k for _, k in attempts)
        # A beat logs "Sending due task" before it publishes, so the SIGTERM can catch one
        # beat between the two: at most one logged run never reaches the worker.
        _wait_for(lambda: len(executed) >= sent - 1, 20, "the worker to run what was sent")
        time.sleep(1)  # anything sent twice would arrive now
    finally:
        task_prerun.disconnect(count)

    assert all(beat.returncode in (0, -signal.SIGTERM) for beat in beats)
    # Both beats met every period; one sent it, the other skipped it.
    assert skipped >= 2, attempts
    assert sent <= math.ceil(elapsed) + 3, attempts  # one a second, plus the waiting time
    # Each period claimed once and run at most once: two beats without the claim would run
    # every period twice.
    claims = list(client.scan_iter(f"{KEY_PREFIX}:sweep-notifications:*"))
    assert len(claims) == sent
    assert sent - 1 <= len(executed) <= sent, (len(executed), attempts)
