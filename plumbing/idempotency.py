"""`Idempotency-Key` support for side-effecting mutations.

Usage: `run` opens the mutation's one transaction, replays a key seen before,
or runs `work` and stores its result with the key:

    result = await idempotency.run(rt, actor=actor, operation="buyAgain", key=key,
                                   request={"order_id": order_id}, work=work)

Keys are scoped to their actor (a customer, an API key, the system), so two
callers can never read each other's results.

`request` is what the call asked for (ids and values, JSON-able). A key sent
again with a different request is refused rather than answered with the first
call's result, as payment APIs do: the client has a bug, and pretending the
second request succeeded would hide it.

The stored row commits with the work or not at all. Two concurrent calls with
one key: the second insert violates the unique constraint and its whole
transaction rolls back; `run` then replays the winner's result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from models.events import IdempotencyKey
from plumbing.runtime import Runtime

T = TypeVar("T")


def fingerprint(request: Mapping[str, Any]) -> str:
    """A stable digest of what a call asked for."""
    encoded = orjson.dumps(request, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(encoded).hexdigest()


async def replay(
    session: AsyncSession,
    *,
    actor: Actor,
    operation: str,
    key: str | None,
    request: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The first call's result for this key, or None; refuses a key reused for other input."""
    if not key:
        return None
    row = (
        await session.execute(
            select(col(IdempotencyKey.result), col(IdempotencyKey.request_hash)).where(
                col(IdempotencyKey.actor) == actor.key,
                col(IdempotencyKey.operation) == operation,
                col(IdempotencyKey.key) == key,
            )
        )
    ).first()
    if row is None:
        return None
    result, request_hash = row
    if request_hash is not None and request_hash != fingerprint(request):
        raise ServiceError(
            ErrorCode.INVALID, _("This Idempotency-Key was already used for a different request.")
        )
    return dict(result)


async def remember(
    session: AsyncSession,
    *,
    actor: Actor,
    operation: str,
    key: str | None,
    request: Mapping[str, Any],
    result: dict[str, Any],
    now: datetime,
) -> None:
    if not key:
        return
    session.add(
        IdempotencyKey(
            actor=actor.key,
            operation=operation,
            key=key,
            request_hash=fingerprint(request),
            result=result,
            created_at=now,
        )
    )
    await session.flush()


async def run(
    rt: Runtime,
    *,
    actor: Actor,
    operation: str,
    key: str | None,
    request: Mapping[str, Any],
    work: Callable[[AsyncSession], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """Run `work` in one transaction, once per key; replays return the first result.

    `work` returns a JSON-able dict describing what it produced (ids, not objects).
    """
    try:
        async with rt.db.transaction() as session:
            seen = await replay(session, actor=actor, operation=operation, key=key, request=request)
            if seen is not None:
                return seen
            result = await work(session)
            await remember(
                session,
                actor=actor,
                operation=operation,
                key=key,
                request=request,
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
            seen = await replay(session, actor=actor, operation=operation, key=key, request=request)
        if seen is None:
            raise
        return seen
