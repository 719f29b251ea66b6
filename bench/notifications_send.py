"""Plan and send 10,000 reminders to a local SMTP sink through Redis and 2 Celery worker
processes, batched (hundreds per task over one SMTP connection), against one smtplib
connection sending the same messages, built beforehand, in the same run.

The reminders are real: 200 cohorts of 50 with a session in 14 days (its first reminder due),
planned as the sweep plans them, each e-mail with the session's .ics attached. Every figure is
printed only once the sink has received every message of its run: a run that does not
deliver all of them within its time limit stops the script, loudly.

Goals: batched within 6× the bare smtplib connection (issue 21: the machinery of claiming,
rendering and recording each e-mail may cost that much, the SMTP conversation not more);
batched under 10 s on a 2-core machine.

The database is ``<BENCH_DB_PREFIX>_notifications`` and the broker ``BENCH_REDIS_URL``
(``bench/_setup.py``), both emptied first.
Run from the project root: .venv/bin/python bench/notifications_send.py [COUNT]
"""

import os
import smtplib
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (sets the import path)
from _results import figure  # noqa: E402

COUNT = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
TIME_LIMIT = 300
RATIO_GOAL, BATCHED_GOAL_S = 6, 10
URL = _setup.configure(
    "notifications",
    CELERY_BROKER_URL=_setup.REDIS_URL,
    CELERY_RESULT_BACKEND=_setup.REDIS_URL,
    CELERY_TASK_ALWAYS_EAGER="false",
    # Workers keep their database connection between tasks, as a production worker should.
    CONN_MAX_AGE="300",
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


def run(label: str, sink: Sink, queue_work, env: dict) -> tuple[float, float]:
    """Deliver every planned reminder with 2 worker processes; (seconds, workers' peak MB).
    Stops the script unless the sink receives all COUNT messages within TIME_LIMIT."""
    from leadership.models import Notification

    Notification.objects.update(status="pending", attempts=0, sent_at=None)
    _setup.flush_redis()
    sink.count = 0
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "leadership", "worker", "--concurrency=2",
         "--prefetch-multiplier=4", "--without-heartbeat", "--without-gossip",
         "--without-mingle", "--loglevel=WARNING"],
        cwd=_setup.ROOT, env=env,
    )  # fmt: skip
    try:
        time.sleep(4)  # let both worker processes boot before the clock starts
        started = time.perf_counter()
        queue_work()
        while sink.count < COUNT and time.perf_counter() - started < TIME_LIMIT:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        memory = _setup.peak_rss_tree_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    _setup.require(
        sink.count == COUNT,
        f"{label}: the sink received {sink.count:,} of {COUNT:,} e-mails in {elapsed:.0f} s",
    )
    rate = sink.count / elapsed
    print(
        f"{label:<34} {sink.count:>6} delivered in {elapsed:6.2f} s ({rate:7.0f}/s), "
        f"workers' peak RSS {memory:5.0f} MB",
        flush=True,
    )
    return elapsed, memory


def prebuilt_messages() -> list[tuple[str, bytes]]:
    """(recipient, MIME bytes) of every planned reminder, built as the sender builds them."""
    from leadership.emails import BatchRenderer, mime_bytes
    from leadership.models import Notification

    renderer = BatchRenderer()
    messages = []
    for row in Notification.objects.select_related("recipient").order_by("pk"):
        context = {
            **row.context,
            "recipient_name": row.recipient.get_short_name() or row.recipient.email,
            "kind_label": row.get_kind_display(),
        }
        subject, text, html = renderer.render(row.template, context)
        message = mime_bytes(
            to=row.recipient.email, subject=subject, text=text, html=html,
            headers={"X-Notification-Key": row.dedup_key}, attachments=row.attachments,
        )  # fmt: skip
        messages.append((row.recipient.email, message))
    return messages


def send_directly(sink: Sink, port: int, messages: list[tuple[str, bytes]]) -> float:
    """Seconds for one smtplib connection to send ``messages``; all must arrive."""
    from leadership.emails import envelope_sender

    sink.count = 0
    sender = envelope_sender()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for recipient, message in messages:
            smtp.sendmail(sender, [recipient], message)
    while sink.count < len(messages) and time.perf_counter() - started < TIME_LIMIT:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    _setup.require(
        sink.count == len(messages),
        f"direct: the sink received {sink.count:,} of {len(messages):,} e-mails",
    )
    print(f"{'one smtplib connection, prebuilt':<34} {sink.count:>6} delivered in "
          f"{elapsed:6.2f} s ({sink.count / elapsed:7.0f}/s)", flush=True)  # fmt: skip
    return elapsed


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
    port = _setup.free_port()
    sink.serve(port)
    time.sleep(0.2)
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    _setup.setup_django(URL)
    from home.planners import PLANNERS
    from home.tasks import sweep_notifications
    from leadership.notifications import run_planners

    started = time.perf_counter()
    now = build_sessions(COUNT)
    print(f"built {COUNT // PER_SESSION} cohorts of {PER_SESSION} in "
          f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    started = time.perf_counter()
    planned = run_planners(now, PLANNERS)  # what the sweep does
    planning = time.perf_counter() - started
    print(f"planned {planned} session reminders (with .ics) in {planning:.2f} s", flush=True)
    _setup.require(planned == COUNT, f"planned {planned} reminders, not {COUNT}")

    messages = prebuilt_messages()
    direct = send_directly(sink, port, messages)
    batched, memory = run(
        "batched (2 worker processes)", sink, lambda: sweep_notifications.delay(), dict(os.environ)
    )
    ratio = batched / direct
    print(f"batched ÷ one smtplib connection: {ratio:.1f}× (load average {_setup.load_average()})")
    figure(f"Plan {COUNT:,} session reminders", f"{planning:.1f} s")
    figure(f"Send {COUNT:,} reminders, batched, 2 workers", f"{batched:.1f} s",
           f"< {BATCHED_GOAL_S} s", batched < BATCHED_GOAL_S)  # fmt: skip
    figure(
        f"Send {COUNT:,} reminders, batched ÷ one smtplib connection, same messages",
        f"{ratio:.1f}× ({batched:.1f} s ÷ {direct:.1f} s)",
        f"≤ {RATIO_GOAL}×",
        ratio <= RATIO_GOAL,
    )
    figure("Workers' peak memory, batched", f"{memory:.0f} MB")


if __name__ == "__main__":
    main()
