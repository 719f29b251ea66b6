"""PostgreSQL restarted under load: requests fail only while the server is down, then the
web processes and the worker carry on by themselves — no restart of theirs needed.

A private cluster (initdb in a temporary directory, a copy of the test database), gunicorn
(one process, four threads: one import of the views on a busy machine) and a Celery worker
process on it, both keeping their database connections between requests (CONN_MAX_AGE=60,
the harder case: the connections they hold die with the restart and CONN_HEALTH_CHECKS must
notice). Four threads request a page that reads and writes the database (the session) while
``pg_ctl restart -m fast`` runs; then the server is restarted once more while idle.

Every wait is for something to happen, not a fixed time, and its limit is stretched on a busy
machine (``processes.patience``): on a fresh clone under a load average of 10 the web process
took longer than 30 s to answer its first request."""

import http.client
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from leadership.tasks import heartbeat

from .processes import (
    ROOT,
    PostgresCluster,
    celery_broker,
    free_port,
    patience,
    start_worker_process,
    stop_process,
    wait_for,
    worker_environment,
)

THREADS = 4
# Requests that started before the restart finished may still fail as it finishes (on a quiet
# machine; stretched by ``patience``).
GRACE_SECONDS = 0.5


@pytest.fixture
def cluster():
    server = PostgresCluster()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _get(port: int, path: str, cookie: str, timeout: float = 10) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout * patience())
    try:
        conn.request("GET", path, headers={"Cookie": cookie})
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_web_and_worker_recover_by_themselves_after_postgresql_restarts(
    cluster, participant, cohort, tmp_path
):
    client = Client()
    client.force_login(participant)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    path = reverse("cohorts:cohort_people", args=[cohort.pk])
    copied = time.monotonic()
    cluster.copy_database(connection.settings_dict, "leadership")
    copy_seconds = time.monotonic() - copied
    broker = settings.SUBPROCESS_BROKER_URL
    redis.Redis.from_url(broker).flushdb()
    env = worker_environment(
        broker_url=broker,
        database=cluster.database("leadership"),
        CONN_MAX_AGE="60",
        DEBUG="false",
        PASSWORD_HASHERS="django.contrib.auth.hashers.MD5PasswordHasher",
    )
    port = free_port()
    log = tmp_path / "gunicorn.log"
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "leadership.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--threads", str(THREADS),
         "--worker-class", "gthread", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    worker = start_worker_process(env)
    results: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            started = time.monotonic()
            status = _get(port, path, cookie)
            results.append((started, time.monotonic(), status))

    def heartbeat_written(label: str) -> bool:
        return bool(
            cluster.query(
                "leadership", "select 1 from leadership_taskheartbeat where label = %s", (label,)
            )
        )

    def web_up() -> bool:
        assert web.poll() is None, f"gunicorn exited: {log.read_text()[-3000:]}"
        # The socket opens before the worker has imported the app: the first answer waits.
        return _get(port, path, cookie, timeout=30) == 200

    def answered_after(moment: float) -> int:
        return sum(1 for started, _ended, _status in list(results) if started > moment)

    try:
        wait_for(web_up, timeout=60, message=lambda: f"web not up: {log.read_text()[-3000:]}")
        # Each gunicorn thread opens its connection on its first request: serve a few at once
        # so that every thread holds one before the load starts.
        with ThreadPoolExecutor(THREADS) as pool:
            assert set(pool.map(lambda _n: _get(port, path, cookie), range(THREADS * 2))) == {200}
        with celery_broker(broker):
            heartbeat.apply_async(("before",), ignore_result=True)
            wait_for(lambda: heartbeat_written("before"), timeout=30, message="worker not up")

            threads = [threading.Thread(target=load) for _ in range(THREADS)]
            for thread in threads:
                thread.start()
            wait_for(lambda: len(results) >= 2 * THREADS, message="no load before the restart")
            restart_began = time.monotonic()
            cluster.restart()
            restart_ended = time.monotonic()
            grace = GRACE_SECONDS * patience()
            wait_for(
                lambda: answered_after(restart_ended + grace) >= 2 * THREADS,
                timeout=30,
                message="no requests answered after the restart",
            )
            stop.set()
            for thread in threads:
                thread.join(timeout=15)

            # A task queued after the restart runs on the same worker process.
            heartbeat.apply_async(("after",), ignore_result=True)
            wait_for(lambda: heartbeat_written("after"), timeout=20, message="worker stuck")

            # Restarted again while nobody is asking: each web worker's kept connection is dead
            # now, and the health check on its next request replaces it — not a single error.
            cluster.restart()
            with ThreadPoolExecutor(THREADS) as pool:
                idle_restart = list(pool.map(lambda _n: _get(port, path, cookie), range(8)))
    finally:
        stop.set()
        stop_process(web)
        stop_process(worker)

    assert web.returncode is not None and worker.returncode is not None
    before = [r for r in results if r[1] < restart_began]
    after = [r for r in results if r[0] > restart_ended + grace]
    failures = [r for r in results if r[2] != 200]
    assert before and all(status == 200 for _s, _e, status in before)
    assert len(after) >= THREADS and all(status == 200 for _s, _e, status in after), after
    # Every failure overlapped the restart.
    assert all(
        started < restart_ended + grace and ended > restart_began
        for started, ended, _status in failures
    ), (failures, restart_began, restart_ended)
    assert idle_restart == [200] * 8
    print(
        f"copied the test database in {copy_seconds:.1f} s; {len(results)} requests, "
        f"{len(failures)} failed (statuses {sorted({s for *_t, s in failures})}) during a "
        f"{restart_ended - restart_began:.2f} s restart; all {len(after)} after it succeeded"
    )
