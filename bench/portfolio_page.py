"""The sponsor's portfolio page for an administrator of 20 cohorts × 10 projects × 3 measures
(24 monthly points each: 600 measures, 14,400 points), against the login page in the same run.

Prints: the page's queries for a small portfolio and the large one (they must be equal: a flat
count), and the median time of RUNS fetches of the page, interleaved with as many fetches of the
login page (same middleware, templates and session handling, no data), and their ratio. Goal:
the same queries whatever the size, and the page within 15× the login page.

Run from the project root: .venv/bin/python bench/portfolio_page.py [RUNS]
"""

import datetime
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _results import figure  # noqa: E402  (after the path is set)

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
DB_NAME = "leadership_bench_portfolio"
GOAL_RATIO = 15
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

os.environ.update(
    DJANGO_SETTINGS_MODULE="leadership.settings",
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    DEBUG="false",
    ALLOWED_HOSTS="testserver",
    CELERY_TASK_ALWAYS_EAGER="true",
    CELERY_BROKER_URL="",
    PASSWORD_HASHERS="django.contrib.auth.hashers.MD5PasswordHasher",
    PRIVATE_MEDIA_ROOT="/tmp/leadership-bench-portfolio",
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


def build(name: str, *, cohorts: int, projects: int, measures: int, points: int = 24):
    """A programme administered by a new user, with ``cohorts`` cohorts of ``projects`` teams,
    each with ``measures`` measures (a step after an adopted PDSA in the first)."""
    from cohorts.models import Enrolment
    from leadership.mfa import totp_enrol
    from measures.charts import month_starts
    from measures.models import DataPoint, Measure, PdsaCycle
    from redesign_projects.models import RedesignTeam
    from tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory, UserFactory

    programme = ProgrammeFactory(name=f"{name} programme")
    admin = UserFactory(profession="manager")
    programme.administrators.add(admin)
    totp_enrol(user=admin, secret=TOTP_SECRET)
    periods = month_starts(datetime.date(2024, 1, 1), points)
    rows, cycles = [], []
    for c in range(cohorts):
        cohort = CohortFactory(programme=programme, name=f"{name} {c + 1}")
        for t in range(projects):
            lead = UserFactory(profession="doctor")
            EnrolmentFactory(cohort=cohort, person=lead, role=Enrolment.Role.PARTICIPANT)
            team = RedesignTeam.objects.create(
                cohort=cohort, name=f"Team {t + 1}", clinical_lead=lead
            )
            for m in range(measures):
                measure = Measure.objects.create(
                    team=team, name=f"Measure {m + 1}", unit="%", better="up", target=40
                )
                step = 15 if m == 0 else 0
                rows += [
                    DataPoint(
                        measure=measure,
                        period=day,
                        value=Decimal(15 + (k % 4) + (step if k >= points - 9 else 0)),
                    )
                    for k, day in enumerate(periods)
                ]
                if m == 0:
                    cycles.append(
                        PdsaCycle(
                            team=team,
                            measure=measure,
                            change_idea="Criteria-led discharge",
                            started_on=periods[points - 9],
                            decision=PdsaCycle.Decision.ADOPT,
                        )
                    )
    DataPoint.objects.bulk_create(rows, batch_size=2000)
    PdsaCycle.objects.bulk_create(cycles)
    return admin


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    started = time.perf_counter()
    small = build("Small", cohorts=2, projects=2, measures=1)
    large = build("Large", cohorts=20, projects=10, measures=3)
    print(f"Built the portfolios in {time.perf_counter() - started:.1f} s")
    url = reverse("reports:portfolio")

    counts = {}
    for label, user in (("small", small), ("large", large)):
        client = Client()
        client.force_login(user)
        client.get(url)  # caches warm, session settled
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        counts[label] = len(queries)
    print(f"Portfolio queries: {counts['small']} (2 cohorts) and {counts['large']} (20 cohorts)")
    figure(
        "Portfolio page queries, 2 vs 20 cohorts × 10 projects × 3 measures",
        f"{counts['small']} and {counts['large']}",
        "equal (flat)",
        counts["small"] == counts["large"],
    )

    admin = Client()
    admin.force_login(large)
    anonymous = Client()
    login = reverse("account_login")

    def timed(client: Client, target: str) -> float:
        began = time.perf_counter()
        response = client.get(target)
        assert response.status_code == 200, response.status_code
        return time.perf_counter() - began

    timed(admin, url), timed(anonymous, login)  # warm up
    page_runs, login_runs = [], []
    for _ in range(RUNS):
        page_runs.append(timed(admin, url))
        login_runs.append(timed(anonymous, login))
    page_ms = statistics.median(page_runs) * 1000
    login_ms = statistics.median(login_runs) * 1000
    ratio = page_ms / login_ms
    print(
        f"Portfolio page, 20 cohorts / 200 projects / 600 measures: median {page_ms:.0f} ms; "
        f"the login page {login_ms:.1f} ms; {RUNS} runs each; ratio {ratio:.1f}x"
    )
    figure(
        "Portfolio page (600 measures) ÷ login page, p50",
        f"{ratio:.1f}× ({page_ms:.0f} ms ÷ {login_ms:.1f} ms)",
        f"≤ {GOAL_RATIO}×",
        ratio <= GOAL_RATIO,
    )
    print(f"Load average while measuring: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
