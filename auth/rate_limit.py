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

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, exists, func, literal
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.auth import Throttle
from models.database import Database, upsert_insert

# Each event is 13 digits of epoch milliseconds (enough until the year 2286).
WIDTH = 13


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window: int  # seconds


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _full(limit: Limit, now: datetime) -> ColumnElement[bool]:
    """SQL: the key's window already holds `limit` events."""
    hits = col(Throttle.hits)
    span = limit.limit * WIDTH
    oldest_counted = func.substr(hits, func.length(hits) - span + 1, WIDTH)
    cutoff = _millis(now) - limit.window * 1000
    return and_(
        func.length(hits) >= span,
        cast(oldest_counted, BigInteger) > cutoff,
    )


async def admit(session: AsyncSession, limit: Limit, *, now: datetime) -> bool:
    """Record one event, in the caller's transaction, if the window has room for it."""
    entry = f"{_millis(now):0{WIDTH}d}"
    expires_at = now + timedelta(seconds=limit.window)
    full = _full(limit, now)
    hits = col(Throttle.hits)
    appended = hits + literal(entry)
    span = limit.limit * WIDTH
    # Only the last `limit` events can ever decide; older ones are dropped.
    kept = case(
        (func.length(appended) > span, func.substr(appended, func.length(appended) - span + 1)),
        else_=appended,
    )
    stmt = upsert_insert(session, Throttle).values(
        key=limit.key, hits=entry, refused=0, expires_at=expires_at
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "hits": case((full, hits), else_=kept),
            "refused": case((full, col(Throttle.refused) + 1), else_=0),
            "expires_at": case((full, col(Throttle.expires_at)), else_=expires_at),
        },
    ).returning(col(Throttle.refused))
    return int((await session.execute(stmt)).scalar_one()) == 0


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


def is_full(limit: Limit, *, now: datetime) -> ColumnElement[bool]:
    """SQL, for a statement's WHERE: the window of `limit.key` is full."""
    return exists().where(col(Throttle.key) == limit.key, _full(limit, now))
