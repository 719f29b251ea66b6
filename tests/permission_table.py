"""What each persona gets from each named URL. ``tests/test_permissions.py`` walks every named
URL against this table; a URL missing from it fails that test.

Each app keeps its rows in ``tests/<app>/permissions.py`` as ``ROWS = {name: Expect(...)}``.
"""

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

PERSONAS = (
    "anonymous",
    "participant",
    "other_participant",
    "faculty",
    "clinical_leader",
    "administrator",
)


@dataclass(frozen=True)
class Expect:
    """``get`` maps persona → status for a GET; ``post`` the same for a POST of ``data``.
    ``kwargs`` builds the URL's arguments from the test's world (see ``World``)."""

    get: dict[str, int] | None = None
    post: dict[str, int] | None = None
    kwargs: Callable[["World"], dict] = field(default=lambda world: {})
    data: Callable[["World"], dict] = field(default=lambda world: {})


def statuses(default: int, **overrides: int) -> dict[str, int]:
    """A full persona → status map: ``default`` for everyone but ``overrides``."""
    table = dict.fromkeys(PERSONAS, default)
    table.update(overrides)
    return table


def logged_in(status: int, **overrides: int) -> dict[str, int]:
    """Anonymous visitors are sent to log in (302); everyone else gets ``status``."""
    return statuses(status, anonymous=302, **overrides)


class World:
    """The objects a URL's arguments are built from: the persona fixtures, the two cohorts,
    and whatever an app's rows create on demand and cache here."""

    def __init__(self, cohort, other_cohort, personas):
        self.cohort = cohort
        self.other_cohort = other_cohort
        self.personas = personas
        self.cache: dict = {}

    def once(self, key: str, make: Callable[[], object]):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]


APPS_WITH_TABLES = (
    "leadership",
    "cohorts",
    "modules",
    "redesign_projects",
    "pairings",
    "measures",
    "blueprints",
    "reports",
    "home",
    "governance",
    "api",
)


@functools.cache
def full_table() -> dict:
    """Every app's rows in one table (a URL listed twice fails). The apps' tables import this
    module, so they are read when first asked for, not when it is imported."""
    table: dict = {}
    for app in APPS_WITH_TABLES:
        rows = importlib.import_module(f"tests.{app}.permissions").ROWS
        overlap = table.keys() & rows.keys()
        assert not overlap, f"URL names listed twice: {overlap}"
        table.update(rows)
    return table
