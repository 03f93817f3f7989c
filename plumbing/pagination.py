"""Keyset pagination on indexed columns (never OFFSET), both directions.

A cursor is the sort key of a row, encoded opaquely; `after`/`before` turn it
into a row-value comparison the index can seek to.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import orjson
from sqlalchemy import BigInteger, Select, TypeDecorator, and_, or_, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

T = TypeVar("T")

DEFAULT_PAGE = 20
MAX_PAGE = 100


class InvalidCursor(ValueError):
    """A cursor that this API did not issue."""


def encode_cursor(values: Sequence[Any]) -> str:
    tagged = [
        ["d", v.isoformat()] if isinstance(v, datetime) else ["i" if isinstance(v, int) else "s", v]
        for v in values
    ]
    return base64.urlsafe_b64encode(orjson.dumps(tagged)).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Sequence[SortKey]) -> list[Any]:
    """The sort-key values in `cursor`, each checked against its column.

    A cursor comes from the client, so a value of the wrong type, a naive date
    or an integer the column cannot hold is refused here rather than failing
    in the database.
    """
    try:
        raw = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise InvalidCursor("invalid cursor")
        return [_value(tag, value, key) for (tag, value), key in zip(raw, keys, strict=True)]
    except (binascii.Error, ValueError, TypeError, OverflowError, orjson.JSONDecodeError):
        raise InvalidCursor("invalid cursor") from None


def _value(tag: str, value: Any, key: SortKey) -> Any:
    column_type = key.column.type
    if isinstance(column_type, TypeDecorator):
        column_type = column_type.impl_instance
    expected = column_type.python_type
    if tag == "d" and expected is datetime and isinstance(value, str):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is not None:
            # In UTC now: a date at the edge of the calendar overflows here, not
            # when the database driver converts it.
            return parsed.astimezone(UTC)
    elif tag == "i" and expected is int and type(value) is int:
        bits = 63 if isinstance(column_type, BigInteger) else 31
        if -(2**bits) <= value < 2**bits:
            return value
    elif tag == "s" and expected is str and isinstance(value, str) and "\x00" not in value:
        # (PostgreSQL refuses NUL in text, so no row could sort there anyway.)
        return value
    raise InvalidCursor("invalid cursor")


@dataclass(frozen=True)
class SortKey:
    column: Any
    descending: bool = False


@dataclass
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def page_size(first: int | None, last: int | None) -> tuple[int, bool]:
    """(size, backwards); a size outside 0..MAX_PAGE is refused, naming the bound.

    Capping silently would hand a client asking for 1,000 rows a tenth of them
    and a `hasNextPage` it may never look at.
    """
    if first is not None and last is not None:
        raise InvalidCursor("give either first or last, not both")
    for name, value in (("first", first), ("last", last)):
        if value is not None and value < 0:
            raise InvalidCursor(f"{name} must not be negative")
        if value is not None and value > MAX_PAGE:
            raise InvalidCursor(f"{name} must be at most {MAX_PAGE}")
    if last is not None:
        return last, True
    return (first if first is not None else DEFAULT_PAGE), False


def _seek(keys: Sequence[SortKey], values: Sequence[Any], forward: bool) -> ColumnElement[bool]:
    """Rows strictly after `values` in the (possibly reversed) sort order.

    When every key sorts the same way this is one row-value comparison,
    `(placed_at, id) < (:p, :i)`, which PostgreSQL and SQLite turn into an
    index seek; the equivalent OR chain makes PostgreSQL's generic plan scan
    and filter everything before the page.
    """
    if len({key.descending for key in keys}) == 1:
        later = keys[0].descending != forward  # descending+forward means "smaller"
        row = tuple_(*(key.column for key in keys))
        return row > tuple(values) if later else row < tuple(values)
    clauses = []
    for i, key in enumerate(keys):
        equal = [k.column == v for k, v in zip(keys[:i], values[:i], strict=True)]
        later = key.descending != forward
        step = key.column > values[i] if later else key.column < values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    keys: Sequence[SortKey],
    row_key: Callable[[Any], Sequence[Any]],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Page[Any]:
    """One page of `stmt` (a `models.base.select_rows` query) in the order of `keys`."""
    size, backwards = page_size(first, last)
    cursor = before if backwards else after
    if cursor is not None:
        stmt = stmt.where(_seek(keys, decode_cursor(cursor, keys), forward=not backwards))
    if backwards:
        order = [k.column.asc() if k.descending else k.column.desc() for k in keys]
    else:
        order = [k.column.desc() if k.descending else k.column.asc() for k in keys]
    # Core rows: a page is only displayed (see `models.base.select_rows`).
    rows = list((await session.execute(stmt.order_by(*order).limit(size + 1))).all())
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    cursors = [encode_cursor(row_key(row)) for row in rows]
    return Page(
        items=rows,
        cursors=cursors,
        has_next_page=more if not backwards else before is not None,
        has_previous_page=more if backwards else after is not None,
    )
