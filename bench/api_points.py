"""A 1,000-point batch POSTed to the API, against the CSV import of the same rows.

The API's batch goes through the whole request stack (middleware, token, rate limit, audit,
JSON parsing, the measures' own import, the chart redrawn for the answer), so it is compared
with ``measures.services.datapoints_import`` of the same 1,000 rows measured in the same run,
on the same machine: the ratio says what the API adds. Each is run ``ROUNDS`` times on fresh
measures and the median kept. It runs in a fresh database (``<BENCH_DB_PREFIX>_api``).

Goal: one 1,000-point batch accepted in under 1 s (an information system's nightly feed, or a
retry, should not time out).

Run from the project root: .venv/bin/python bench/api_points.py [ROUNDS]
"""

import datetime
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (sets the import path)
from _results import figure  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ROWS = 1000
GOAL_S = 1.0
URL = _setup.configure("api")


def rows() -> list[tuple[str, float]]:
    """A weekly series of 1,000 values (about nineteen years)."""
    start = datetime.date(2006, 1, 2)
    return [
        ((start + datetime.timedelta(weeks=n)).isoformat(), round(6 + (n % 7) * 0.3, 2))
        for n in range(ROWS)
    ]


def main() -> None:
    _setup.setup_django(URL)
    from django.test import Client

    from measures import services as measure_services
    from measures.models import Measure
    from tests.api.helpers import make_token
    from tests.factories import CohortFactory, ProgrammeFactory, UserFactory
    from tests.redesign_projects.helpers import make_team, participant_in

    programme = ProgrammeFactory()
    administrator = UserFactory(email="bench-admin@example.org")
    programme.administrators.add(administrator)
    cohort = CohortFactory(programme=programme)
    lead = participant_in(cohort, profession="doctor")
    team = make_team(cohort, lead=lead, name="Flow")
    _, raw = make_token(administrator, programme, scope="write_points")
    series = rows()
    csv_text = "period,value\n" + "".join(f"{p},{v}\n" for p, v in series)
    body = json.dumps({"points": [{"period": p, "value": v} for p, v in series]})
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def measure(name: str) -> Measure:
        return measure_services.measure_create(
            team=team, name=name, unit="days", better="down",
            frequency=Measure.Frequency.WEEKLY, acting_user=lead,
        )  # fmt: skip

    # The first request imports the views (and scipy): not what a feed waits for each time.
    status = client.get("/api/programmes/", secure=True, **headers).status_code
    _setup.require(status == 200, f"the API answered {status}")
    imports, batches = [], []
    for n in range(ROUNDS):
        target = measure(f"Import {n}")
        started = time.perf_counter()
        preview = measure_services.datapoints_import(
            measure=target, text=csv_text, acting_user=lead
        )
        imports.append(time.perf_counter() - started)
        _setup.require(preview.is_valid, f"the import was refused: {preview.errors[:3]}")

        target = measure(f"API {n}")
        started = time.perf_counter()
        response = client.post(
            f"/api/measures/{target.pk}/points/", body, content_type="application/json",
            secure=True, **headers,
        )  # fmt: skip
        batches.append(time.perf_counter() - started)
        _setup.require(response.status_code == 201, f"the batch: {response.content[:500]!r}")
        _setup.require(target.datapoints.count() == ROWS, "the batch did not save every point")

    batch, imported = statistics.median(batches), statistics.median(imports)
    print(
        f"{ROUNDS} rounds of {ROWS} points: API batch median {batch * 1000:.0f} ms "
        f"(slowest {max(batches) * 1000:.0f} ms); CSV import median {imported * 1000:.0f} ms; "
        f"ratio {batch / imported:.2f}"
    )
    print(f"Load average while measuring: {_setup.load_average()}")
    figure(
        f"API batch of {ROWS} points (POST, JSON)",
        f"{batch * 1000:.0f} ms median, {batch / imported:.2f}× the CSV import",
        f"< {GOAL_S:g} s",
        batch < GOAL_S,
    )


if __name__ == "__main__":
    main()
