"""Opaque bearer sessions: 256 random bits, only a hash stored, sliding expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth.tokens import keyed_hash, new_token
from models.auth import CustomerSession
from models.base import UTCDateTime
from models.customer import Customer
from plumbing.runtime import Runtime

# Extend a session at most this often, so a busy client does not write on every request.
REFRESH_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime
    customer: Customer


@dataclass(frozen=True)
class Viewer:
    customer: Customer
    session_id: int


# Built once, run with parameters: a login's insert without the ORM's flush.
_ADD_SESSION = insert(CustomerSession.__table__).values(  # type: ignore[attr-defined]
    token_hash=bindparam("p_token_hash"),
    customer_id=bindparam("p_customer_id"),
    created_at=bindparam("p_created_at", type_=UTCDateTime()),
    expires_at=bindparam("p_expires_at", type_=UTCDateTime()),
    user_agent=bindparam("p_user_agent"),
    ip_address=bindparam("p_ip_address"),
)


def _hash(rt: Runtime, token: str) -> str:
    return keyed_hash(rt.secret, "session", token)


async def issue(
    rt: Runtime,
    session: AsyncSession,
    *,
    customer: Customer,
    user_agent: str | None = None,
    ip_address: str | None = None,
) -> IssuedSession:
    """Create a session inside the caller's transaction."""
    assert customer.id is not None
    token = new_token()
    now = rt.clock.now()
    expires_at = now + timedelta(seconds=rt.settings.session_ttl)
    conn = await session.connection()
    await conn.execute(
        _ADD_SESSION,
        {
            "p_token_hash": _hash(rt, token),
            "p_customer_id": customer.id,
            "p_created_at": now,
            "p_expires_at": expires_at,
            "p_user_agent": (user_agent or "")[:300] or None,
            "p_ip_address": ip_address,
        },
    )
    return IssuedSession(token=token, expires_at=expires_at, customer=customer)


async def authenticate(rt: Runtime, token: str) -> Viewer | None:
    """The customer behind a bearer token, sliding its expiry forward."""
    if not token or len(token) > 200:
        return None
    now = rt.clock.now()
    async with rt.db.read() as session:
        row = (
            await session.execute(
                select(CustomerSession, Customer)
                .join(Customer, col(Customer.id) == col(CustomerSession.customer_id))
                .where(col(CustomerSession.token_hash) == _hash(rt, token))
                .where(col(CustomerSession.expires_at) > now)
            )
        ).first()
    if row is None:
        return None
    stored, customer = row
    ttl = timedelta(seconds=rt.settings.session_ttl)
    if stored.expires_at - now < ttl - REFRESH_EVERY:
        async with rt.db.transaction() as session:
            await session.execute(
                update(CustomerSession)
                .where(col(CustomerSession.id) == stored.id)
                .values(expires_at=now + ttl)
            )
    assert stored.id is not None
    return Viewer(customer=customer, session_id=stored.id)


async def revoke(rt: Runtime, *, viewer: Viewer, all_sessions: bool) -> int:
    async with rt.db.transaction() as session:
        stmt = delete(CustomerSession)
        if all_sessions:
            stmt = stmt.where(col(CustomerSession.customer_id) == viewer.customer.id)
        else:
            stmt = stmt.where(col(CustomerSession.id) == viewer.session_id)
        result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def revoke_others(session: AsyncSession, *, customer_id: int, keep_session_id: int) -> None:
    """Sign out every other device, inside the caller's transaction (e.g. an email change)."""
    await session.execute(
        delete(CustomerSession).where(
            col(CustomerSession.customer_id) == customer_id,
            col(CustomerSession.id) != keep_session_id,
        )
    )
