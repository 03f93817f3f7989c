"""What the API's dashboard request costs in database work, measured in-process.

    .venv/bin/python -m bench.roundtrips

Round trips: the production app (`app.main.create_app`, APP_ENV=production settings)
answers one warm dashboard request through httpx's ASGI transport while asyncpg's
connection methods are counted: every `execute` (BEGIN, ROLLBACK, COMMIT) and every
`fetchrow` (a pool pre-ping `;`), plus the statements SQLAlchemy sends. The
hand-written endpoint sends one statement.

Read CPU: the same reads the request makes (the session check, the page, the three
batches), called directly through the app's own functions inside one request scope,
timed with `time.process_time`. Set beside the floor (the GraphQL layer alone), it
splits the server's CPU per request into GraphQL, reads, and everything else.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

import asyncpg
import httpx
import orjson
from sqlalchemy import event

from bench.common import BENCH_EMAIL, DASHBOARD, PAGE_SIZES, app_env, free_port, new_session
from bench.common import DSN as PG_DSN
from config import load_settings


@contextmanager
def counting(counter: Counter[str]) -> Iterator[None]:
    """Count asyncpg's round-trip methods by the first word of what they send."""
    originals = {name: getattr(asyncpg.Connection, name) for name in ("execute", "fetchrow")}

    def wrap(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        async def counted(self: asyncpg.Connection, query: str, *args: Any, **kw: Any) -> Any:
            word = query.strip().rstrip(";").split(" ")[0].upper() or "PING (;)"
            counter[f"{name}: {word}"] += 1
            return await method(self, query, *args, **kw)

        return counted

    for name, method in originals.items():
        setattr(asyncpg.Connection, name, wrap(name, method))
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(asyncpg.Connection, name, method)


async def count(size: int = 20) -> tuple[Counter[str], int]:
    from app.main import create_app  # after the environment is set

    os.environ.update(app_env(port=free_port(), smtp_port=free_port()))
    app = create_app(load_settings())
    engine = app.state.runtime.db.read_engine.sync_engine
    conn = await asyncpg.connect(PG_DSN)
    token = await new_session(conn, BENCH_EMAIL)
    await conn.close()
    body = orjson.dumps({"query": DASHBOARD, "variables": {"n": size}})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    counter: Counter[str] = Counter()
    checkouts: Counter[str] = Counter()  # not round trips: reported beside them

    def statement(conn: Any, cursor: Any, sql: str, *rest: Any) -> None:
        counter[f"statement: {sql.split(' ')[0]}"] += 1

    def checkout(*args: Any) -> None:
        checkouts["pool checkouts"] += 1

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        for _ in range(3):  # warm: pool connections open, statements prepared
            assert (await http.post("/graphql", content=body, headers=headers)).status_code == 200
        pools = [e.sync_engine.pool for e in app.state.runtime.db.engines]
        event.listen(engine, "before_cursor_execute", statement)
        for pool in pools:
            event.listen(pool, "checkout", checkout)
        with counting(counter):
            response = await http.post("/graphql", content=body, headers=headers)
        event.remove(engine, "before_cursor_execute", statement)
        for pool in pools:
            event.remove(pool, "checkout", checkout)
    assert response.status_code == 200 and b'"errors"' not in response.content
    await app.state.runtime.db.dispose()
    return counter, checkouts["pool checkouts"]


async def read_cpu(sizes: tuple[int, ...] = PAGE_SIZES) -> dict[int, float]:
    """CPU ms of one request's reads (ORM included), per page size."""
    import services.orders
    from auth.sessions import authenticate
    from plumbing.runtime import build_runtime
    from resolvers import batches

    os.environ.update(app_env(port=free_port(), smtp_port=free_port()))
    rt = build_runtime(load_settings())
    conn = await asyncpg.connect(PG_DSN)
    token = await new_session(conn, BENCH_EMAIL)
    customer_id = await conn.fetchval("SELECT id FROM customer WHERE email = $1", BENCH_EMAIL)
    await conn.close()

    async def reads(size: int) -> None:
        async with rt.db.request_scope():
            assert await authenticate(rt, token) is not None
            page = await services.orders.list_orders(rt, customer_id=customer_id, first=size)
            ids = [order.id for order in page.items if order.id is not None]
            await batches.line_items_by_order_id(rt.db, ids)
            await batches.discounts_by_order_id(rt.db, ids)
            await batches.events_by_order_id(rt.db, ids)

    from app.main import settle_heap

    settle_heap()  # the server's collector settings, so its pauses weigh the same here
    out = {}
    for size in sizes:
        for _ in range(10):
            await reads(size)
        # The mean over ~2 s, collector pauses included, as the server's figure is.
        count, started, wall = 0, time.process_time(), time.perf_counter()
        while time.perf_counter() - wall < 2 or count < 20:
            await reads(size)
            count += 1
        out[size] = (time.process_time() - started) / count * 1000
    await rt.db.dispose()
    return out


def main() -> None:
    counter, checkouts = asyncio.run(count())
    for name, n in sorted(counter.items()):
        print(f"{n:>4}  {name}")
    print(f"{sum(counter.values()):>4}  round trips per dashboard request (first: 20)")
    print(f"{checkouts:>4}  pool checkouts")
    for size, ms in asyncio.run(read_cpu()).items():
        print(f"first={size:<3} the request's reads: {ms:.2f} ms CPU")


if __name__ == "__main__":
    main()
