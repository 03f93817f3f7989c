"""Deep pages: page 5,000 of a 100,000-order history against page 1, through the API.

The cursor of page p is the `endCursor` of page p - 1. Walking 4,999 pages over HTTP
first would only measure the walk, so the cursor is computed from the row that ends
page p - 1 with the API's own `encode_cursor`, after checking on the first pages that
this gives exactly the `endCursor`s the API hands out. The query plans come from the
statement the API really sends (`services.orders.list_orders`, captured on the engine).
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import event

import services.orders
from bench.common import DASHBOARD_AFTER, DEEP_EMAIL, DSN, sqlalchemy_url
from bench.harness import Server, run_wrk
from models.database import Database
from plumbing.pagination import encode_cursor

PAGE = 20
DEEP_PAGE = 5_000
CHECKED_PAGES = 3


@dataclass
class DeepResult:
    p50_ms: dict[int, float] = field(default_factory=dict)
    p99_ms: dict[int, float] = field(default_factory=dict)
    plans: dict[int, str] = field(default_factory=dict)
    sql: str = ""

    @property
    def ratio(self) -> float:
        return self.p50_ms[DEEP_PAGE] / self.p50_ms[1]


async def cursor_before(conn: asyncpg.Connection, customer_id: int, page: int) -> str | None:
    """The `endCursor` of page - 1, i.e. the `after` that asks for `page`."""
    if page == 1:
        return None
    row = await conn.fetchrow(
        "SELECT placed_at, id FROM customer_order WHERE customer_id = $1"
        " ORDER BY placed_at DESC, id DESC OFFSET $2 LIMIT 1",
        customer_id,
        (page - 1) * PAGE - 1,
    )
    return encode_cursor([row["placed_at"], row["id"]])


def body(after: str | None) -> bytes:
    return orjson.dumps({"query": DASHBOARD_AFTER, "variables": {"n": PAGE, "after": after}})


def headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def check_cursors(api: Server, token: str, cursors: dict[int, str | None]) -> None:
    """Following endCursor through the API lands on the computed cursors."""
    after = None
    with httpx.Client(headers=headers(token), timeout=60) as http:
        for page in range(1, CHECKED_PAGES + 1):
            assert after == cursors[page], f"page {page}: cursor differs from the API's"
            data = http.post(api.url, content=body(after)).json()
            orders = data["data"]["me"]["orders"]
            assert len(orders["edges"]) == PAGE, data
            after = orders["pageInfo"]["endCursor"]


def literal(value: Any) -> str:
    """A bound value written into SQL, for EXPLAIN EXECUTE (which takes no parameters)."""
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))


async def explain(customer_id: int, after: str | None) -> tuple[str, str]:
    """EXPLAIN ANALYZE of the page read exactly as the API sends it, planned both ways.

    The custom plan is what the first executions of a prepared statement get; after
    five, PostgreSQL may keep a generic plan, which cannot see the cursor's values,
    and the API's statements are prepared and cached per pooled connection.
    """
    db = Database(sqlalchemy_url())
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *rest: Any) -> None:
        captured.append((statement, parameters))

    event.listen(db.read_engine.sync_engine, "before_cursor_execute", capture)
    rt: Any = type("Rt", (), {"db": db})()  # list_orders only uses rt.db
    await services.orders.list_orders(rt, customer_id=customer_id, first=PAGE, after=after)
    event.remove(db.read_engine.sync_engine, "before_cursor_execute", capture)
    await db.dispose()
    statement, parameters = captured[-1]
    conn = await asyncpg.connect(DSN)
    try:
        custom = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *parameters)
        await conn.execute("PREPARE bench_page AS " + statement)
        await conn.execute("SET plan_cache_mode = force_generic_plan")
        values = ", ".join(literal(v) for v in parameters)
        generic = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_page({values})")
    finally:
        await conn.close()
    plan = ["-- custom plan (the values bound)", *(r[0] for r in custom)]
    plan += ["", "-- generic plan (plan_cache_mode = force_generic_plan)", *(r[0] for r in generic)]
    return statement, "\n".join(plan)


async def prepare() -> tuple[int, dict[int, str | None], str]:
    """The deep customer, the cursor of each page checked, and the number page 5,000 starts at."""
    conn = await asyncpg.connect(DSN)
    try:
        customer_id = await conn.fetchval("SELECT id FROM customer WHERE email = $1", DEEP_EMAIL)
        pages = [*range(1, CHECKED_PAGES + 1), DEEP_PAGE]
        cursors = {p: await cursor_before(conn, customer_id, p) for p in pages}
        first = await conn.fetchval(
            "SELECT number FROM customer_order WHERE customer_id = $1"
            " ORDER BY placed_at DESC, id DESC OFFSET $2 LIMIT 1",
            customer_id,
            (DEEP_PAGE - 1) * PAGE,
        )
        return customer_id, cursors, first
    finally:
        await conn.close()


def run(api: Server, token: str, *, seconds: float, rounds: int) -> DeepResult:
    customer_id, cursors, expected = asyncio.run(prepare())
    check_cursors(api, token, cursors)
    deep = httpx.post(api.url, content=body(cursors[DEEP_PAGE]), headers=headers(token)).json()
    first = deep["data"]["me"]["orders"]["edges"][0]["node"]["number"]
    assert first == expected, f"page {DEEP_PAGE} starts at {first}, expected {expected}"

    result = DeepResult()
    samples: dict[int, list[tuple[float, float]]] = {1: [], DEEP_PAGE: []}
    for r in range(rounds):
        for page in (1, DEEP_PAGE) if r % 2 == 0 else (DEEP_PAGE, 1):
            run_ = run_wrk(api.url, body(cursors[page]), token, connections=1, seconds=seconds)
            assert run_.errors == 0, f"page {page}: {run_.errors} errors"
            samples[page].append((run_.p50_ms, run_.p99_ms))
    for page, values in samples.items():
        result.p50_ms[page] = statistics.median(v[0] for v in values)
        result.p99_ms[page] = statistics.median(v[1] for v in values)
        result.sql, result.plans[page] = asyncio.run(explain(customer_id, cursors[page]))
    return result
