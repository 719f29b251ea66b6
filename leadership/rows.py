"""Model instances from the columns of a plain SQL statement.

A page that reads one object with its access through plain SQL (the ORM spent more Python time
building such a query than the database spent running it) still hands templates and services a
model instance: ``ModelColumns`` names every concrete column of a model for the statement and
builds the instance from them, through each field's database converters (JSON, and on SQLite
dates and times), as the ORM would."""

from collections.abc import Sequence
from typing import Generic, TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


class ModelColumns(Generic[M]):
    """Every concrete column of ``model``, in field order."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]
        # Per database vendor: (position, converters, expression) of the fields that have any.
        self._converters: dict[str, list] = {}

    def __len__(self) -> int:
        return len(self.fields)

    def sql(self, table: str) -> str:
        """The columns, qualified by ``table`` (a name or alias of ours, quoted here)."""
        return ", ".join(f'"{table}"."{field.column}"' for field in self.fields)

    def build(self, values: Sequence) -> M:
        """The instance whose columns are ``values`` (in ``sql``'s order)."""
        values = list(values)
        for n, converters, expression in self._converters_for_connection():
            for convert in converters:
                values[n] = convert(values[n], expression, connection)
        return self.model.from_db(connection.alias, self.attnames, values)

    def _converters_for_connection(self) -> list:
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for n, field in enumerate(self.fields):
                expression = field.get_col(self.model._meta.db_table)
                # ``Field.get_db_converters`` is Django's (its stubs leave it out).
                own = field.get_db_converters(connection)  # type: ignore[attr-defined]
                converters = connection.ops.get_db_converters(expression) + own
                if converters:
                    found.append((n, converters, expression))
            self._converters[connection.vendor] = found
        return found
