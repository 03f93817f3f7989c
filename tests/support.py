"""Test helpers: a GraphQL client over HTTP and a SQL statement counter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event

from models.database import SHARED_READS, Database


class GraphQLClient:
    """Posts GraphQL documents through the app. With `settle`, each call then waits
    for it (e.g. for the deliveries the request left to run after its response),
    so a test reads the outbox the request filled; timing tests pass none."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.http = http
        self.settle = settle

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=all_headers
        )
        if self.settle is not None:
            await self.settle()
        return response

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        response = await self.raw(query, variables, token=token, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The `data` of a response that must have no top-level errors."""
        body = await self(query, variables, **kw)
        assert "errors" not in body, body["errors"]
        return body["data"]


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []
        # Connections taken from a pool, and transactions begun on them.
        self.checkouts = 0
        self.transactions = 0

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_statements(db: Database) -> Iterator[StatementCounter]:
    """Counts SQL statements (transaction control excluded), pool checkouts and
    transactions. A request's shared read connection runs in autocommit, so its
    reads begin no transaction."""
    counter = StatementCounter()

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.strip().upper() not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"):
            counter.statements.append(statement)

    def on_checkout(*args: Any) -> None:
        counter.checkouts += 1

    def on_begin(conn: Any) -> None:
        if not conn.get_execution_options().get(SHARED_READS):
            counter.transactions += 1

    engines = [engine.sync_engine for engine in db.engines]
    listeners = [("before_cursor_execute", on_execute), ("begin", on_begin)]
    for engine in engines:
        for name, fn in listeners:
            event.listen(engine, name, fn)
        event.listen(engine.pool, "checkout", on_checkout)
    try:
        yield counter
    finally:
        for engine in engines:
            for name, fn in listeners:
                event.remove(engine, name, fn)
            event.remove(engine.pool, "checkout", on_checkout)
