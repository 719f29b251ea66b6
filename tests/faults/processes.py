"""Real services for the fault tests to break: a Redis server of our own, Celery worker
processes, and the helpers to drive them. Nothing here touches the shared PostgreSQL or Redis
that other test runs use."""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg2
import redis
from django.db import connection

from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parents[2]


def patience() -> float:
    """How many times slower than a quiet machine this one is now: the load average of the
    last minute per CPU, at least 1. A fresh clone's first run shares its cores with
    compilers, other test runs and the browser tests; timeouts tuned on a quiet machine are
    multiplied by this, so a busy machine waits longer instead of failing."""
    return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


def wait_for(condition, timeout: float = 20.0, message="condition not met in time"):
    """Poll ``condition`` until it returns something true; returns that value. ``timeout`` is
    for a quiet machine: it is stretched by ``patience()``. ``message`` may be a function, to
    say what went wrong as it is at the end (a log's last lines)."""
    deadline = time.monotonic() + timeout * patience()
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(message() if callable(message) else message)


class RedisServer:
    """A redis-server process of our own on a free loopback port, which a test may stop and
    start again (same port, empty data: nothing is persisted)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def answers() -> bool:
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_for(answers, timeout=10, message="the private Redis did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def celery_broker(url: str):
    """Make this process's Celery app publish (``.delay()``) to ``url``, for real rather than
    eagerly. ``broker_write_url`` is the publishing side's URL (``broker_url`` itself loses to
    the CELERY_BROKER_URL environment variable tests/settings.py sets). Celery caches its
    connection pools; forgetting them — what Celery does after a fork (``_after_fork``) —
    makes the next publish use the new URL."""
    from leadership.celery import app

    saved = app.conf.broker_write_url, app.conf.task_always_eager

    def forget_pools() -> None:
        # Not closed: kombu keeps pools per URL for the whole process, and the original
        # URL's pool is used again afterwards.
        app._pool = None
        app.amqp._producer_pool = None

    forget_pools()
    app.conf.broker_write_url, app.conf.task_always_eager = url, False
    try:
        yield app
    finally:
        forget_pools()
        app.conf.broker_write_url, app.conf.task_always_eager = saved


def worker_environment(*, broker_url: str, database: dict | None = None, **extra: str) -> dict:
    """The environment of a worker process: the production settings module, on the test
    database (or ``database``), the given broker, tasks sent for real."""
    db = database or connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leadership.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def start_worker_process(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "leadership", "worker", "--pool=solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class SilentServer:
    """A loopback TCP server that accepts connections and never answers — or sends
    ``greeting`` and then never answers again: a mail relay or broker that has hung."""

    def __init__(self, *, greeting: bytes = b"") -> None:
        self.greeting = greeting
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _address = self.listener.accept()
            except OSError:
                return  # closed
            if self.greeting:
                conn.sendall(self.greeting)
            self.connections.append(conn)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self.listener.close()
        self.thread.join(timeout=5)
        for conn in self.connections:
            conn.close()


class PostgresCluster:
    """A PostgreSQL cluster of our own in a temporary directory, on a free port with trust
    authentication, run as the ``postgres`` OS user (the tests run as root). It can be
    restarted without touching the shared server other test runs use."""

    def __init__(self) -> None:
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])
        self.root = Path(tempfile.mkdtemp(prefix="leadership-pg-"))
        shutil.chown(self.root, user="postgres")
        self.data = self.root / "data"
        self.port = free_port()
        self.options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60,
        )  # fmt: skip

    def _pg_ctl(self, *args: str) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", self.options,
            "-l", str(self.root / "log"), "-w", *args,
        )  # fmt: skip

    def start(self) -> None:
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self._pg_ctl("start")

    def restart(self) -> None:
        """A fast restart: every connection is cut, the server comes back on the same port."""
        self._pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def database(self, name: str) -> dict:
        """Connection settings in the shape of Django's ``settings_dict``."""
        return {"USER": "postgres", "HOST": "127.0.0.1", "PORT": self.port, "NAME": name}

    def copy_database(self, source: dict, name: str) -> None:
        """Create ``name`` here as a copy (schema and rows) of the ``source`` database."""
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", name],
            check=True, timeout=30,
        )  # fmt: skip
        dump = subprocess.Popen(
            [str(self.bin / "pg_dump"), "-h", source["HOST"], "-p", str(source["PORT"]),
             "-U", source["USER"], "--no-owner", "--no-privileges", source["NAME"]],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        subprocess.run(
            [str(self.bin / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", name, "-v", "ON_ERROR_STOP=1"],
            stdin=dump.stdout, check=True, stdout=subprocess.DEVNULL, timeout=60,
        )  # fmt: skip
        dump.stdout.close()
        assert dump.wait(timeout=30) == 0

    def query(self, name: str, sql: str, params: tuple = ()) -> list[tuple]:
        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=name)
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()
