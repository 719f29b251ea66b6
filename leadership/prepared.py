"""Hand-written statements that PostgreSQL plans once per database connection.

A small statement read on every request of a busy page (a session with the viewer's access,
a register's people) can cost PostgreSQL more to plan than to run (0.3–0.6 ms against
0.1–0.3 ms, issue 21). ``Prepared`` sends ``PREPARE`` once per connection, in the same round
trip as the first ``EXECUTE``, so it stays one query; after five executions PostgreSQL keeps
its generic plan. Connections live across requests (CONN_MAX_AGE). A prepared statement
outlives a rolled-back transaction; a new name for each ``PREPARE``, so one that failed after
preparing cannot collide with the next attempt. Values are only ever parameters. On another
database (SQLite, the quick start) the statement is simply executed. (A pooler in transaction
mode, which moves sessions between clients, would need these to be plain queries again.)
``home.participant_todo`` declares its parameters' types."""

import itertools
import re
import weakref
from collections.abc import Mapping, Sequence

_NAMED = re.compile(r"%\((\w+)\)s")
_names = itertools.count(1)


class Prepared:
    """``sql`` with either named (``%(name)s``) or positional (``%s``) parameters, whose types
    PostgreSQL infers from where they stand."""

    def __init__(self, label: str, sql: str, types: Mapping[str, str] | None = None):
        # ``types``: each named parameter's SQL type, where PostgreSQL could not tell it from
        # where it stands (or should not guess).
        self.label = label
        self.sql = sql
        self.types = types
        self._order: list[str] = []
        if _NAMED.search(sql):
            self._text = _NAMED.sub(self._number, sql)
        else:
            numbers = itertools.count(1)
            self._text = re.sub(r"%s", lambda _match: f"${next(numbers)}", sql)
        self._by_connection: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()

    def _number(self, match: re.Match) -> str:
        name = match.group(1)
        if name not in self._order:
            self._order.append(name)
        return f"${self._order.index(name) + 1}"

    def execute(self, cursor, params: Mapping | Sequence) -> None:
        """Run the statement on ``cursor`` (a Django cursor) with ``params``."""
        if cursor.db.vendor != "postgresql":
            cursor.execute(self.sql, params)
            return
        args = (
            [params[name] for name in self._order]  # type: ignore[call-overload]
            if self._order
            else list(params)
        )
        placeholders = ", ".join(["%s"] * len(args))
        cursor.db.ensure_connection()
        raw = cursor.db.connection
        name = self._by_connection.get(raw)
        if name is None:
            name = f"{self.label}_{next(_names)}"
            declared = f" ({', '.join(self.types[n] for n in self._order)})" if self.types else ""
            cursor.execute(
                f"PREPARE {name}{declared} AS {self._text}; EXECUTE {name} ({placeholders})", args
            )
            self._by_connection[raw] = name
        else:
            cursor.execute(f"EXECUTE {name} ({placeholders})", args)
