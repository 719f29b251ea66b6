"""What every bench script needs before it measures: the import path, its own database and
Redis database named from the environment, Django set up, a web server in the production
shape, a load generator, peak memory, and a way to fail loudly.

Names come from the environment, so two runs on one machine (or a run beside the test suite)
never drop each other's database or flush each other's queue:

* ``BENCH_POSTGRES`` (default ``postgres://postgres@127.0.0.1:5432``): the server;
* ``BENCH_DB_PREFIX`` (default ``leadership_bench``): each script's database is
  ``<prefix>_<script>``. The test suite's databases are ``test_<name>``, which a bench name
  never is: ``database_name`` refuses a prefix starting with ``test_``;
* ``BENCH_REDIS_URL`` (default ``redis://127.0.0.1:6379/12``): the broker of the scripts that
  run Celery workers. The tests use databases 2-5 and 14-15 of their Redis, a development
  worker 0; this one is flushed before each run.

A figure is printed only from a complete run: ``require`` stops the script (non-zero exit,
which ``run_all`` reports as a failed script) when what was measured is not what was meant
(fewer e-mails delivered than sent, a page that did not answer 200, ...).
"""

import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from http.client import HTTPConnection, RemoteDisconnected
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for _path in (str(ROOT), str(ROOT / "bench")):
    if _path not in sys.path:
        sys.path.insert(0, _path)

POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_PREFIX = os.environ.get("BENCH_DB_PREFIX", "leadership_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")


class Incomplete(SystemExit):
    """The run did not measure what it meant to: no figure is printed from it."""


def require(condition: bool, message: str) -> None:
    """Stop the script, loudly, unless ``condition`` holds."""
    if not condition:
        print(f"INCOMPLETE RUN: {message}", file=sys.stderr, flush=True)
        raise Incomplete(2)


def database_name(script: str) -> str:
    name = f"{DB_PREFIX}_{script}"
    require(
        not name.startswith("test_") and name.replace("_", "").isalnum(),
        f"{name!r} is no bench database name (letters, digits and _, not test_…)",
    )
    return name


def configure(script: str, **environment: str) -> str:
    """Point Django at the script's own database, with settings for measuring (DEBUG off,
    tasks in-process unless the script says otherwise, cheap password hashing, quiet logs),
    plus ``environment``. Returns the database URL. Call before importing Django."""
    url = f"{POSTGRES}/{database_name(script)}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "leadership.settings",
            "DATABASE_URL": url,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "testserver,127.0.0.1",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "CELERY_BROKER_URL": "",
            "PASSWORD_HASHERS": "django.contrib.auth.hashers.MD5PasswordHasher",
            "PRIVATE_MEDIA_ROOT": f"/tmp/{database_name(script)}-private",
            "LOG_LEVEL": "WARNING",
            "EMAIL_URL": "dummymail://",
            # The same key in this process and in a ``Server``, which reads the sessions
            # made here (``session_cookie``).
            "SECRET_KEY": "bench-only-" + "k" * 50,
            **environment,
        }
    )
    return url


def recreate_database(url: str) -> None:
    """Drop (ending its connections) and create the script's database: only a bench name."""
    import psycopg2

    name = url.rsplit("/", 1)[1]
    require(name.startswith(DB_PREFIX + "_"), f"{name} is not a bench database")
    admin = psycopg2.connect(f"{POSTGRES}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(url: str, *, migrate: bool = True) -> None:
    """A fresh database, Django set up, migrations applied."""
    recreate_database(url)
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def peak_rss_mb() -> float:
    """This process's peak resident memory, MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_tree_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def load_average() -> str:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def median_ms(function: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def interleaved_medians(functions: dict[str, Callable[[], object]], runs: int) -> dict:
    """The median time (ms) of each function over ``runs`` rounds, the functions taking
    turns in each round so that a burst of other work on the machine hits them alike."""
    for function in functions.values():
        function()  # warm up
    timings: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(runs):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) * 1000 for name, values in timings.items()}


# --- a web server in the production shape, and requests to it ------------------------------


class Server:
    """gunicorn with the production settings (``DJANGO_ENV=production``, persistent
    connections, workers and threads from ``gunicorn.conf.py``) on a free loopback port, for
    as long as the ``with`` block runs. HTTPS redirects are off: there is no TLS proxy."""

    def __init__(self, **environment: str):
        self.port = free_port()
        self.environment = {
            **os.environ,
            "DJANGO_ENV": "production",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text",
            # Production serves hashed static files from a manifest: collect them once.
            "STATIC_ROOT": f"/tmp/{DB_PREFIX}-static",
            **environment,
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=self.environment, check=True,
        )  # fmt: skip
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "leadership.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT, env=self.environment, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/health/live/")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        require(False, "gunicorn did not answer within 60 s")
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)

    def get(self, path: str, cookie: str = "") -> tuple[int, bytes]:
        connection = HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()


class Client:
    """One keep-alive connection that GETs a path and checks the answer is 200."""

    def __init__(self, port: int, path: str, cookie: str = ""):
        self.connection = HTTPConnection("127.0.0.1", port, timeout=30)
        self.path = path
        self.headers = {"Cookie": cookie} if cookie else {}

    def __call__(self) -> None:
        try:
            response = self._get()
        except (RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server may close an idle keep-alive connection (gunicorn after 2 s), as
            # HTTP allows; a client then sends the request again on a new one.
            self.connection.close()
            response = self._get()
        require(response.status == 200, f"{self.path} answered {response.status}")

    def _get(self):
        self.connection.request("GET", self.path, headers=self.headers)
        response = self.connection.getresponse()
        response.read()
        return response


def throughput(
    port: int, path: str, *, connections: int, seconds: float, cookies: list[str] | None = None
):
    """Requests a second over ``connections`` keep-alive connections, each sending the next
    request as soon as the last is answered, for ``seconds`` (after one second of warming up);
    and the 99th percentile latency in ms. Every answer must be 200. ``cookies``: one per
    connection (each its own person, as in life: one session shared by eight connections
    would make them queue for its row)."""
    cookies = cookies or [""] * connections
    require(len(cookies) == connections, "one cookie per connection")
    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []
    start_at = time.monotonic() + 1.0
    stop_at = start_at + seconds

    def run(cookie: str) -> None:
        client = Client(port, path, cookie)
        mine = []
        try:
            while (now := time.monotonic()) < stop_at:
                began = time.perf_counter()
                client()
                if now >= start_at:
                    mine.append(time.perf_counter() - began)
        except (Incomplete, OSError) as error:
            failures.append(repr(error))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(cookie,)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    require(not failures, f"{path}: {failures[:1]}")
    require(len(latencies) > 0, f"{path}: no request completed")
    latencies.sort()
    return len(latencies) / seconds, latencies[int(len(latencies) * 0.99)] * 1000


def session_cookie(user, name: str = "__Host-sessionid") -> str:
    """A logged-in session for ``user`` as a Cookie header for a ``Server`` (production names
    the cookie ``name``); the whole log-in, password and second factor, stands behind it, as
    ``Client.force_login`` does in tests."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from leadership.middleware import LAST_SEEN_AT, LOGGED_IN_AT

    store = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    store[LOGGED_IN_AT] = store[LAST_SEEN_AT] = int(time.time())
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{name}={urllib.parse.quote(store.session_key)}"
