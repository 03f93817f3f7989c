"""Compiled plans next to the floor: the dashboard's CPU per execution, in one process.

    .venv/bin/python -m bench.compiled [--rounds 7] [--batch 40] [--scratch] [--json]

Both sides are bench/floor.py's set-up: the bench customer's rows read once, a fresh
primed `Loaders` per execution, the page from memory, then Strawberry's result
shaping and orjson as the server does. One schema answers with graphql-core's
executor (`COMPILED_PLANS` off: the floor), the other from the plan compiled for
the document. Before anything is timed, both answers are compared byte for byte
for every page size. Rounds alternate which side goes first; each figure is the
median over the rounds of `time.process_time` per execution.

`--scratch` seeds a SQLite file with a customer shaped like the bench one (150
orders, 2-3 lines and 1-3 timeline steps each, address snapshots, sub-cent
amounts) instead of reading the bench database, for a machine without it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson
import uvloop
from strawberry.http import process_result

import models
from app.main import settle_heap
from bench.common import BENCH_EMAIL, BENCH_ORDERS, DASHBOARD, PAGE_SIZES, app_env, free_port
from bench.floor import context, in_memory_pages, load_rows
from config import load_settings
from demo import builders
from domain.statuses import FulfillmentStatus
from models.customer import Customer
from plumbing.runtime import Runtime, build_runtime
from schema.common.plans import plans_of
from schema.customer import build_schema

SIDES = ("floor", "compiled")


async def seed_scratch(rt: Runtime) -> None:
    """The bench customer's shape in a fresh database (see the module's docstring)."""
    async with rt.db.write_engine.begin() as conn:
        await conn.run_sync(models.metadata.create_all)
    start = datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=UTC)
    address = {
        "firstName": "Zoë",
        "lastName": 'O"Brien',
        "line1": "1 Rue d\u2019\u00c9t\u00e9",
        "city": "Montréal",
        "province": "QC",
        "postalCode": "H2X 1Y4",
        "countryCode": "CA",
    }
    steps = [
        builders.Step(FulfillmentStatus.UNFULFILLED, timedelta(0), "Order placed"),
        builders.Step(
            FulfillmentStatus.IN_TRANSIT,
            timedelta(days=1),
            "On its way",
            builders.Tracking("UPS", "1Z999AA10123456784", "https://ups.example/t"),
        ),
        builders.Step(FulfillmentStatus.DELIVERED, timedelta(days=3), "Delivered"),
    ]
    async with rt.db.transaction() as session:
        customer = Customer(
            email=BENCH_EMAIL,
            first_name="Bench",
            last_name="Mark",
            created_at=start,
            updated_at=start,
        )
        session.add(customer)
        await session.flush()
        for i in range(BENCH_ORDERS):
            lines = [
                (builders.GoneVariant(f"Product {i}-{k}", "Large", Decimal("9.9950")), k + 1)
                for k in range(2 + i % 2)
            ]
            await builders.order(
                session,
                customer=customer,
                number=f"#{1000 + i}",
                placed_at=start + timedelta(hours=i, microseconds=0 if i % 3 else 1),
                lines=lines,
                timeline=steps[: 1 + i % 3],
                shipping=builders.Shipping("Standard", Decimal("5.00")),
                tax_rate=Decimal("0.0825"),
                payment=("Visa", "4242"),
                shipping_address=address,
                billing_address=address,
            )


async def measure(rounds: int, batch: int, scratch: bool) -> dict[str, Any]:
    os.environ.update(app_env(port=free_port(), smtp_port=free_port()))
    if scratch:
        path = os.path.join(tempfile.mkdtemp(prefix="bench-compiled-"), "scratch.db")
        os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{path}"
    settings = load_settings()
    rt = build_runtime(settings)
    if scratch:
        await seed_scratch(rt)
    rows = await load_rows(rt)
    schemas = {
        side: build_schema(settings.model_copy(update={"compiled_plans": side == "compiled"}))
        for side in SIDES
    }

    async def execute(side: str, size: int) -> bytes:
        result = await schemas[side].execute(
            DASHBOARD,
            variable_values={"n": size},
            context_value=context(rt, rows, size),
            operation_name="Dashboard",
        )
        assert not result.errors, result.errors
        return orjson.dumps(process_result(result))

    out: dict[str, Any] = {"sizes": {}}
    with in_memory_pages(rows):
        bodies = {size: {side: await execute(side, size) for side in SIDES} for size in PAGE_SIZES}
        for size, body in bodies.items():
            if body["floor"] != body["compiled"]:
                raise SystemExit(f"FAIL: the compiled plan's answer differs at first={size}")
        settle_heap()
        for size in PAGE_SIZES:
            cpu: dict[str, list[float]] = {side: [] for side in SIDES}
            for r in range(rounds):
                for side in SIDES if r % 2 == 0 else SIDES[::-1]:
                    started = time.process_time()
                    for _ in range(batch):
                        await execute(side, size)
                    cpu[side].append((time.process_time() - started) / batch)
            floor, compiled = (statistics.median(cpu[side]) * 1000 for side in SIDES)
            out["sizes"][str(size)] = {
                "floor_cpu_ms": floor,
                "compiled_cpu_ms": compiled,
                "ratio": floor / compiled,
                "bytes": len(bodies[size]["floor"]),
                "sha256": hashlib.sha256(bodies[size]["floor"]).hexdigest(),
            }
    plans = plans_of(schemas["compiled"])
    assert plans is not None and plans.stats.fallbacks == 0 and plans.stats.compiled == 1
    out["plans_served"] = plans.stats.served
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternated rounds per page size")
    parser.add_argument("--batch", type=int, default=40, help="executions per round and side")
    parser.add_argument("--scratch", action="store_true", help="seed a SQLite file instead")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = uvloop.run(measure(args.rounds, args.batch, args.scratch))
    if args.json:
        print(orjson.dumps(result).decode())
        return
    print(
        f"{'first':>6} {'floor CPU ms':>13} {'compiled CPU ms':>16}"
        f" {'floor/compiled':>15} {'KiB':>7}"
    )
    for size, row in result["sizes"].items():
        print(
            f"{size:>6} {row['floor_cpu_ms']:>13.2f} {row['compiled_cpu_ms']:>16.2f}"
            f" {row['ratio']:>14.1f}x {row['bytes'] / 1024:>7.1f}"
        )


if __name__ == "__main__":
    main()
