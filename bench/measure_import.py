"""Importing 100,000 measure data points: time and peak memory, against PostgreSQL's COPY of
the same rows in the same run.

An import is one CSV file for one measure, at most ``MAX_ROWS`` (1,000) rows — twenty years
of weekly figures, more than any team has — and all-or-nothing. So 100,000 points are 100
measures each importing a 1,000-row file through ``datapoints_import`` (parse, check every row
against the measure's recorded periods, save in one transaction, one audit event), as the
import page's "Save all" does. The calibration: the same 100,000 rows (already parsed, with
the same recorder and time of recording) COPYed into the same table for 100 more measures, in
one statement, and committed: the least any import can cost. The commit is part of both
sides because the rows' foreign keys (measure, recorder) are checked there (Django declares
them deferred): a COPY timed without it has not yet done all of its work, while every import's
time includes its own commit. (Until stop 29 the calibration left the commit and the recorder
out: 6.5× then; the COPY alone is still printed.) It runs in a fresh database
(``<BENCH_DB_PREFIX>_measures``).

Goals, and why:
* one 1,000-row file in under 1 s: the import runs inside the web request, so a person waits
  for it;
* 100,000 points within 3× COPY of the same rows (issue 21): parsing and checking may cost
  what writing costs, twice over, not more;
* peak memory under 500 MB: the same ceiling as a PDF build, for a web process on a small host.

Run from the project root: .venv/bin/python bench/measure_import.py [MEASURES]
"""

import datetime
import io
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (sets the import path)
from _results import figure  # noqa: E402

MEASURES = int(sys.argv[1]) if len(sys.argv) > 1 else 100
GOAL_FILE_S, GOAL_COPY_RATIO, GOAL_MB = 1.0, 3.0, 500
URL = _setup.configure("measures")


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


def copy_rows(measures, files: list[str], recorder_id: int) -> tuple[float, float]:
    """Seconds for one COPY of every row of ``files`` (parsed beforehand) into the data point
    table, one file per measure of ``measures``, recorded by ``recorder_id`` as the import
    records them: until committed, and of that the COPY statement alone."""
    from django.db import connection, transaction

    from measures.charting import parse_datapoints_csv
    from measures.models import DataPoint

    buffer = io.StringIO()
    recorded = datetime.datetime.now(datetime.UTC).isoformat()
    for measure, text in zip(measures, files, strict=True):
        for row in parse_datapoints_csv(text, existing_periods=[]).rows:
            note = row.annotation.replace("\\", "\\\\").replace("\t", " ")
            buffer.write(
                f"{measure.pk}\t{row.period}\t{row.value}\t{note}\tf\t{recorder_id}\t{recorded}\n"
            )
    columns = "measure_id, period, value, annotation, astronomical, recorded_by_id, recorded_at"
    buffer.seek(0)
    with connection.cursor() as cursor:
        with transaction.atomic():
            started = time.perf_counter()
            cursor.copy_expert(f"COPY {DataPoint._meta.db_table} ({columns}) FROM STDIN", buffer)
            copied = time.perf_counter()
        committed = time.perf_counter()
    return committed - started, copied - started


def main() -> None:
    _setup.setup_django(URL)
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
        for t in range(-(-2 * MEASURES // MAX_MEASURES_PER_OWNER))
    ]  # fmt: skip

    def new_measures(prefix: str, first: int) -> list[Measure]:
        return [
            measure_services.measure_create(
                team=teams[(first + n) // MAX_MEASURES_PER_OWNER],
                name=f"{prefix} {n + 1}",
                unit="days",
                better="down",
                frequency=Measure.Frequency.WEEKLY,
                acting_user=lead,
            )
            for n in range(MEASURES)
        ]

    # The imported measures, and as many again for the COPY of the same rows.
    measures, copied = new_measures("Measure", 0), new_measures("Copied", MEASURES)
    rng = random.Random(11)
    files = [csv_text(rng, MAX_ROWS) for _ in measures]
    baseline = _setup.peak_rss_mb()
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
        _setup.require(preview.is_valid, f"an import was refused: {preview.errors[:3]}")
    total = time.perf_counter() - started
    points = DataPoint.objects.filter(measure__in=measures).count()
    _setup.require(points == MEASURES * MAX_ROWS, f"{points} points imported, not all")
    per_file = statistics.median(timings)
    peak = _setup.peak_rss_mb()

    copy, copy_statement = copy_rows(copied, files, lead.pk)
    copied_points = DataPoint.objects.filter(measure__in=copied).count()
    _setup.require(copied_points == points, f"COPY wrote {copied_points} points, not {points}")
    ratio = total / copy

    print(
        f"Imported {points:,} points in {total:.1f} s ({points / total:,.0f} a second); "
        f"per file median {per_file * 1000:.0f} ms, slowest {max(timings) * 1000:.0f} ms; "
        f"COPY of the same rows, committed, {copy:.2f} s: {ratio:.1f}×"
    )
    print(
        f"Of the COPY, the statement {copy_statement:.2f} s and its commit (the rows' foreign-key "
        f"checks) {copy - copy_statement:.2f} s: {total / copy_statement:.1f}× the statement alone"
    )
    print(f"Peak RSS {peak:.0f} MB ({peak - baseline:+.0f} MB while importing)")
    print(f"Load average while measuring: {_setup.load_average()}")
    figure(
        f"measure import, one {MAX_ROWS}-row CSV file",
        f"{per_file * 1000:.0f} ms median",
        f"< {GOAL_FILE_S:g} s",
        per_file < GOAL_FILE_S,
    )
    figure(
        f"measure import, {points:,} points ({MEASURES} files) ÷ COPY of the same rows, committed",
        f"{ratio:.1f}× ({total:.1f} s ÷ {copy:.2f} s)",
        f"≤ {GOAL_COPY_RATIO:g}×",
        ratio <= GOAL_COPY_RATIO,
    )
    figure("measure import, peak memory", f"{peak:.0f} MB", f"< {GOAL_MB} MB", peak < GOAL_MB)


if __name__ == "__main__":
    main()
