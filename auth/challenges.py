"""One-time codes: issue, and redeem (count the attempt, consume on a match).

A code is stored only as a keyed HMAC bound to its purpose and identifier.
An attempt is counted, and a matching code consumed, by one conditional
UPDATE, so parallel guesses can never exceed the limit: once it is reached
even the right code is refused until a new one is requested. The HMAC is
compared in SQL: its key never leaves this process, so a guess's timing says
nothing about the stored hash.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth import rate_limit
from auth.tokens import keyed_hash, new_code
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.statuses import ChallengePurpose
from models.auth import LoginChallenge
from models.base import UTCDateTime
from plumbing.runtime import Runtime

DAY = 86_400
# The table, not the mapped class: plain Core statements (see `auth.rate_limit`).
_CHALLENGE = LoginChallenge.__table__  # type: ignore[attr-defined]


def _code_hash(rt: Runtime, purpose: ChallengePurpose, identifier: str, code: str) -> str:
    return keyed_hash(rt.secret, f"code:{purpose.value}:{identifier}", code)


_ISSUED = (
    "customer_id",
    "payload",
    "code_hash",
    "attempts",
    "created_at",
    "expires_at",
    "consumed_at",
)


@functools.cache
def _issue_statement(dialect: str) -> Any:
    # Built once, run with parameters (see `auth.rate_limit`).
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(_CHALLENGE)
    values: dict[str, Any] = {
        name: bindparam(f"p_{name}") for name in ("purpose", "identifier", *_ISSUED)
    }
    return insert.values(**values).on_conflict_do_update(
        index_elements=["purpose", "identifier"],
        set_={name: getattr(insert.excluded, name) for name in _ISSUED},
    )


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
    params = {f"p_{name}": value for name, value in values.items()}
    conn = await session.connection()
    await conn.execute(_issue_statement(conn.dialect.name), params)
    return code


@dataclass(frozen=True)
class Redeemed:
    """A code that matched and is now consumed (in the caller's transaction)."""

    customer_id: int | None
    payload: str | None


async def redeem(
    rt: Runtime,
    session: AsyncSession,
    *,
    purpose: ChallengePurpose,
    identifier: str,
    code: str,
    field: str = "code",
    needs_customer: bool = False,
) -> Redeemed | ServiceError:
    """Count an attempt at the live code and, if it matches, consume it: one
    conditional UPDATE in the caller's transaction.

    A refusal is returned, not raised: the attempt and the failure it records
    must be committed with the caller's transaction, which a raise would roll
    back. `needs_customer`: a match on a code issued for no customer (an unknown
    phone number) is refused like a wrong code, so nothing tells it apart.
    """
    now = rt.clock.now()
    failures = rate_limit.Limit(
        f"verify-fail:{identifier}", rt.settings.login_failures_per_day, DAY
    )
    params = {
        "p_purpose": purpose,
        "p_identifier": identifier,
        "p_code_hash": _code_hash(rt, purpose, identifier, code.strip()),
        "p_now": now,
        "p_max_attempts": rt.settings.login_max_attempts,
        **rate_limit.full_params(failures, now=now, prefix="fail_"),
    }
    conn = await session.connection()
    row = (await conn.execute(_redeem_statement(needs_customer), params)).first()
    if row is not None and row.consumed_at is not None:  # the code matched
        return Redeemed(customer_id=row.customer_id, payload=row.payload)
    if row is None:
        refusal = await _why_not(rt, session, purpose, identifier, params, field)
        if refusal is not None:
            return refusal
    await rate_limit.admit(session, failures, now=now)
    return ServiceError(ErrorCode.CODE_INVALID, _("That code is not valid."), [field])


@functools.cache
def _redeem_statement(needs_customer: bool) -> Any:
    c = _CHALLENGE.c
    now = bindparam("p_now", type_=UTCDateTime())
    matched = c.code_hash == bindparam("p_code_hash")
    if needs_customer:
        matched = and_(matched, c.customer_id.is_not(None))
    # Parallel guesses queue on the row: `attempts < max` is checked against the
    # latest count, so no more than the limit are ever counted.
    return (
        update(_CHALLENGE)
        .where(
            c.purpose == bindparam("p_purpose"),
            c.identifier == bindparam("p_identifier"),
            c.consumed_at.is_(None),
            c.expires_at > now,
            c.attempts < bindparam("p_max_attempts"),
            ~rate_limit.is_full("fail_"),
        )
        .values(attempts=c.attempts + 1, consumed_at=case((matched, now), else_=None))
        .returning(c.customer_id, c.payload, c.consumed_at)
    )


async def _why_not(
    rt: Runtime,
    session: AsyncSession,
    purpose: ChallengePurpose,
    identifier: str,
    params: dict[str, object],
    field: str,
) -> ServiceError | None:
    """Why no attempt was counted; None when the code is missing or used, which
    counts as a failure like a wrong code."""
    now = rt.clock.now()
    if await session.scalar(select(rate_limit.is_full("fail_")), params):
        return ServiceError(
            ErrorCode.RATE_LIMITED, _("Too many failed attempts. Try again tomorrow."), [field]
        )
    challenge = (
        await session.execute(
            select(col(LoginChallenge.expires_at), col(LoginChallenge.attempts)).where(
                col(LoginChallenge.purpose) == purpose,
                col(LoginChallenge.identifier) == identifier,
                col(LoginChallenge.consumed_at).is_(None),
            )
        )
    ).first()
    if challenge is None:
        return None
    if challenge.expires_at <= now:
        return ServiceError(
            ErrorCode.CODE_EXPIRED, _("That code has expired. Request a new one."), [field]
        )
    if challenge.attempts >= rt.settings.login_max_attempts:
        return ServiceError(
            ErrorCode.TOO_MANY_ATTEMPTS, _("Too many wrong codes. Request a new one."), [field]
        )
    return None  # used or replaced meanwhile
