"""The production shape over HTTP: gunicorn with the production settings, as deployed
(workers and threads from ``gunicorn.conf.py``, persistent database connections, JIT off).

* **login page ÷ the bare health view**, one keep-alive connection, requests one after
  another (median of ROUNDS interleaved rounds): what a page costs beyond answering HTTP at
  all. Goal ≤ 5× (46× when every request opened a new database connection). The same with
  ``CONN_MAX_AGE=0`` is printed for comparison, without a goal.
* **participant start page throughput ÷ login page throughput** at 8 connections, each
  sending its next request as soon as the last is answered, SECONDS each, in THROUGHPUT_ROUNDS
  interleaved rounds (start page, login page, start page...; the median round's ratio): whether
  the default worker count keeps the machine busy on a page that reads the database. Goal
  ≥ 0.6. (One round of each read 0.35 and 0.61 in two runs a minute apart on a machine busy
  with other work: what else ran in each page's 10 seconds decided it.)

The participants (one per connection) are in a cohort of 50 built with the tests' world
builder, in a fresh database (``<BENCH_DB_PREFIX>_production``). The load generator runs in
this process (a thread per connection) on the same machine as the server, for both pages.

Run from the project root: .venv/bin/python bench/production_shape.py [SECONDS]
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (sets the import path)
from _results import figure  # noqa: E402

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 10
ROUNDS = 300
THROUGHPUT_ROUNDS = 3
CONNECTIONS = 8
URL = _setup.configure("production")
LATENCY_GOAL, THROUGHPUT_GOAL = 5, 0.6


def login_vs_health(server: _setup.Server) -> tuple[float, float, float]:
    """(login ms, health ms, ratio) over one keep-alive connection each."""
    medians = _setup.interleaved_medians(
        {
            "health": _setup.Client(server.port, "/health/live/"),
            "login": _setup.Client(server.port, "/accounts/login/"),
        },
        ROUNDS,
    )
    return medians["login"], medians["health"], medians["login"] / medians["health"]


def main() -> None:
    _setup.setup_django(URL)
    from django.urls import reverse

    from tests.factories import CohortFactory, ProgrammeFactory
    from tests.worlds import build_world

    started = time.perf_counter()
    cohort = CohortFactory(programme=ProgrammeFactory(name="Enhanced Care Management"))
    world = build_world(cohort, participants=50, sessions=12, teams=10, assignments=4)
    cookies = [_setup.session_cookie(person) for person in world["people"][:CONNECTIONS]]
    print(f"Built the cohort in {time.perf_counter() - started:.1f} s", flush=True)

    with _setup.Server(CONN_MAX_AGE="0") as server:
        login, health, reconnecting = login_vs_health(server)
    print(f"CONN_MAX_AGE=0: login {login:.2f} ms, health {health:.2f} ms: {reconnecting:.1f}×")

    with _setup.Server() as server:
        start_page = reverse("home:participant_home")
        status, _ = server.get(start_page, cookies[0])
        _setup.require(status == 200, f"the participant start page answered {status}")
        login, health, ratio = login_vs_health(server)
        print(f"Production settings: login {login:.2f} ms, health {health:.2f} ms: {ratio:.1f}×")
        rounds = []
        for number in range(THROUGHPUT_ROUNDS):
            start_rate, start_p99 = _setup.throughput(
                server.port, start_page, connections=CONNECTIONS, seconds=SECONDS, cookies=cookies
            )
            login_rate, login_p99 = _setup.throughput(
                server.port, "/accounts/login/", connections=CONNECTIONS, seconds=SECONDS
            )
            rounds.append((start_rate / login_rate, start_rate, start_p99, login_rate, login_p99))
            print(f"Round {number + 1}: {start_rate:.0f}/s ÷ {login_rate:.0f}/s", flush=True)
        rounds.sort()
        throughput_ratio, start_rate, start_p99, login_rate, login_p99 = rounds[len(rounds) // 2]
    cores = os.cpu_count()
    print(
        f"{CONNECTIONS} connections, {SECONDS:g} s each, {cores} cores, the median of "
        f"{THROUGHPUT_ROUNDS} rounds ({', '.join(f'{r[0]:.2f}' for r in rounds)}): "
        f"participant start page "
        f"{start_rate:.0f}/s (p99 {start_p99:.0f} ms), login page {login_rate:.0f}/s "
        f"(p99 {login_p99:.0f} ms); load average {_setup.load_average()}"
    )
    figure(
        "login page ÷ bare health view, production settings (CONN_MAX_AGE=0)",
        f"{reconnecting:.1f}×",
    )
    figure(
        "login page ÷ bare health view, production settings",
        f"{ratio:.1f}× ({login:.2f} ms ÷ {health:.2f} ms)",
        f"≤ {LATENCY_GOAL}×",
        ratio <= LATENCY_GOAL,
    )
    figure(
        f"participant start page ÷ login page throughput, {CONNECTIONS} connections "
        f"(median of {THROUGHPUT_ROUNDS} rounds)",
        f"{throughput_ratio:.2f} ({start_rate:.0f}/s ÷ {login_rate:.0f}/s; p99 {start_p99:.0f} ms)",
        f"≥ {THROUGHPUT_GOAL}",
        throughput_ratio >= THROUGHPUT_GOAL,
    )


if __name__ == "__main__":
    main()
