"""Engines and sessions.

Reads and writes use separate session factories. On SQLite the write side
starts every transaction with BEGIN IMMEDIATE, so concurrent writers queue on
the busy timeout instead of failing when a read lock cannot be upgraded; on
PostgreSQL both sides share one engine.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _sqlite_engine(url: str, *, immediate: bool) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT supporting `on_conflict_do_update` in the session's dialect.

    Both dialects spell the upsert the same way; only the construct differs.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


class Database:
    """The application's handle on the database: session factories and engines."""

    def __init__(self, url: str, *, schema: str | None = None) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False)
            self.write_engine = _sqlite_engine(url, immediate=True)
        else:
            connect_args: dict[str, Any] = {}
            if schema:
                # Tests isolate each run in its own PostgreSQL schema.
                connect_args["server_settings"] = {"search_path": schema}
            self.read_engine = create_async_engine(
                url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=connect_args
            )
            self.write_engine = self.read_engine
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def engines(self) -> list[AsyncEngine]:
        if self.write_engine is self.read_engine:
            return [self.read_engine]
        return [self.read_engine, self.write_engine]

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short-lived session for queries; one per task, never shared."""
        async with self._read() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed on exit, rolled back on any exception."""
        async with self._write() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        async with self.read_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    async def dispose(self) -> None:
        for engine in self.engines:
            await engine.dispose()
