"""One line per measured figure, so ``make bench`` can gather every script's figures into one
table. A script prints its own readable output as it likes and, for each headline figure, calls
``figure(...)``, which prints a line starting with ``BENCH-RESULT`` followed by JSON."""

import json

PREFIX = "BENCH-RESULT "


def figure(name: str, value: str, goal: str = "", met: bool | None = None) -> None:
    """``value`` and ``goal`` are display strings with their units ("4.5 s", "< 10 s");
    ``met`` is None when the figure has no goal."""
    print(
        PREFIX + json.dumps({"figure": name, "value": value, "goal": goal, "met": met}), flush=True
    )


def parse(line: str) -> dict | None:
    """The figure a line carries, or None for any other output."""
    if not line.startswith(PREFIX):
        return None
    return json.loads(line[len(PREFIX) :])
