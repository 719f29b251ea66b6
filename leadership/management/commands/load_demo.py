import importlib

from django.core.management.base import BaseCommand
from django.utils import timezone

from cohorts import demo as cohorts_demo
from leadership.mfa import DEMO_TOTP_SECRET

# Each app owns its demo data in ``<app>/demo.py`` with ``load(today)``; order matters, since
# later apps build on earlier ones (a schedule needs a cohort, a team needs people).
DEMO_APPS = ["cohorts", "modules", "redesign_projects", "pairings", "leadership"]


class Command(BaseCommand):
    help = "Create (or top up) a believable programme office to explore. Safe to run again."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        logins = []
        for app in DEMO_APPS:
            try:
                demo = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            self.stdout.write(f"Loading {app} demo data…")
            result = demo.load(today)
            if app == "cohorts":
                logins = result
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with:"))
        for email, label in logins:
            self.stdout.write(f"  {label:<26} {email:<36} password: {cohorts_demo.DEMO_PASSWORD}")
        self.stdout.write(
            "The administrator and the clinical leader also need a code from an authenticator "
            f"app: add the set-up key {DEMO_TOTP_SECRET} to one, or run "
            "`python manage.py demo_code`."
        )
