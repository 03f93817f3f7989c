"""API keys for the merchant surface: issued once, kept as a keyed hash, scoped, revocable.

A token reads `cak_<prefix>_<secret>`: the prefix finds the row, the whole
token's HMAC must match the stored one. The secret is shown once, at creation.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import col

from auth.tokens import keyed_hash, matches, new_token
from domain.scopes import Scope
from models.api_key import ApiKey
from plumbing.runtime import Runtime

TOKEN_MARK = "cak"  # noqa: S105 (a label, not a secret)
# Record a key's use at most this often, so a busy integration does not write on every call.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    key: ApiKey
    # The only time the secret exists outside the caller's hands.
    token: str


@dataclass(frozen=True)
class Principal:
    """The API key behind a request."""

    key_id: int
    name: str
    scopes: frozenset[Scope]


class ApiKeyRefused(ValueError):
    """A CLI request the keys cannot honour (bad scope, unknown id)."""


def _hash(rt: Runtime, token: str) -> str:
    return keyed_hash(rt.secret, "api_key", token)


def parse_scopes(values: Sequence[str]) -> list[Scope]:
    known = {scope.value for scope in Scope}
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ApiKeyRefused(
            f"unknown scope {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
        )
    return sorted({Scope(value) for value in values})


async def create_key(rt: Runtime, *, name: str, scopes: Sequence[str]) -> IssuedKey:
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiKeyRefused("a key needs a name of 1 to 100 characters")
    chosen = parse_scopes(scopes)
    if not chosen:
        raise ApiKeyRefused("a key needs at least one --scope")
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_MARK}_{prefix}_{new_token()}"
    row = ApiKey(
        name=name,
        prefix=prefix,
        secret_hash=_hash(rt, token),
        scopes=[scope.value for scope in chosen],
        created_at=rt.clock.now(),
    )
    async with rt.db.transaction() as session:
        session.add(row)
    return IssuedKey(key=row, token=token)


async def list_keys(rt: Runtime) -> list[ApiKey]:
    async with rt.db.read() as session:
        return list((await session.scalars(select(ApiKey).order_by(col(ApiKey.id)))).all())


async def revoke_key(rt: Runtime, key_id: int) -> ApiKey:
    async with rt.db.transaction() as session:
        row = await session.get(ApiKey, key_id)
        if row is None:
            raise ApiKeyRefused(f"no API key with id {key_id}")
        if row.revoked_at is None:
            row.revoked_at = rt.clock.now()
    return row


async def authenticate_key(rt: Runtime, token: str) -> Principal | None:
    """The live key behind `token`, its use recorded; None for anything else."""
    mark, _, rest = token.partition("_")
    prefix, _, secret = rest.partition("_")
    if mark != TOKEN_MARK or not prefix or not secret or len(token) > 200:
        return None
    async with rt.db.read() as session:
        row = (
            await session.execute(
                select(
                    col(ApiKey.id),
                    col(ApiKey.name),
                    col(ApiKey.scopes),
                    col(ApiKey.secret_hash),
                    col(ApiKey.last_used_at),
                ).where(col(ApiKey.prefix) == prefix, col(ApiKey.revoked_at).is_(None))
            )
        ).first()
    if row is None or not matches(row.secret_hash, _hash(rt, token)):
        return None
    now = rt.clock.now()
    if _due(row.last_used_at, now):
        async with rt.db.transaction() as session:
            await session.execute(
                update(ApiKey).where(col(ApiKey.id) == row.id).values(last_used_at=now)
            )
    known = {scope.value for scope in Scope}
    return Principal(
        key_id=row.id,
        name=row.name,
        # A scope retired from the vocabulary simply grants nothing.
        scopes=frozenset(Scope(value) for value in row.scopes if value in known),
    )


def _due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= LAST_USED_EVERY
