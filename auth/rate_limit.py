"""Sliding-window throttles kept in the database, so every API process shares them.

"3 codes per 10 minutes" holds for every 10 minutes, not per clock-aligned
window (fixed windows let 3 codes out at 9:59 and 3 more at 10:00). Each key's
row keeps the times of its last `limit` admitted events; an event is admitted
when fewer than `limit` of them fall in the window ending now, that is when the
`limit`-th most recent is older than the window. Refused events are not kept:
they do not lengthen the wait.

One upsert per event, `INSERT .. ON CONFLICT DO UPDATE .. RETURNING`, decides
and records at once, on SQLite and PostgreSQL alike: PostgreSQL locks the row
and evaluates the update against its latest version, SQLite runs one writer at
a time, so parallel requests can never both take the last place.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from models.auth import Throttle
from models.base import UTCDateTime
from models.database import Database

# Each event is 13 digits of epoch milliseconds (enough until the year 2286).
WIDTH = 13
# The table, not the mapped class: these statements run as plain Core, without
# the ORM's per-statement bookkeeping (measurably cheaper on the login path).
_THROTTLE = Throttle.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window: int  # seconds


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _full(prefix: str) -> ColumnElement[bool]:
    """SQL: the window already holds `limit` events. Parameters `<prefix>span`
    (limit x WIDTH characters) and `<prefix>cutoff` (the window's start, in ms)."""
    hits = _THROTTLE.c.hits
    span = bindparam(f"{prefix}span", type_=Integer)
    oldest_counted = func.substr(hits, func.length(hits) - span + 1, WIDTH)
    return and_(
        func.length(hits) >= span,
        cast(oldest_counted, BigInteger) > bindparam(f"{prefix}cutoff", type_=BigInteger),
    )


def _full_params(limit: Limit, now: datetime, prefix: str) -> dict[str, object]:
    return {
        f"{prefix}span": limit.limit * WIDTH,
        f"{prefix}cutoff": _millis(now) - limit.window * 1000,
    }


@functools.cache
def _admit_statement(dialect: str) -> Any:
    # Built once per dialect, run with parameters: building the expression
    # costs more CPU than the database spends running it.
    hits = _THROTTLE.c.hits
    entry = bindparam("p_entry", type_=Text)
    span = bindparam("p_span", type_=Integer)
    expires_at = bindparam("p_expires_at", type_=UTCDateTime())
    full = _full("p_")
    appended = hits + entry
    # Only the last `limit` events can ever decide; older ones are dropped.
    kept = case(
        (func.length(appended) > span, func.substr(appended, func.length(appended) - span + 1)),
        else_=appended,
    )
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(_THROTTLE)
    return (
        insert.values(key=bindparam("p_key"), hits=entry, refused=0, expires_at=expires_at)
        .on_conflict_do_update(
            index_elements=["key"],
            set_={
                "hits": case((full, hits), else_=kept),
                "refused": case((full, _THROTTLE.c.refused + 1), else_=0),
                "expires_at": case((full, _THROTTLE.c.expires_at), else_=expires_at),
            },
        )
        .returning(_THROTTLE.c.refused)
    )


async def admit(session: AsyncSession, limit: Limit, *, now: datetime) -> bool:
    """Record one event, in the caller's transaction, if the window has room for it."""
    params = {
        "p_key": limit.key,
        "p_entry": f"{_millis(now):0{WIDTH}d}",
        "p_expires_at": now + timedelta(seconds=limit.window),
        **_full_params(limit, now, "p_"),
    }
    conn = await session.connection()
    stmt = _admit_statement(conn.dialect.name)
    return int((await conn.execute(stmt, params)).scalar_one()) == 0


async def first_refused(
    session: AsyncSession, limits: Sequence[Limit], *, now: datetime
) -> Limit | None:
    """Record an event against each limit in turn, in the caller's transaction;
    the first limit that refuses it, or None. Later limits are not touched."""
    for limit in limits:
        if not await admit(session, limit, now=now):
            return limit
    return None


async def allow(db: Database, limit: Limit, *, now: datetime) -> bool:
    """`admit` in a transaction of its own."""
    async with db.transaction() as session:
        return await admit(session, limit, now=now)


def is_full(prefix: str) -> ColumnElement[bool]:
    """SQL, for a statement's WHERE: the window of the key bound as `<prefix>key`
    is full; `full_params` gives the values."""
    return exists().where(_THROTTLE.c.key == bindparam(f"{prefix}key"), _full(prefix))


def full_params(limit: Limit, *, now: datetime, prefix: str) -> dict[str, object]:
    """The parameters of `is_full(prefix)` for `limit` at `now`."""
    return {f"{prefix}key": limit.key, **_full_params(limit, now, prefix)}
