"""Engines and sessions.

Reads and writes use separate engines and pools. On SQLite the write side
starts every transaction with BEGIN IMMEDIATE, so concurrent writers queue on
the busy timeout instead of failing when a read lock cannot be upgraded.

Inside `Database.request_scope()` (one per HTTP request) every read session
runs on one pooled connection, checked out at the first read and returned when
the request ends: a query whose dataloaders run five batches checks out once,
not five times.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Executable, Row, event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from models.availability import Outage, Timeouts

# Marks a request's shared read connection, which runs without a transaction.
SHARED_READS = "shared_reads"


def _sqlite_engine(url: str, *, immediate: bool, timeouts: Timeouts) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30}, pool_timeout=timeouts.checkout)

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
        # The driver is in autocommit (isolation_level None above); a request's
        # shared read connection stays that way: no BEGIN, each statement alone.
        if conn.get_execution_options().get(SHARED_READS):
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT supporting `on_conflict_do_update` in the session's dialect.

    Both dialects spell the upsert the same way; only the construct differs.
    """
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _postgresql_connect_args(timeouts: Timeouts, schema: str | None) -> dict[str, Any]:
    """asyncpg's connection arguments: every wait bounded, per `timeouts`."""
    server_settings: dict[str, str] = {}
    if schema:
        # Tests isolate each run in its own PostgreSQL schema.
        server_settings["search_path"] = schema
    args: dict[str, Any] = {"server_settings": server_settings}
    if timeouts.connect is not None:
        args["timeout"] = timeouts.connect
    if timeouts.statement is not None:
        # The server cancels a slow statement itself (a clean error, the
        # connection stays usable); the client gives up a second later, which
        # only happens when the server is silent.
        server_settings["statement_timeout"] = str(int(timeouts.statement * 1000))
        args["command_timeout"] = timeouts.statement + 1
    return args


def _refuse_if_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Replace a pooled connection the server already closed (a restart, a reset).

    Not a ping: the driver knows without a round trip, so the first request
    after an outage gets a fresh connection instead of failing on a dead one.
    """
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise exc.DisconnectionError("the server closed this connection")


def _close_at_once(dbapi_connection: Any, _record: Any, _error: Any) -> None:
    """Drop an invalidated connection without a goodbye to the server.

    A connection is invalidated when it failed or its work was cancelled (a
    request past its deadline); SQLAlchemy would close it politely, waiting up
    to seconds for a silent server and, through asyncpg, for the cancel request
    of the interrupted statement. The server notices the closed socket and
    rolls back whatever the connection had begun.
    """
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and not driver.is_closed():
        driver.terminate()


class SharedReads:
    """One request's reads on one pooled connection, checked out at the first read.

    The connection runs in autocommit: every statement sees what is committed
    when it starts (PostgreSQL's READ COMMITTED, which a read transaction would
    give anyway), nothing is held between statements, and no BEGIN or ROLLBACK
    round trips are spent. Reads from concurrent tasks (dataloader batches)
    take turns, as one connection runs one statement at a time; a task may
    open a read inside its own.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._connection: AsyncConnection | None = None
        self._turn = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The request's connection, this task's turn on it."""
        task = asyncio.current_task()
        nested = task is not None and self._holder is task
        if not nested:
            await self._turn.acquire()
            self._holder = task
        try:
            if self._connection is None:
                self._connection = await self._connect()
            yield self._connection
        finally:
            if not nested:
                self._holder = None
                self._turn.release()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with (
            self.connection() as connection,
            AsyncSession(bind=connection, expire_on_commit=False) as session,
        ):
            yield session

    async def _connect(self) -> AsyncConnection:
        connection = await self.engine.connect()
        options: dict[str, Any] = {SHARED_READS: True}
        if self.engine.dialect.name != "sqlite":
            # SQLite's driver is in autocommit already (see `_sqlite_engine`).
            options["isolation_level"] = "AUTOCOMMIT"
        return await connection.execution_options(**options)

    def abandon(self) -> None:
        """Drop the connection under a request past its deadline, at once.

        Reads run shielded from cancellation (so none is torn down after the
        response); one stuck on a silent server would hold the request until
        the statement timeout. Dropped, it fails now and the request can end.
        """
        if self._connection is None:
            return
        try:
            pooled = self._connection.sync_connection.connection  # type: ignore[union-attr]
        except Exception:  # already closed or invalidated: nothing to drop
            return
        driver = pooled.driver_connection
        if driver is not None and not getattr(driver, "is_closed", lambda: True)():
            driver.terminate()

    async def close(self) -> None:
        """Return the connection to the pool (the end of the request)."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()


