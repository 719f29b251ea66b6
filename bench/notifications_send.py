"""Plan and send 10,000 reminders to a local SMTP sink through Redis and 2 Celery worker
processes, batched (hundreds per task over one SMTP connection) and one task per e-mail.
The reminders are real: 200 cohorts of 50 with a session in 14 days (its first reminder due),
planned as the sweep plans them, each e-mail with the session's .ics attached.

Prints the time to deliver all of them and the workers' peak memory. Goal: batched under 10 s
on a 2-core machine, and at least 3x the one-task-per-e-mail rate.
Run from the project root: .venv/bin/python bench/notifications_send.py [COUNT]
"""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _results import figure  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
DB_NAME = "leadership_bench_notifications"
BROKER = "redis://127.0.0.1:6379/13"

os.environ.update(
    DJANGO_SETTINGS_MODULE="leadership.settings",
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    CELERY_BROKER_URL=BROKER,
    CELERY_RESULT_BACKEND=BROKER,
    CELERY_TASK_ALWAYS_EAGER="false",
    PASSWORD_HASHERS="django.contrib.auth.hashers.MD5PasswordHasher",
    # Workers keep their database connection between tasks, as a production worker should.
    CONN_MAX_AGE="300",
    LOG_LEVEL="WARNING",
    # As in production: compiled templates are cached (DEBUG re-reads them for every e-mail).
    DEBUG="false",
    ALLOWED_HOSTS="127.0.0.1",
)


class Sink:
    """A minimal SMTP sink on loopback that accepts everything and counts messages. aiosmtpd
    tops out near 170 messages a second here, which would measure the sink, not our sender;
    this one answers in a few microseconds per command. Like the mail servers organisations
    run (Postfix, Exchange Online), it offers PIPELINING."""

    def __init__(self):
        self.count = 0

    def serve(self, port: int) -> None:
        import asyncio

        sink = self

        class Session(asyncio.Protocol):
            def connection_made(self, transport):
                self.transport, self.buffer, self.in_data = transport, b"", False
                transport.write(b"220 sink ESMTP\r\n")

            def data_received(self, data):
                self.buffer += data
                while True:
                    if self.in_data:
                        end = self.buffer.find(b"\r\n.\r\n")
                        if end < 0:
                            return
                        self.buffer, self.in_data = self.buffer[end + 5 :], False
                        sink.count += 1
                        self.transport.write(b"250 OK\r\n")
                        continue
                    line, sep, rest = self.buffer.partition(b"\r\n")
                    if not sep:
                        return
                    self.buffer = rest
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        self.transport.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                    elif verb == b"DATA":
                        self.in_data = True
                        self.transport.write(b"354 go ahead\r\n")
                    elif verb == b"QUIT":
                        self.transport.write(b"221 bye\r\n")
                        self.transport.close()
                    else:
                        self.transport.write(b"250 OK\r\n")

        def run() -> None:
            loop = asyncio.new_event_loop()
            server = loop.run_until_complete(loop.create_server(Session, "127.0.0.1", port))
            loop.run_until_complete(server.serve_forever())

        threading.Thread(target=run, daemon=True).start()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database() -> None:
    import psycopg2

    admin = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    admin.close()


def peak_rss_mb(pid: int) -> float:
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


def run(label: str, sink: Sink, queue_work, env: dict) -> tuple[float, float]:
    from leadership.models import Notification

    Notification.objects.update(status="pending", attempts=0, sent_at=None)
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    sink.count = 0
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "leadership", "worker", "--concurrency=2",
         "--prefetch-multiplier=4", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--loglevel=WARNING"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    time.sleep(4)  # let both worker processes boot before the clock starts
    started = time.perf_counter()
    queue_work()
    while sink.count < COUNT:
        time.sleep(0.05)
        if time.perf_counter() - started > 300:
            break
    elapsed = time.perf_counter() - started
    memory = peak_rss_mb(worker.pid)
    worker.terminate()
    worker.wait(timeout=30)
    rate = sink.count / elapsed
    print(
        f"{label:<34} {sink.count:>6} delivered in {elapsed:6.2f} s ({rate:7.0f}/s), "
        f"workers' peak RSS {memory:5.0f} MB",
        flush=True,
    )
    return elapsed, memory


PER_SESSION = 50


def build_sessions(count: int):
    """Cohorts of 50 participants, each with a session 14 days away: the real planner then
    records ``count`` reminders, each with the session's .ics attached, as in production."""
    import datetime

    from django.utils import timezone

    from cohorts.models import Enrolment
    from leadership.models import User
    from modules.models import Module, Session
    from tests.factories import CohortFactory, ProgrammeFactory

    now = timezone.now()
    programme = ProgrammeFactory(name="Enhanced Care Management")
    starts = now + datetime.timedelta(days=14) - datetime.timedelta(hours=1)
    people = User.objects.bulk_create(
        User(email=f"person{n}@bench.example.org", first_name=f"Person {n}", last_name="Bench")
        for n in range(count)
    )
    enrolments = []
    for index in range(count // PER_SESSION):
        cohort = CohortFactory(programme=programme, name=f"Cohort {index + 1}")
        module = Module.objects.create(cohort=cohort, position=1, title="Module 2: Flow")
        Session.objects.create(
            module=module, title="Day 1", venue_name="Te Papa, Wellington",
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=7),
        )  # fmt: skip
        group = people[index * PER_SESSION : (index + 1) * PER_SESSION]
        enrolments += [Enrolment(cohort=cohort, person=person) for person in group]
    Enrolment.objects.bulk_create(enrolments)
    return now


def main() -> None:
    sink = Sink()
    port = free_port()
    sink.serve(port)
    time.sleep(0.2)
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    recreate_database()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from home.planners import PLANNERS
    from leadership.notifications import run_planners

    started = time.perf_counter()
    now = build_sessions(COUNT)
    print(f"built {COUNT // PER_SESSION} cohorts of {PER_SESSION} in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    started = time.perf_counter()
    planned = run_planners(now, PLANNERS)  # what the sweep does
    planning = time.perf_counter() - started
    print(f"planned {planned} session reminders (with .ics) in {planning:.2f} s", flush=True)
    assert planned == COUNT, planned
    env = dict(os.environ)

    from home.tasks import sweep_notifications
    from leadership.tasks import send_due_notifications

    batched, memory = run(
        "batched (200 per task, 2 processes)", sink, lambda: sweep_notifications.delay(), env
    )

    def one_task_each():
        for _ in range(COUNT):
            send_due_notifications.delay(batch_size=1, max_batches=1)

    figure(f"Plan {COUNT:,} session reminders", f"{planning:.1f} s")
    figure(f"Send {COUNT:,} reminders, batched, 2 workers", f"{batched:.1f} s", "< 10 s",
           batched < 10)  # fmt: skip
    figure("Workers' peak memory, batched", f"{memory:.0f} MB")
    if os.environ.get("BENCH_BATCHED_ONLY"):
        return
    single, _ = run("one task per e-mail", sink, one_task_each, env)
    print(f"batched is {single / batched:.1f}x faster than one task per e-mail "
          f"(goals: batched < 10 s, >= 3x)")  # fmt: skip
    figure("Batched vs one task per e-mail", f"{single / batched:.1f}x", "≥ 3x",
           single / batched >= 3)  # fmt: skip


if __name__ == "__main__":
    main()
