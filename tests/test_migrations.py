"""Alembic builds exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import models
from app.migrate import upgrade
from models.database import Database

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _diff(connection) -> list:  # type: ignore[no-untyped-def]
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [
        d for d in compare_metadata(context, models.metadata) if "alembic_version" not in str(d)
    ]


async def test_migrations_match_the_models(tmp_path: Path) -> None:
    schema = f"m_{uuid.uuid4().hex[:12]}"
    if PG_URL:
        admin = create_async_engine(PG_URL)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        db = Database(PG_URL, schema=schema)
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}")
    try:
        await upgrade(db.write_engine)
        async with db.write_engine.connect() as conn:
            differences = await conn.run_sync(_diff)
        assert differences == []
    finally:
        await db.dispose()
        if PG_URL:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.dispose()
