from django.core.management.base import BaseCommand
from django.utils import timezone

from demo import blueprints, cohorts, leadership, modules, pairings, redesign_projects

# Each app's demo data, ``load(today)`` in ``demo/<app>.py``. Order matters: later ones build
# on earlier ones (a schedule needs a cohort, a team needs people).
BUILDERS = (
    ("cohorts", cohorts.load),
    ("modules", modules.load),
    ("blueprints", blueprints.load),
    ("redesign_projects", redesign_projects.load),
    ("pairings", pairings.load),
    ("leadership", leadership.load),
)


class Command(BaseCommand):
    help = "Create (or top up) a believable programme office to explore. Safe to run again."

    def handle(self, *args, **options) -> None:
        today = timezone.localdate()
        logins: list[tuple[str, str]] = []
        for app, load in BUILDERS:
            self.stdout.write(f"Loading {app} demo data…")
            result = load(today)
            if app == "cohorts":
                logins = result or []
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Log in with:"))
        for email, label in logins:
            self.stdout.write(f"  {label:<26} {email:<36} password: {cohorts.DEMO_PASSWORD}")
        self.stdout.write(
            "The administrator and the clinical leader also need a code from an authenticator "
            f"app: add the set-up key {leadership.DEMO_TOTP_SECRET} to one, or run "
            "`python manage.py demo_code`."
        )
