"""List and dashboard pages: their SQL queries at two data sizes, and the cohort dashboard's
time against a trivial page measured in the same run.

Two programmes are built in a fresh database (``leadership_bench_dashboard``) with the
builder the tests use: a small one (2 cohorts; the measured one has 8 participants, 4 sessions,
2 teams, 2 assignments, a measure a team) and a large one (6 cohorts; the measured one has 50
participants, 12 sessions, 10 teams, 4 assignments, 3 measures a team). Every page is fetched
with Django's test client, as the person who would read it, in both; a page whose query count
differs between the two has an N+1 somewhere (goal: the same count at both sizes).

The cohort dashboard is what a browser loads for the cohort page: the page and its four
cards. Its time is the median of RUNS, interleaved with the same number of fetches of the
login page (same middleware, templates and session handling, no data), so the ratio holds on
a loaded machine where the milliseconds do not.

Run from the project root: .venv/bin/python bench/dashboard_queries.py [RUNS]
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _results import figure  # noqa: E402  (after the path is set)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 40
DB_NAME = "leadership_bench_dashboard"
# The dashboard is five requests (page + four cards) that each read a 50-person cohort; the
# login page is one request that reads nothing but the session. Each dashboard request may cost
# up to four login pages: 20× for the five. (The login page takes ~1 ms under gunicorn in
# production, so that is a dashboard in ~20-40 ms of server time.)
GOAL_RATIO = 20
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

os.environ.update(
    DJANGO_SETTINGS_MODULE="leadership.settings",
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    DEBUG="false",
    ALLOWED_HOSTS="testserver",
    CELERY_TASK_ALWAYS_EAGER="true",
    CELERY_BROKER_URL="",
    PASSWORD_HASHERS="django.contrib.auth.hashers.MD5PasswordHasher",
    PRIVATE_MEDIA_ROOT="/tmp/leadership-bench-dashboard",
    LOG_LEVEL="WARNING",
    EMAIL_URL="dummymail://",
)


def recreate_database() -> None:
    import psycopg2

    admin = psycopg2.connect("postgres://postgres@127.0.0.1:5432/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    admin.close()


def build(name: str, *, cohorts: int, **size) -> dict:
    """A programme with ``cohorts`` cohorts, the first built to ``size``; its people by role."""
    from cohorts.models import Enrolment
    from leadership.mfa import totp_enrol
    from modules.models import Session
    from pairings.models import Pairing
    from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory
    from tests.worlds import build_world

    programme = ProgrammeFactory(name=f"{name} programme")
    admin = UserFactory(profession="manager")
    programme.administrators.add(admin)
    made = [CohortFactory(programme=programme, name=f"{name} {n + 1}") for n in range(cohorts)]
    cohort = made[0]
    world = build_world(cohort, actor=admin, **size)
    people = {"administrator": admin, "participant": world["people"][0]}
    for role in (Enrolment.Role.FACULTY, Enrolment.Role.CLINICAL_LEADER):
        people[role] = UserFactory()
        EnrolmentFactory(cohort=cohort, person=people[role], role=role)
    # Administrators and clinical leaders must use an authenticator app; with one,
    # ``force_login`` stands for the whole log-in (password and code).
    for role in ("administrator", Enrolment.Role.CLINICAL_LEADER):
        totp_enrol(user=people[role], secret=TOTP_SECRET)
    for other in made[1:]:
        for _ in range(3):
            EnrolmentFactory(cohort=other, role=Enrolment.Role.PARTICIPANT)
    session = Session.objects.filter(module__cohort=cohort).order_by("starts_at").first()
    pairing = Pairing.objects.filter(cohort=cohort).order_by("pk").first()
    return {
        "cohort": cohort,
        "people": people,
        "session": session,
        "team": world["teams"][0],
        "pairing": pairing,
    }


def pages(world: dict) -> list[tuple[str, str, str]]:
    """(page, who reads it, URL) for every list and dashboard page of the cohort."""
    from django.urls import reverse

    from reports.cards import CARDS

    c = world["cohort"].pk
    rows = [
        ("cohort list", "administrator", reverse("cohorts:cohort_list")),
        ("cohort page", "administrator", reverse("cohorts:cohort_detail", args=[c])),
        *(
            (
                f"cohort card: {card}",
                "administrator",
                reverse("reports:cohort_card", args=[c, card]),
            )
            for card in CARDS
        ),
        ("people", "administrator", reverse("cohorts:cohort_people", args=[c])),
        ("schedule", "administrator", reverse("modules:cohort_schedule", args=[c])),
        ("attendance", "administrator", reverse("modules:cohort_attendance", args=[c])),
        ("team list", "administrator", reverse("redesign_projects:team_list", args=[c])),
        (
            "assignment overview",
            "administrator",
            reverse("redesign_projects:assignment_overview", args=[c]),
        ),
        ("pairings", "administrator", reverse("pairings:cohort_overview", args=[c])),
        ("reports", "administrator", reverse("reports:report_list", args=[c])),
        ("e-mail log", "administrator", reverse("notification_log", args=[c])),
        (
            "attendance register",
            "faculty",
            reverse("modules:attendance_register", args=[world["session"].pk]),
        ),
        ("leader start page", "clinical_leader", reverse("home:leader_home")),
        ("participant start page", "participant", reverse("home:participant_home")),
        ("my schedule", "participant", reverse("modules:my_schedule")),
        (
            "team page",
            "participant",
            reverse("redesign_projects:team_detail", args=[world["team"].pk]),
        ),
    ]
    if world["pairing"] is not None:
        rows.append(
            (
                "pairing",
                "administrator",
                reverse("pairings:pairing_detail", args=[world["pairing"].pk]),
            )
        )
    return rows


def count_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # first fetch: caches warm, session settled
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return len(queries)


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.test import Client
    from django.urls import reverse

    from reports.cards import CARDS

    started = time.perf_counter()
    small = build("Small", cohorts=2, participants=8, sessions=4, teams=2, assignments=2)
    large = build(
        "Large", cohorts=6, participants=50, sessions=12, teams=10, assignments=4, measures=3
    )
    print(f"Built both programmes in {time.perf_counter() - started:.1f} s")

    clients: dict[tuple[str, str], Client] = {}

    def client_for(size: str, world: dict, role: str) -> Client:
        if (size, role) not in clients:
            clients[size, role] = Client()
            clients[size, role].force_login(world["people"][role])
        return clients[size, role]

    flat, growing = 0, []
    print(f"{'page':<28} {'small':>6} {'large':>6}")
    for (name, role, small_url), (_, _, large_url) in zip(pages(small), pages(large), strict=True):
        few = count_queries(client_for("small", small, role), small_url)
        many = count_queries(client_for("large", large, role), large_url)
        print(f"{name:<28} {few:>6} {many:>6}{'' if few == many else '  ← grows'}")
        if few == many:
            flat += 1
        else:
            growing.append(f"{name} ({few} → {many})")
    total = flat + len(growing)
    figure(
        f"list and dashboard pages with the same queries at both sizes ({total} pages)",
        f"{flat} of {total}" + (f"; grows: {', '.join(growing)}" if growing else ""),
        "all",
        not growing,
    )

    # The dashboard of the large cohort against the login page, interleaved.
    admin = client_for("large", large, "administrator")
    c = large["cohort"].pk
    dashboard = [reverse("cohorts:cohort_detail", args=[c])] + [
        reverse("reports:cohort_card", args=[c, card]) for card in CARDS
    ]
    anonymous = Client()
    login = reverse("account_login")

    def timed(client: Client, urls: list[str]) -> float:
        began = time.perf_counter()
        for url in urls:
            client.get(url)
        return time.perf_counter() - began

    timed(admin, dashboard), timed(anonymous, [login])  # warm up
    dashboard_runs, login_runs = [], []
    for _ in range(RUNS):
        dashboard_runs.append(timed(admin, dashboard))
        login_runs.append(timed(anonymous, [login]))
    dashboard_ms = statistics.median(dashboard_runs) * 1000
    login_ms = statistics.median(login_runs) * 1000
    ratio = dashboard_ms / login_ms
    page_ms = statistics.median(timed(admin, dashboard[:1]) for _ in range(RUNS)) * 1000
    print(
        f"Cohort dashboard, 50 participants (page + {len(CARDS)} cards): median "
        f"{dashboard_ms:.1f} ms; the page alone {page_ms:.1f} ms; the login page "
        f"{login_ms:.1f} ms; {RUNS} runs each"
    )
    print(f"Load average while measuring: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    figure(
        f"cohort dashboard (page + {len(CARDS)} cards, 50 people) ÷ login page",
        f"{ratio:.1f}× ({dashboard_ms:.0f} ms ÷ {login_ms:.1f} ms)",
        f"≤ {GOAL_RATIO}×",
        ratio <= GOAL_RATIO,
    )


if __name__ == "__main__":
    main()
