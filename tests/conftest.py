"""A fresh database per test: a SQLite file in tmp_path, or a PostgreSQL schema
when TEST_DATABASE_URL is set. The app is driven over real HTTP (httpx through
the ASGI app); time comes from a clock the test controls."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

import models
from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from adapters.sms import ConsoleSmsBackend
from app.main import create_app
from config import Settings
from models.availability import Timeouts
from models.database import Database
from plumbing.runtime import Runtime, build_runtime
from tests.support import GraphQLClient

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 21, 15, 0, tzinfo=UTC))


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def settings(tmp_path: Path, settings_overrides: dict[str, object]) -> Settings:
    values: dict[str, object] = {
        "app_env": "test",
        "var_dir": tmp_path / "var",
        "secret_key": "test-secret-" + "x" * 40,
        "public_url": "http://testserver",
        "storefront_url": "https://shop.example",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'test.db'}",
    }
    values.update(settings_overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def db_timeouts() -> Timeouts:
    """Override in a test module to bound the database's waits differently."""
    return Timeouts()


@pytest.fixture
async def db(tmp_path: Path, db_timeouts: Timeouts) -> AsyncIterator[Database]:
    if PG_URL:
        schema = f"t_{uuid.uuid4().hex[:16]}"
        admin = create_async_engine(PG_URL)
        async with admin.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        database = Database(PG_URL, schema=schema, timeouts=db_timeouts)
    else:
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}", timeouts=db_timeouts)
    async with database.write_engine.begin() as conn:
        await conn.run_sync(models.metadata.create_all)
    yield database
    await database.dispose()
    if PG_URL:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
def mailer() -> ConsoleEmailBackend:
    return ConsoleEmailBackend("Test Store <store@example.com>", outbox=None)


@pytest.fixture
def sms() -> ConsoleSmsBackend:
    return ConsoleSmsBackend()


@pytest.fixture
async def rt(
    settings: Settings,
    db: Database,
    clock: ManualClock,
    mailer: ConsoleEmailBackend,
    sms: ConsoleSmsBackend,
) -> Runtime:
    from tests import factories

    runtime = build_runtime(settings, db=db, clock=clock, mailer=mailer, sms=sms)
    await factories.shop(runtime)
    return runtime


@pytest.fixture
async def http(settings: Settings, rt: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, runtime=rt)
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await rt.courier.drain()
    # Every request finishes its own work: a task still running here would race
    # the database's disposal below.
    this = asyncio.current_task()
    assert [task for task in asyncio.all_tasks() if task is not this] == []


@pytest.fixture
def gql(http: httpx.AsyncClient, rt: Runtime) -> GraphQLClient:
    # Waits for each request's deliveries, so a test reads what was sent.
    return GraphQLClient(http, settle=rt.courier.drain)


@pytest.fixture
def anyio_backend() -> Iterator[str]:
    yield "asyncio"
