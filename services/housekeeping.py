"""Deleting rows that have outlived their use: `python -m app purge`, run from cron.

Expired login codes, magic links, sessions and throttles can never be
used again; idempotency keys are kept for `IDEMPOTENCY_KEY_TTL` so a client's
retries replay, then go. Deletes run in batches, each its own short
transaction: on SQLite a long delete would hold the one write lock that logins
need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlmodel import col

from models.auth import CustomerSession, LoginChallenge, MagicLink, Throttle
from models.events import IdempotencyKey
from plumbing.runtime import Runtime

BATCH_SIZE = 1_000


@dataclass(frozen=True)
class Expiry:
    """Rows of `table` whose `column` is older than now, less the setting named
    `kept_for` (seconds) when there is one, are deleted."""

    name: str
    table: Any
    column: Any
    kept_for: str | None = None


EXPIRIES = (
    Expiry("login codes", LoginChallenge, LoginChallenge.expires_at),
    Expiry("magic links", MagicLink, MagicLink.expires_at),
    Expiry("sessions", CustomerSession, CustomerSession.expires_at),
    Expiry("rate-limit windows", Throttle, Throttle.expires_at),
    Expiry("idempotency keys", IdempotencyKey, IdempotencyKey.created_at, "idempotency_key_ttl"),
)


async def purge(rt: Runtime, *, batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Delete every expired row; returns how many went, by kind."""
    now = rt.clock.now()
    deleted = {}
    for expiry in EXPIRIES:
        kept = getattr(rt.settings, expiry.kept_for) if expiry.kept_for else 0
        before = now - timedelta(seconds=kept)
        deleted[expiry.name] = await _purge_one(rt, expiry, before=before, batch_size=batch_size)
    return deleted


async def _purge_one(rt: Runtime, expiry: Expiry, *, before: datetime, batch_size: int) -> int:
    # DELETE .. LIMIT is not portable; a bounded sub-select of primary keys is.
    # (A table with a two-column key would need the row value.)
    columns = list(expiry.table.__table__.primary_key.columns)
    key = tuple_(*columns) if len(columns) > 1 else columns[0]
    doomed = select(*columns).where(col(expiry.column) < before).limit(batch_size)
    total = 0
    while True:
        async with rt.db.transaction() as session:
            result = await session.execute(
                delete(expiry.table).where(key.in_(doomed)),
                # Nothing is loaded in this session, so nothing to keep in step.
                execution_options={"synchronize_session": False},
            )
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        total += deleted
        if deleted < batch_size:
            return total
