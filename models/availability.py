"""When the database is out of reach: how to tell, how long to wait, and saying so once.

Requests that meet an unreachable database answer 503 (see `app.resilience`);
this module decides which errors mean "unreachable" and bounds every wait, so
that answer comes in seconds instead of after the kernel's TCP timeouts.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy import exc

log = logging.getLogger("database")


class DatabaseUnavailable(Exception):
    """The database could not be reached or did not answer in time.

    Raised in place of the driver's error (kept as `__cause__`) for refused,
    reset or silent connections, an exhausted pool and statements the server
    cancelled for running too long: faults of the moment that a retry may not
    meet, unlike a bug in a query.
    """


@dataclass(frozen=True)
class Timeouts:
    """Seconds each wait on the database may last (None: unbounded)."""

    connect: float | None = None
    # Waiting for a pooled connection when all are in use.
    checkout: float = 30
    # PostgreSQL's `statement_timeout`, set on each connection.
    statement: float | None = None


# PostgreSQL SQLSTATE classes and codes that mean "not now" rather than "wrong":
# connection exceptions (08), too many connections and other resource shortages
# (53), the server shutting down or starting (57P01-57P03), and 57014, a
# statement cancelled by statement_timeout.
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P0", "57014")
# SQLite's "not now": another writer holds the lock, the file cannot be opened or read.
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` (or what caused it) says the database is out of reach."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DatabaseUnavailable | exc.TimeoutError | OSError | TimeoutError):
            return True  # refused, reset, no route, connect or command timeout, pool exhausted
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        sqlstate = getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        if isinstance(sqlstate, str) and sqlstate.startswith(_UNAVAILABLE_SQLSTATE_PREFIXES):
            return True
        if isinstance(current, sqlite3.OperationalError) and any(
            part in str(current).lower() for part in _SQLITE_UNAVAILABLE
        ):
            return True
        if type(current).__module__.startswith("asyncpg") and (
            "ConnectionDoesNotExist" in type(current).__name__
            or "connection is closed" in str(current)
        ):
            return True
        current = current.__cause__
    return False


# What the current request met, if it met an outage (see `record_faults`).
_faults: ContextVar[list[str] | None] = ContextVar("database_faults", default=None)


@contextmanager
def record_faults() -> Iterator[list[str]]:
    """Collects the outages met inside (tasks started inside included).

    GraphQL turns a resolver's exception into an error entry and answers 200;
    the HTTP layer reads this list to answer 503 instead.
    """
    faults: list[str] = []
    token = _faults.set(faults)
    try:
        yield faults
    finally:
        _faults.reset(token)


class Outage:
    """Logs the start and the end of an outage, not each request that meets it.

    While the database is down every request fails the same way; a warning
    per request (let alone a traceback per field) would bury everything else.
    """

    def __init__(self) -> None:
        self.since: float | None = None

    def failed(self, error: BaseException) -> None:
        faults = _faults.get()
        if faults is not None:
            faults.append(describe(error))
        if self.since is None:
            self.since = time.monotonic()
            log.warning("database unavailable: %s", describe(error))
        else:
            log.debug("database still unavailable: %s", describe(error))

    def succeeded(self) -> None:
        if self.since is not None:
            log.warning("database available again after %.1f s", time.monotonic() - self.since)
            self.since = None

    @asynccontextmanager
    async def watch(self) -> AsyncIterator[None]:
        """Turns a driver's "unreachable" error into `DatabaseUnavailable`."""
        try:
            yield
        except DatabaseUnavailable as error:
            self.failed(error)
            raise
        except Exception as error:
            if not is_unavailable(error):
                raise
            self.failed(error)
            raise DatabaseUnavailable(describe(error)) from error
        else:
            self.succeeded()


def describe(error: BaseException) -> str:
    """One line naming the innermost cause: what an operator needs, without a traceback."""
    innermost = error
    while innermost.__cause__ is not None:
        innermost = innermost.__cause__
    text = str(innermost).splitlines()[0] if str(innermost) else ""
    return f"{type(innermost).__name__}: {text}"[:300]
