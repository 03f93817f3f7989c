"""Benchmark: the account dashboard query through the ASGI app.

Prints latency percentiles, SQL statements per request and response size for
customers with 1, 20 and 100 orders. Uses a throwaway SQLite file, or the
database in BENCH_DATABASE_URL (PostgreSQL: a throwaway schema).

    .venv/bin/python bench/dashboard.py [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models
from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from adapters.sms import ConsoleSmsBackend
from app.main import create_app
from config import Settings
from models.database import Database
from plumbing.runtime import build_runtime
from tests import factories
from tests.graphql.test_dashboard import DASHBOARD, given_a_customer_with
from tests.support import GraphQLClient, count_statements


async def main(runs: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-"))
    pg = os.environ.get("BENCH_DATABASE_URL")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    if pg:
        db = Database(pg, schema=schema)
        async with db.write_engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp / 'bench.db'}")
    async with db.write_engine.begin() as conn:
        if pg:
            await conn.execute(text(f'SET search_path TO "{schema}"'))
        await conn.run_sync(models.metadata.create_all)
    settings = Settings(
        app_env="test", var_dir=tmp, secret_key="bench-" + "x" * 40, max_query_cost=100_000
    )
    rt = build_runtime(
        settings,
        db=db,
        clock=ManualClock(),
        mailer=ConsoleEmailBackend("bench@example.com", None),
        sms=ConsoleSmsBackend(),
    )
    await factories.shop(rt)
    app = create_app(settings, runtime=rt)
    transport = httpx.ASGITransport(app=app)
    print(f"backend: {db.url.get_backend_name()}  runs per size: {runs}")
    print(f"{'orders':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL/req':>8} {'KiB':>7}")
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        gql = GraphQLClient(http)
        for n in (1, 20, 100):
            token = await given_a_customer_with(rt, gql, n)
            await gql.data(DASHBOARD, {"n": n}, token=token)
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = await gql.raw(DASHBOARD, {"n": n}, token=token)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            with count_statements(db) as counter:
                await gql.data(DASHBOARD, {"n": n}, token=token)
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            print(
                f"{n:>6} {statistics.median(timings):>8.1f} {p95:>8.1f} {timings[-1]:>8.1f}"
                f" {counter.count:>8} {len(response.content) / 1024:>7.1f}"
            )
    await db.dispose()
    if pg:
        cleanup = Database(pg)
        async with cleanup.write_engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await cleanup.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    asyncio.run(main(parser.parse_args().runs))
