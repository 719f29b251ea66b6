"""Pages of a long list read newest first from a position, not counted from the top.

A list such as the audit trail or the e-mail log is ordered by ``(time, id)``, newest first,
and an index ends in those two columns. A page is the ``size`` rows just older (or newer) than
the row a link names, so reading page 1,000 costs what reading page 1 does; an OFFSET would
read and sort the 50,000 rows before it, and a "page N of M" would count the whole list on
every view. The links are "Newer", "Older" and "Newest"; there is no total.

A position in a URL is ``<microseconds since 1970 UTC>.<id>``; anything else is ignored (the
newest page), since the URL is typed by whoever sends it.
"""

import datetime
import re
from dataclasses import dataclass
from typing import Literal

from django.db.models import Q, QuerySet

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
MICROSECOND = datetime.timedelta(microseconds=1)
_POSITION = re.compile(r"^(-?\d{1,17})\.(\d{1,19})$")


@dataclass(frozen=True)
class Position:
    """A row's place in the order: its time and id."""

    at: datetime.datetime
    pk: int

    def token(self) -> str:
        return f"{(self.at - EPOCH) // MICROSECOND}.{self.pk}"

    @classmethod
    def parse(cls, text: str | None) -> "Position | None":
        match = _POSITION.match(text or "")
        if match is None:
            return None
        try:
            at = EPOCH + int(match[1]) * MICROSECOND
        except OverflowError:
            return None
        return cls(at=at, pk=int(match[2]))


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just ``older`` or just ``newer`` than ``position``, or the newest
    page when ``position`` is None."""

    direction: Literal["older", "newer"] = "older"
    position: Position | None = None

    @classmethod
    def from_query(cls, params) -> "Cursor":
        """The cursor a request's ``?older=`` or ``?newer=`` names (the newest page if none
        or if it does not parse)."""
        if (position := Position.parse(params.get("older"))) is not None:
            return cls("older", position)
        if (position := Position.parse(params.get("newer"))) is not None:
            return cls("newer", position)
        return cls()

    def slice(self, rows: QuerySet, *, time: str, size: int) -> QuerySet:
        """``rows`` narrowed to this page (plus one row, to tell whether there is another),
        ordered in the direction of reading: an index range on ``(time, id)``.

        "Older than (t, id)" is written ``time <= t AND (time < t OR id < id)``: the first
        half bounds the index scan, where ``time < t OR (time = t AND …)`` alone would make
        PostgreSQL read every row from the newest down to the page and filter them."""
        if self.position is None:
            return rows.order_by(f"-{time}", "-pk")[: size + 1]
        at, pk = self.position.at, self.position.pk
        if self.direction == "newer":
            after = Q(**{f"{time}__gte": at}) & (Q(**{f"{time}__gt": at}) | Q(pk__gt=pk))
            return rows.filter(after).order_by(time, "pk")[: size + 1]
        before = Q(**{f"{time}__lte": at}) & (Q(**{f"{time}__lt": at}) | Q(pk__lt=pk))
        return rows.filter(before).order_by(f"-{time}", "-pk")[: size + 1]


@dataclass(frozen=True)
class KeysetPage:
    """One page, newest first, with the tokens for its "Newer" and "Older" links (None when
    there is nothing that way)."""

    rows: list
    newer: str | None
    older: str | None
    is_newest: bool

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def from_rows(cls, rows: list, cursor: Cursor, *, time: str, size: int) -> "KeysetPage":
        """The page from what ``Cursor.slice`` fetched (``size + 1`` rows at most, in the
        direction of reading). A page reached by "Newer" always has an older one (the page it
        came from), and one reached by "Older" a newer one; an empty page links to neither,
        only to the newest."""
        more = len(rows) > size
        rows = rows[:size]
        if cursor.direction == "newer":
            rows.reverse()
        if not rows:
            return cls(rows=[], newer=None, older=None, is_newest=cursor.position is None)

        def token(row) -> str:
            return Position(getattr(row, time), row.pk).token()

        newer: str | None
        older: str | None
        if cursor.direction == "newer":
            newer, older = (token(rows[0]) if more else None), token(rows[-1])
        else:
            newer = token(rows[0]) if cursor.position is not None else None
            older = token(rows[-1]) if more else None
        return cls(rows=rows, newer=newer, older=older, is_newest=cursor.position is None)
