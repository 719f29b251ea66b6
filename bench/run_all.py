"""Run every bench script and print one table of their headline figures with their goals.

Each script in ``bench/`` (not this one, nor helpers starting with ``_``) runs in its own
process, one after the other so they do not compete for the CPU, with its output shown as it
comes. The ``BENCH-RESULT`` lines the scripts print through ``bench/_results.py`` are gathered
into the table at the end. A script that fails is a row in the table too, and makes the exit
status non-zero; a goal not met does not (the table says so).

    .venv/bin/python bench/run_all.py                 # every script (what `make bench` runs)
    .venv/bin/python bench/run_all.py measure_chart   # only the scripts named

Each script has its own database, ``<BENCH_DB_PREFIX>_<script>``, and the ones that run Celery
workers use ``BENCH_REDIS_URL``; set both to run beside another bench or test run on the same
machine (``bench/_setup.py``). A figure is printed only from a complete run: a script whose
run is incomplete exits non-zero and is a failed row here.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _results import parse  # noqa: E402  (after the path is set)

MARKS = {True: "✓", False: "✗", None: "—"}
COLUMNS = ("script", "figure", "value", "goal", "met")


def scripts(names: list[str]) -> list[Path]:
    found = sorted(
        path
        for path in HERE.glob("*.py")
        if not path.name.startswith("_") and path.name != Path(__file__).name
    )
    if not names:
        return found
    wanted = {name.removesuffix(".py") for name in names}
    unknown = wanted - {path.stem for path in found}
    if unknown:
        sys.exit(f"No such bench script: {', '.join(sorted(unknown))}")
    return [path for path in found if path.stem in wanted]


def run(script: Path) -> tuple[list[dict], int, float]:
    """Run one script, echoing its output as it comes; its figures, exit status and time."""
    started = time.perf_counter()
    figures = []
    process = subprocess.Popen(
        [sys.executable, "-u", str(script)],
        cwd=HERE.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        figure = parse(line)
        if figure is None:
            print(f"   {line}", end="", flush=True)
        else:
            figures.append(figure)
    return figures, process.wait(), time.perf_counter() - started


def table(rows: list[tuple[str, ...]]) -> str:
    """A Markdown table padded to line up in a terminal too."""
    widths = [max(len(row[i]) for row in (COLUMNS, *rows)) for i in range(len(COLUMNS))]

    def line(cells) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(COLUMNS), line("-" * w for w in widths), *(line(row) for row in rows)])


def main() -> int:
    rows: list[tuple[str, ...]] = []
    failed = []
    for script in scripts(sys.argv[1:]):
        print(f"== {script.relative_to(HERE.parent)}", flush=True)
        figures, status, seconds = run(script)
        print(f"   ({seconds:.0f} s)", flush=True)
        for figure in figures:
            rows.append(
                (
                    script.stem,
                    figure["figure"],
                    figure["value"],
                    figure["goal"] or "—",
                    MARKS[figure["met"]],
                )
            )
        if status != 0:
            failed.append(script.stem)
            rows.append((script.stem, "the script itself", f"failed (exit {status})", "runs", "✗"))
        elif not figures:
            rows.append((script.stem, "(no figures reported)", "—", "—", "—"))
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    print(f"\nFigures (load average at the end: {load}; other work on the machine slows them)\n")
    print(table(rows))
    met = [row for row in rows if row[4] == "✓"]
    missed = [row for row in rows if row[4] == "✗"]
    without = len(rows) - len(met) - len(missed)
    print(f"\n{len(met)} goals met, {len(missed)} not met, {without} without a goal.")
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
