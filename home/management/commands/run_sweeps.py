"""``manage.py run_sweeps``: beat's sweep on a timer in this process, for ``make run`` without
a broker (scripts/run.sh starts it). Without it nothing plans the time-based e-mails (session
and assignment reminders, registers not taken, digests) when there is no Celery beat; with
tasks running in-process the sweep also sends what is due. One line per sweep that did
something."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from home.tasks import sweep_notifications


class Command(BaseCommand):
    help = "Run the notification sweep every NOTIFICATION_SWEEP_SECONDS (no broker needed)."

    def add_arguments(self, parser):
        default = settings.CELERY_BEAT_SCHEDULE["sweep-notifications"]["schedule"]
        parser.add_argument("--every", type=float, default=default, help="Seconds between sweeps.")
        parser.add_argument("--once", action="store_true", help="Sweep once and stop.")

    def handle(self, *args, every: float, once: bool, **options):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self.stderr.write(
                "A broker is configured: Celery beat runs the sweep; this timer is not needed."
            )
            return
        self.stdout.write(f"Sweeping for due e-mails every {every:g} s (Ctrl-C stops).")
        while True:
            result = sweep_notifications()
            if result["planned"] or result["due"] or result["released"]:
                self.stdout.write(
                    f"[sweep] planned {result['planned']}, due {result['due']}, "
                    f"released {result['released']}"
                )
            if once:
                return
            time.sleep(every)
