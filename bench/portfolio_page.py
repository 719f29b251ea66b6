"""The sponsor's portfolio page for an administrator of 20 cohorts × 10 projects × 3 measures
(24 monthly points each: 600 measures, 14,400 points), against the login page in the same run.

Prints: the page's queries for a small portfolio and the large one (they must be equal: a flat
count), and the median time of RUNS fetches of the page, interleaved with as many fetches of the
login page (same middleware, templates and session handling, no data), and their ratio. Goal:
the same queries whatever the size, and the page within 15× the login page.

Run from the project root: .venv/bin/python bench/portfolio_page.py [RUNS]
"""

import datetime
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (sets the import path)
from _results import figure  # noqa: E402

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
GOAL_RATIO = 15
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
URL = _setup.configure("portfolio")


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
    _setup.setup_django(URL)
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
        _setup.require(response.status_code == 200, f"{url} answered {response.status_code}")
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

    def fetch(client: Client, target: str) -> None:
        response = client.get(target)
        _setup.require(response.status_code == 200, f"{target} answered {response.status_code}")

    medians = _setup.interleaved_medians(
        {"page": lambda: fetch(admin, url), "login": lambda: fetch(anonymous, login)}, RUNS
    )
    page_ms, login_ms = medians["page"], medians["login"]
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
    print(f"Load average while measuring: {_setup.load_average()}")


if __name__ == "__main__":
    main()
