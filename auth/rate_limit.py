"""Fixed-window counters kept in the database, so every API process shares them.

One upsert per hit: `INSERT .. ON CONFLICT DO UPDATE SET count = count + 1
RETURNING count` is atomic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.auth import RateLimitCounter
from models.database import Database, upsert_insert


def _window(now: datetime, seconds: int) -> int:
    return int(now.timestamp()) // seconds * seconds


async def hit(session: AsyncSession, *, key: str, window: int, now: datetime) -> int:
    """Count one event in the current window and return the new count."""
    start = _window(now, window)
    values = {
        "key": key,
        "window_start": start,
        "count": 1,
        "expires_at": datetime.fromtimestamp(start + window, UTC),
    }
    stmt = upsert_insert(session, RateLimitCounter).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key", "window_start"],
        set_={"count": col(RateLimitCounter.count) + 1},
    ).returning(col(RateLimitCounter.count))
    return int((await session.execute(stmt)).scalar_one())


async def allow(db: Database, *, key: str, limit: int, window: int, now: datetime) -> bool:
    """Count an attempt in its own transaction; False once the window's limit is passed."""
    async with db.transaction() as session:
        return await hit(session, key=key, window=window, now=now) <= limit


@dataclass(frozen=True)
class Limit:
    key: str
    limit: int
    window: int


async def first_exceeded(db: Database, limits: Sequence[Limit], *, now: datetime) -> Limit | None:
    """Count an attempt against each limit in turn, in one transaction; the first
    limit passed, or None. Limits after a passed one are not counted, exactly as
    separate `allow` calls that stop at the first refusal."""
    async with db.transaction() as session:
        for limit in limits:
            if await hit(session, key=limit.key, window=limit.window, now=now) > limit.limit:
                return limit
    return None


async def current(db: Database, *, key: str, window: int, now: datetime) -> int:
    async with db.read() as session:
        count = await session.scalar(
            select(col(RateLimitCounter.count)).where(
                col(RateLimitCounter.key) == key,
                col(RateLimitCounter.window_start) == _window(now, window),
            )
        )
    return int(count or 0)
