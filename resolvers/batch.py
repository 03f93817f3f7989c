"""Building blocks for dataloader batch functions: one `IN (...)` query per batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select

from models.database import Database

M = TypeVar("M")
K = TypeVar("K", bound=Hashable)


async def rows_by_key(
    db: Database, model: type[M], column: Any, keys: Sequence[K]
) -> list[M | None]:
    """One row per key (e.g. by primary key), None where missing, in key order."""
    async with db.read() as session:
        rows = (await session.scalars(select(model).where(column.in_(set(keys))))).all()
    found = {getattr(row, column.key): row for row in rows}
    return [found.get(key) for key in keys]


async def groups_by_key(
    db: Database, model: type[M], column: Any, keys: Sequence[K], *order_by: Any
) -> list[list[M]]:
    """All rows per key (e.g. the lines of each order), ordered, in key order."""
    async with db.read() as session:
        stmt = select(model).where(column.in_(set(keys)))
        if order_by:
            stmt = stmt.order_by(*order_by)
        rows = (await session.scalars(stmt)).all()
    grouped: dict[Any, list[M]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, column.key)].append(row)
    return [grouped.get(key, []) for key in keys]
