"""Alembic builds exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

import models
from app.migrate import upgrade
from models.customer import Customer
from models.database import Database
from models.events import IdempotencyKey

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _diff(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        d for d in compare_metadata(context, models.metadata) if "alembic_version" not in str(d)
    ]


@pytest.fixture
async def empty_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables: a SQLite file, or a fresh PostgreSQL schema."""
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(PG_URL) if PG_URL else None
    if admin is not None:
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        db = Database(PG_URL or "", schema=schema)
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}")
    yield db
    await db.dispose()
    if admin is not None:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def test_migrations_match_the_models(empty_db: Database) -> None:
    await upgrade(empty_db.write_engine)
    async with empty_db.write_engine.connect() as conn:
        differences = await conn.run_sync(_diff)
    assert differences == []


async def test_existing_idempotency_keys_become_their_customers_keys(empty_db: Database) -> None:
    """0004 scopes keys by actor: a key stored before it belongs to `customer:<id>`."""
    now = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
    await upgrade(empty_db.write_engine, "0003")
    async with empty_db.write_engine.begin() as conn:
        customer_id = (
            await conn.execute(
                insert(Customer.__table__)
                .values(
                    email="ada@example.com",
                    language="en",
                    marketing_email=False,
                    marketing_sms=False,
                    created_at=now,
                    updated_at=now,
                )
                .returning(Customer.__table__.c.id)
            )
        ).scalar_one()
        await conn.execute(
            text(
                "INSERT INTO idempotency_key (customer_id, operation, key, result, created_at)"
                " VALUES (:customer, 'buyAgain', 'k-1', '{\"cart_id\": 7}', :now)"
            ),
            {"customer": customer_id, "now": now.replace(tzinfo=None)},
        )
    await upgrade(empty_db.write_engine)
    async with empty_db.read() as session:
        rows = (await session.execute(select(IdempotencyKey.actor, IdempotencyKey.key))).all()
    assert [tuple(row) for row in rows] == [(f"customer:{customer_id}", "k-1")]


async def test_live_rate_limit_counters_become_sliding_throttles(empty_db: Database) -> None:
    """0005: a counter still in its window carries over as that many events at the
    window's start, so nobody's wait starts over at the upgrade; a closed one goes."""
    from auth import rate_limit
    from models.auth import Throttle

    now = datetime.now(UTC)
    start = int(now.timestamp()) // 600 * 600
    await upgrade(empty_db.write_engine, "0004")
    async with empty_db.write_engine.begin() as conn:
        for key, window_start, count in (
            ("login-code:ada@example.com", start, 3),
            ("login-code:old@example.com", start - 1200, 2),
        ):
            await conn.execute(
                text(
                    "INSERT INTO rate_limit_counter (key, window_start, count, expires_at)"
                    " VALUES (:key, :start, :count, :expires)"
                ),
                {
                    "key": key,
                    "start": window_start,
                    "count": count,
                    "expires": datetime.fromtimestamp(window_start + 600, UTC).replace(tzinfo=None),
                },
            )
    await upgrade(empty_db.write_engine)

    async with empty_db.read() as session:
        rows = (await session.execute(select(Throttle.key, Throttle.hits))).all()
    assert [(row.key, len(row.hits) // rate_limit.WIDTH) for row in rows] == [
        ("login-code:ada@example.com", 3)
    ]
    limit = rate_limit.Limit("login-code:ada@example.com", 3, 600)
    assert await rate_limit.allow(empty_db, limit, now=now) is False
