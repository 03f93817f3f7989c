"""`Idempotency-Key` support for side-effecting mutations.

Usage inside the mutation's transaction:

    async with rt.db.transaction() as session:
        if (seen := await idempotency.replay(session, customer_id=..., operation="buyAgain",
                                              key=key)) is not None:
            return <rebuild the result from `seen`>
        ... do the work ...
        await idempotency.remember(session, customer_id=..., operation="buyAgain", key=key,
                                   result={"cart_id": cart.id}, now=rt.clock.now())

The stored row commits with the work or not at all. Two concurrent calls with
one key: the second insert violates the unique constraint and its whole
transaction rolls back; `run` then replays the winner's result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from models.events import IdempotencyKey
from services.errors import ServiceError
from services.runtime import Runtime

T = TypeVar("T")


async def replay(
    session: AsyncSession, *, customer_id: int, operation: str, key: str | None
) -> dict[str, Any] | None:
    if not key:
        return None
    return await session.scalar(
        select(col(IdempotencyKey.result)).where(
            col(IdempotencyKey.customer_id) == customer_id,
            col(IdempotencyKey.operation) == operation,
            col(IdempotencyKey.key) == key,
        )
    )


async def remember(
    session: AsyncSession,
    *,
    customer_id: int,
    operation: str,
    key: str | None,
    result: dict[str, Any],
    now: datetime,
) -> None:
    if not key:
        return
    session.add(
        IdempotencyKey(
            customer_id=customer_id, operation=operation, key=key, result=result, created_at=now
        )
    )
    await session.flush()


async def run(
    rt: Runtime,
    *,
    customer_id: int,
    operation: str,
    key: str | None,
    work: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run `work` in one transaction, once per key; replays return the first result.

    `work` returns a JSON-able dict describing what it produced (ids, not objects).
    """
    try:
        async with rt.db.transaction() as session:
            seen = await replay(session, customer_id=customer_id, operation=operation, key=key)
            if seen is not None:
                return seen
            result = await work(session)
            await remember(
                session,
                customer_id=customer_id,
                operation=operation,
                key=key,
                result=result,
                now=rt.clock.now(),
            )
            return result
    except (IntegrityError, ServiceError):
        # A concurrent call with the same key may have won: either our key row
        # hit the unique constraint, or the winner's committed change made our
        # work refuse (e.g. the order is already cancelled). Either way the
        # winner's result is the answer, if there is one.
        if not key:
            raise
        async with rt.db.read() as session:
            seen = await replay(session, customer_id=customer_id, operation=operation, key=key)
        if seen is None:
            raise
        return seen
