"""One beat, safely: periodic work is sent once per period however many beats run.

Two beats started by mistake (a second host, a redeploy that overlapped, ``make run`` next to
``docker compose``) each send every periodic task. The tasks themselves are safe to run twice —
the sweep's planners record reminders under unique keys and senders claim rows with ``SKIP
LOCKED`` — but not free: two sweeps a minute fan out twice the configured number of sender
tasks (``NOTIFICATION_SENDER_PARALLELISM`` is there to cap parallel SMTP connections), build
each digest's figures twice, and two retention runs at once would race over the same rows.

So the scheduler claims each due run before sending it: ``SET key NX EX`` on the broker's Redis,
one key per task name and period (``floor(now / interval)``; a minute for crontab schedules).
The first beat to claim a period sends the task; any other beat logs that it skipped it. The
broker is the one thing beats must share to double work at all, the claim is a single atomic
command, and the keys expire by themselves. If Redis cannot be asked, the beat sends anyway:
a duplicate of idempotent work is better than a missed sweep (and the send would fail too).
"""

import logging
import math
import os
import socket
import time

import redis
from celery import schedules
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

KEY_PREFIX = "leadership:beat-claim"


def period_seconds(schedule) -> float:
    """How long one period of ``schedule`` is: its interval, or a minute for crontab and
    solar schedules (they fire at most once a minute)."""
    if isinstance(schedule, schedules.schedule):
        return max(schedule.run_every.total_seconds(), 1.0)
    return 60.0


def claim_key(name: str, period: float, now: float) -> str:
    return f"{KEY_PREFIX}:{name}:{math.floor(now / period)}"


class OncePerPeriodScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler that sends a due task only if it is the first
    beat to claim the task's current period."""

    def __init__(self, *args, **kwargs):
        self._redis = None
        self._owner = f"{socket.gethostname()}:{os.getpid()}"
        super().__init__(*args, **kwargs)

    def _client(self):
        if self._redis is None:
            url = self.app.conf.broker_url or ""
            if not url.startswith(("redis://", "rediss://")):
                return None
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        return self._redis

    def claim(self, entry, now: float | None = None) -> bool:
        """True when this beat may send ``entry`` now (it claimed the period, or there is no
        Redis to ask)."""
        period = period_seconds(entry.schedule)
        key = claim_key(entry.name, period, time.time() if now is None else now)
        try:
            client = self._client()
            if client is None:
                return True
            return bool(client.set(key, self._owner, nx=True, ex=max(int(period * 2), 60)))
        except Exception as error:  # noqa: BLE001 — any Redis failure: send rather than skip
            logger.warning("Could not claim %s (%s); sending it anyway.", entry.name, error)
            return True

    def apply_entry(self, entry, producer=None):
        if self.claim(entry):
            return super().apply_entry(entry, producer=producer)
        logger.info(
            "Scheduler: skipped %s: another beat already sent it for this period.", entry.name
        )
        return None
