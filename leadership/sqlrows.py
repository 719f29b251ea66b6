"""Model rows read by hand-written SQL, as the ORM would have made them.

Where building a query through the ORM costs more than running it (a page's one object with
its related rows, read on every request), a view's selector may write the statement once and
read each model's columns with ``ModelColumns``: the select list for one table, and ``load``,
which turns that table's slice of a result row into a model instance through the same
converters the ORM applies (JSON, dates on SQLite, …) and ``Model.from_db``, so the instance
behaves as a ``select_related`` one (deferred loading, ``refresh_from_db``, saving)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Generic, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class ModelColumns(Generic[M]):
    """Every concrete column of ``model``'s table under ``alias`` in a statement."""

    model: type[M]
    alias: str

    @cached_property
    def _fields(self) -> list:
        return list(self.model._meta.concrete_fields)

    @cached_property
    def sql(self) -> str:
        """The select list, in the model's field order (what ``load`` reads)."""
        return ", ".join(f'{self.alias}."{field.column}"' for field in self._fields)

    @property
    def width(self) -> int:
        return len(self._fields)

    @cached_property
    def _attnames(self) -> tuple[str, ...]:
        return tuple(field.attname for field in self._fields)

    @cached_property
    def _converters(self) -> list[tuple[int, object, list[Callable]]]:
        """(position, column, converters) for each field whose value the database backend or
        the field converts, as the ORM's compiler finds them (``get_converters``)."""
        found = []
        for position, field in enumerate(self._fields):
            column = field.get_col(self.model._meta.db_table)
            converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if converters:
                found.append((position, column, converters))
        return found

    def load(self, row: Sequence, start: int = 0) -> M:
        """The instance made from ``row[start:start + width]``."""
        values = list(row[start : start + self.width])
        for position, column, converters in self._converters:
            for converter in converters:
                values[position] = converter(values[position], column, connection)
        return self.model.from_db(connection.alias, self._attnames, values)


def holds_an_id(number: int) -> bool:
    """Whether ``number`` fits a primary key (PostgreSQL's bigint). A larger one in a URL names
    no row, as the ORM answers it; as a parameter of a hand-written statement it would fail."""
    return -(2**63) <= number <= 2**63 - 1
