"""One-time codes: issue, attempt, consume.

A code is stored only as a keyed HMAC bound to its purpose and identifier.
Attempts are counted with one conditional UPDATE, so parallel guesses can
never exceed the limit: once it is reached even the right code is refused
until a new one is requested.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth import rate_limit
from auth.tokens import keyed_hash, matches, new_code
from domain.errors import ErrorCode, ServiceError
from domain.statuses import ChallengePurpose
from models.auth import LoginChallenge
from models.database import upsert_insert
from plumbing.runtime import Runtime

DAY = 86_400


def _code_hash(rt: Runtime, purpose: ChallengePurpose, identifier: str, code: str) -> str:
    return keyed_hash(rt.secret, f"code:{purpose.value}:{identifier}", code)


async def issue(
    rt: Runtime,
    session: AsyncSession,
    *,
    purpose: ChallengePurpose,
    identifier: str,
    customer_id: int | None = None,
    payload: str | None = None,
) -> str:
    """Create or replace the live code for (purpose, identifier); returns the code."""
    code = new_code(rt.settings.login_code_length)
    now = rt.clock.now()
    values = {
        "purpose": purpose,
        "identifier": identifier,
        "customer_id": customer_id,
        "payload": payload,
        "code_hash": _code_hash(rt, purpose, identifier, code),
        "attempts": 0,
        "created_at": now,
        "expires_at": now + timedelta(seconds=rt.settings.login_code_ttl),
        "consumed_at": None,
    }
    stmt = upsert_insert(session, LoginChallenge).values(**values)
    replace = {k: v for k, v in values.items() if k not in ("purpose", "identifier")}
    await session.execute(
        stmt.on_conflict_do_update(index_elements=["purpose", "identifier"], set_=replace)
    )
    return code


async def _record_failure(rt: Runtime, identifier: str) -> None:
    await rate_limit.allow(
        rt.db,
        key=f"verify-fail:{identifier}",
        limit=rt.settings.login_failures_per_day,
        window=DAY,
        now=rt.clock.now(),
    )


async def attempt(
    rt: Runtime, *, purpose: ChallengePurpose, identifier: str, code: str, field: str = "code"
) -> LoginChallenge:
    """Check a code, counting the attempt; raises the customer-facing refusal."""
    now = rt.clock.now()
    failures = await rate_limit.current(rt.db, key=f"verify-fail:{identifier}", window=DAY, now=now)
    if failures >= rt.settings.login_failures_per_day:
        raise ServiceError(
            ErrorCode.RATE_LIMITED, "Too many failed attempts. Try again tomorrow.", [field]
        )

    async with rt.db.read() as session:
        challenge = await session.scalar(
            select(LoginChallenge).where(
                col(LoginChallenge.purpose) == purpose, col(LoginChallenge.identifier) == identifier
            )
        )
    if challenge is None or challenge.consumed_at is not None:
        await _record_failure(rt, identifier)
        raise ServiceError(ErrorCode.CODE_INVALID, "That code is not valid.", [field])
    if challenge.expires_at <= now:
        raise ServiceError(
            ErrorCode.CODE_EXPIRED, "That code has expired. Request a new one.", [field]
        )

    max_attempts = rt.settings.login_max_attempts
    async with rt.db.transaction() as session:
        counted = await session.scalar(
            update(LoginChallenge)
            .where(
                col(LoginChallenge.id) == challenge.id,
                col(LoginChallenge.code_hash) == challenge.code_hash,
                col(LoginChallenge.attempts) < max_attempts,
                col(LoginChallenge.consumed_at).is_(None),
            )
            .values(attempts=col(LoginChallenge.attempts) + 1)
            .returning(col(LoginChallenge.attempts))
        )
    if counted is None:
        # Either the limit is spent, or the code was used or replaced meanwhile.
        async with rt.db.read() as session:
            latest = await session.get(LoginChallenge, challenge.id)
        if (
            latest is not None
            and latest.code_hash == challenge.code_hash
            and latest.consumed_at is None
        ):
            raise ServiceError(
                ErrorCode.TOO_MANY_ATTEMPTS, "Too many wrong codes. Request a new one.", [field]
            )
        raise ServiceError(ErrorCode.CODE_INVALID, "That code is not valid.", [field])
    if not matches(challenge.code_hash, _code_hash(rt, purpose, identifier, code.strip())):
        await _record_failure(rt, identifier)
        raise ServiceError(ErrorCode.CODE_INVALID, "That code is not valid.", [field])
    return challenge


async def consume(rt: Runtime, session: AsyncSession, challenge: LoginChallenge) -> None:
    """Mark the code used inside the caller's transaction; a second use loses the race."""
    result = await session.execute(
        update(LoginChallenge)
        .where(
            col(LoginChallenge.id) == challenge.id,
            col(LoginChallenge.code_hash) == challenge.code_hash,
            col(LoginChallenge.consumed_at).is_(None),
        )
        .values(consumed_at=rt.clock.now())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ServiceError(ErrorCode.CODE_INVALID, "That code is not valid.", ["code"])
