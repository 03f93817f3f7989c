"""The floor: the dashboard executed by the API's own schema with no database and no HTTP.

    .venv/bin/python -m bench.floor [--seconds 2] [--json]

The bench customer's rows are read once, through the app's own page read and batch
functions, so they are exactly the model objects a request sees. Each execution then
gets a fresh per-request `Loaders` primed with those rows, and `services.orders.list_orders`
is replaced by one that hands back the in-memory `Page`; everything else (parsing and
validation caches, the query limits and cost, the resolvers, error masking, Strawberry's
result shaping and the orjson encoding) runs as it does in the server. What is left is
the CPU the GraphQL layer itself costs, the least a request could take in this design.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
import uvloop
from sqlalchemy import select
from sqlmodel import col
from strawberry.http import process_result

import services.orders
from app.main import settle_heap
from auth.sessions import Viewer
from bench.common import BENCH_EMAIL, DASHBOARD, PAGE_SIZES, app_env, free_port
from config import load_settings
from domain.actors import Actor
from models.customer import Customer
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from plumbing.pagination import Page
from plumbing.runtime import Runtime, build_runtime
from resolvers import batches
from resolvers.loaders import Loaders
from schema.customer import build_schema
from schema.customer.context import CustomerContext


@dataclass
class Rows:
    customer: Customer
    pages: dict[int, Page[Order]]
    lines: dict[int, list[OrderLineItem]]
    events: dict[int, list[FulfillmentEvent]]
    discounts: dict[int, list[OrderDiscount]]


async def load_rows(rt: Runtime) -> Rows:
    """One real read of everything the dashboard touches, as the server would read it."""
    async with rt.db.read() as session:
        customer = await session.scalar(select(Customer).where(col(Customer.email) == BENCH_EMAIL))
    assert customer is not None and customer.id is not None
    pages = {
        n: await services.orders.list_orders(rt, customer_id=customer.id, first=n)
        for n in PAGE_SIZES
    }
    ids = [order.id for order in pages[max(PAGE_SIZES)].items if order.id is not None]
    lines = await batches.line_items_by_order_id(rt.db, ids)
    events = await batches.events_by_order_id(rt.db, ids)
    discounts = await batches.discounts_by_order_id(rt.db, ids)
    await rt.db.dispose()
    return Rows(
        customer=customer,
        pages=pages,
        lines=dict(zip(ids, lines, strict=True)),
        events=dict(zip(ids, events, strict=True)),
        discounts=dict(zip(ids, discounts, strict=True)),
    )


@contextmanager
def in_memory_pages(rows: Rows) -> Iterator[None]:
    """`list_orders` answers from memory: a page read is no loader, so it cannot be primed."""
    original = services.orders.list_orders

    async def list_orders(
        rt: Runtime, *, customer_id: int, first: int | None = None, **_: Any
    ) -> Page[Order]:
        assert first is not None
        return rows.pages[first]

    services.orders.list_orders = list_orders  # type: ignore[assignment]
    try:
        yield
    finally:
        services.orders.list_orders = original


def context(rt: Runtime, rows: Rows, size: int) -> CustomerContext:
    """What `app.graphql.GraphQLApp.get_context` builds, with the loaders pre-filled."""
    customer_id = rows.customer.id
    assert customer_id is not None
    loaders = Loaders(db=rt.db)
    loaders.customer_by_id.prime(customer_id, rows.customer)
    for order in rows.pages[size].items:
        assert order.id is not None
        loaders.line_items_by_order_id.prime(order.id, rows.lines[order.id])
        loaders.events_by_order_id.prime(order.id, rows.events[order.id])
        loaders.discounts_by_order_id.prime(order.id, rows.discounts[order.id])
    return CustomerContext(
        request=None,  # type: ignore[arg-type]
        response=None,  # type: ignore[arg-type]
        rt=rt,
        loaders=loaders,
        actor=Actor.customer(customer_id),
        viewer=Viewer(customer=rows.customer, session_id=0),
        request_id="floor",
        client_ip="127.0.0.1",
        user_agent=None,
        idempotency_key=None,
    )


async def measure(seconds: float) -> dict[str, Any]:
    os.environ.update(app_env(port=free_port(), smtp_port=free_port()))
    settings = load_settings()
    rt = build_runtime(settings)
    rows = await load_rows(rt)
    # The floor is graphql-core's executor; bench/compiled.py measures the plans beside it.
    schema = build_schema(settings.model_copy(update={"compiled_plans": False}))

    async def execute(size: int) -> bytes:
        result = await schema.execute(
            DASHBOARD,
            variable_values={"n": size},
            context_value=context(rt, rows, size),
            operation_name="Dashboard",
        )
        assert not result.errors, result.errors
        return orjson.dumps(process_result(result))

    out: dict[str, Any] = {"sizes": {}}
    with in_memory_pages(rows):
        for size in PAGE_SIZES:
            await execute(size)  # fill the parser and validation caches, as a warm server has
        settle_heap()  # the server's GC setup (app.main), so collections cost the same
        for size in PAGE_SIZES:
            body = await execute(size)
            # Batches of executions; the median batch keeps a stray pause out of the figure.
            wall: list[float] = []
            cpu: list[float] = []
            deadline = time.perf_counter() + seconds
            batch = 20
            while time.perf_counter() < deadline or len(wall) < 5:
                w, c = time.perf_counter(), time.process_time()
                for _ in range(batch):
                    await execute(size)
                wall.append((time.perf_counter() - w) / batch)
                cpu.append((time.process_time() - c) / batch)
            out["sizes"][str(size)] = {
                "wall_ms": statistics.median(wall) * 1000,
                "cpu_ms": statistics.median(cpu) * 1000,
                "executions": len(wall) * batch,
                "bytes": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per page size")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = uvloop.run(measure(args.seconds))
    if args.json:
        print(orjson.dumps(result).decode())
        return
    print(f"{'first':>6} {'ms/exec':>8} {'CPU ms':>8} {'KiB':>7}")
    for size, row in result["sizes"].items():
        print(f"{size:>6} {row['wall_ms']:>8.2f} {row['cpu_ms']:>8.2f} {row['bytes'] / 1024:>7.1f}")


if __name__ == "__main__":
    main()