_shared_reads: ContextVar[SharedReads | None] = ContextVar("shared_reads", default=None)


class Database:
    """The application's handle on the database: session factories and engines."""

    def __init__(
        self, url: str, *, schema: str | None = None, timeouts: Timeouts | None = None
    ) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        self.timeouts = timeouts or Timeouts()
        self.outage = Outage()
        if self.is_sqlite:
            self.read_engine = _sqlite_engine(url, immediate=False, timeouts=self.timeouts)
            self.write_engine = _sqlite_engine(url, immediate=True, timeouts=self.timeouts)
        else:
            connect_args = _postgresql_connect_args(self.timeouts, schema)
            # No pre-ping: a request checks out once; a connection the server
            # closed is replaced at checkout without a round trip
            # (`_refuse_if_closed`), and one that fails mid-request fails that
            # request and makes the pool replace every older connection.
            # Two pools: a request holds its read connection until it ends, so
            # a write drawn from the same pool could wait behind readers that
            # are themselves waiting to write.
            self.read_engine = create_async_engine(
                url,
                pool_size=10,
                max_overflow=10,
                pool_timeout=self.timeouts.checkout,
                connect_args=connect_args,
            )
            self.write_engine = create_async_engine(
                url,
                pool_size=5,
                max_overflow=10,
                pool_timeout=self.timeouts.checkout,
                connect_args=connect_args,
            )
            for engine in self.engines:
                event.listen(engine.sync_engine.pool, "checkout", _refuse_if_closed)
                event.listen(engine.sync_engine.pool, "invalidate", _close_at_once)
        self._read = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @property
    def engines(self) -> list[AsyncEngine]:
        return [self.read_engine, self.write_engine]

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A short-lived session for queries, on the request's connection inside
        `request_scope`; never held across tasks."""
        shared = _shared_reads.get()
        async with self.outage.watch():
            if shared is not None and shared.engine is self.read_engine:
                async with shared.session() as session:
                    yield session
                return
            async with self._read() as session:
                yield session

    async def rows(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Sequence[Row[Any]]:
        """The Core rows of one read, without an ORM session: the dataloaders' path.

        Inside `request_scope` it runs on the request's connection.
        """
        shared = _shared_reads.get()
        async with self.outage.watch():
            if shared is not None and shared.engine is self.read_engine:
                async with shared.connection() as connection:
                    return (await connection.execute(statement, params)).all()
            async with self.read_engine.connect() as connection:
                return (await connection.execute(statement, params)).all()

    @asynccontextmanager
    async def request_scope(self) -> AsyncIterator[SharedReads]:
        """Every `read()` inside shares one connection, returned to the pool on exit."""
        shared = SharedReads(self.read_engine)
        token = _shared_reads.set(shared)
        try:
            yield shared
        finally:
            _shared_reads.reset(token)
            await shared.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One write transaction: committed on exit, rolled back on any exception."""
        async with self.outage.watch(), self._write() as session, session.begin():
            yield session

    async def ping(self) -> bool:
        """The database answers `SELECT 1`; raises `DatabaseUnavailable` otherwise,
        within the connect timeout even when the server is silent."""
        async with (
            self.outage.watch(),
            asyncio.timeout(self.timeouts.connect or 5),
            self.read_engine.connect() as conn,
        ):
            await conn.execute(text("SELECT 1"))
        return True

    async def dispose(self) -> None:
        for engine in self.engines:
            await engine.dispose()
