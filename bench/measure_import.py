"""Importing 100,000 measure data points: time and peak memory.

An import is one CSV file for one measure, at most ``MAX_ROWS`` (1,000) rows — twenty years
of weekly figures, more than any team has — and all-or-nothing. So 100,000 points are 100
measures each importing a 1,000-row file through ``datapoints_import`` (parse, check every row
against the measure's recorded periods, save in one transaction, one audit event), as the
import page's "Save all" does. It runs in a fresh database (``leadership_bench_measures``).

Goals, and why:
* one 1,000-row file in under 1 s: the import runs inside the web request, so a person waits
  for it;
* 100,000 points in under 30 s in all (0.3 s a file): a programme office loading every team's
  history in one sitting should not wait minutes;
* peak memory under 500 MB: the same ceiling as a PDF build, for a web process on a small host.

Run from the project root: .venv/bin/python bench/measure_import.py [MEASURES]
"""

import datetime
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _results import figure  # noqa: E402  (after the path is set)

MEASURES = int(sys.argv[1]) if len(sys.argv) > 1 else 100
DB_NAME = "leadership_bench_measures"
GOAL_FILE_S, GOAL_TOTAL_S, GOAL_MB = 1.0, 30.0, 500

os.environ.update(
    DJANGO_SETTINGS_MODULE="leadership.settings",
    DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    CELERY_TASK_ALWAYS_EAGER="true",
    CELERY_BROKER_URL="",
    PRIVATE_MEDIA_ROOT="/tmp/leadership-bench-measures",
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


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def csv_text(rng: random.Random, rows: int) -> str:
    """A weekly series with a header, ISO and d/m/Y dates mixed, and a few annotations."""
    start = datetime.date(2006, 1, 2)  # a Monday
    lines = ["period,value,annotation"]
    for n in range(rows):
        day = start + datetime.timedelta(weeks=n)
        period = day.isoformat() if n % 2 else f"{day.day}/{day.month}/{day.year}"
        note = "New discharge checklist" if n % 97 == 0 else ""
        lines.append(f"{period},{rng.gauss(6.0, 0.8):.2f},{note}")
    return "\n".join(lines) + "\n"


def main() -> None:
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from measures import services as measure_services
    from measures.charting import MAX_MEASURES_PER_OWNER, MAX_ROWS
    from measures.models import DataPoint, Measure
    from tests.factories import CohortFactory, ProgrammeFactory
    from tests.redesign_projects.helpers import make_team, participant_in

    cohort = CohortFactory(programme=ProgrammeFactory())
    lead = participant_in(cohort, profession="doctor")
    # A team holds at most MAX_MEASURES_PER_OWNER measures: as many teams as that takes.
    teams = [
        make_team(cohort, lead=lead if t == 0 else participant_in(cohort, profession="nurse"),
                  name=f"Flow {t + 1}")
        for t in range(-(-MEASURES // MAX_MEASURES_PER_OWNER))
    ]  # fmt: skip
    measures = [
        measure_services.measure_create(
            team=teams[n // MAX_MEASURES_PER_OWNER],
            name=f"Measure {n + 1}",
            unit="days",
            better="down",
            frequency=Measure.Frequency.WEEKLY,
            acting_user=lead,
        )
        for n in range(MEASURES)
    ]
    rng = random.Random(11)
    files = [csv_text(rng, MAX_ROWS) for _ in measures]
    baseline = peak_mb()
    print(
        f"{MEASURES} measures, a {MAX_ROWS}-row CSV file each ({len(files[0]) / 1024:.0f} KiB); "
        f"{baseline:.0f} MB before importing"
    )

    timings = []
    started = time.perf_counter()
    for measure, text in zip(measures, files, strict=True):
        one = time.perf_counter()
        preview = measure_services.datapoints_import(measure=measure, text=text, acting_user=lead)
        timings.append(time.perf_counter() - one)
        assert preview.is_valid, preview.errors or [r.errors for r in preview.rows if r.errors][:3]
    total = time.perf_counter() - started
    points = DataPoint.objects.filter(measure__team__cohort=cohort).count()
    assert points == MEASURES * MAX_ROWS, points
    per_file = statistics.median(timings)
    peak = peak_mb()

    print(
        f"Imported {points:,} points in {total:.1f} s ({points / total:,.0f} a second); "
        f"per file median {per_file * 1000:.0f} ms, slowest {max(timings) * 1000:.0f} ms"
    )
    print(f"Peak RSS {peak:.0f} MB ({peak - baseline:+.0f} MB while importing)")
    print(f"Load average while measuring: {', '.join(f'{n:.1f}' for n in os.getloadavg())}")
    figure(
        f"measure import, one {MAX_ROWS}-row CSV file",
        f"{per_file * 1000:.0f} ms median",
        f"< {GOAL_FILE_S:g} s",
        per_file < GOAL_FILE_S,
    )
    figure(
        f"measure import, {points:,} points ({MEASURES} files)",
        f"{total:.1f} s",
        f"< {GOAL_TOTAL_S:g} s",
        total < GOAL_TOTAL_S,
    )
    figure("measure import, peak memory", f"{peak:.0f} MB", f"< {GOAL_MB} MB", peak < GOAL_MB)


if __name__ == "__main__":
    main()
