"""Load test: mixed storefront traffic against `serve --workers 2` on PostgreSQL.

    .venv/bin/python -m bench.load [--seconds 300] [--users 16] [--customers 300]

(`make load` runs it for five minutes.) It recreates the database named by LOAD_DSN
(default `postgresql://postgres@127.0.0.1:5432/load`), migrates it and loads the demo
store, then adds `--customers` shoppers, each with a copy of the demo customers' order
history. Mail goes over SMTP to a sink in this process, which hands each login code to
the virtual user waiting for it.

Each virtual user signs in by email code as one shopper, then browses as a storefront
would: the dashboard, the next page of orders, an order, an address added and removed,
sometimes a support ticket; every twenty actions it signs in again as another shopper.
It reports, per operation, the requests, the errors (any non-200, top-level error or
user error: there must be none), p50 and p99, and the resident memory of the server's
processes when it was ready, after a warm-up, and at the end. Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import subprocess
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
from aiosmtpd.smtp import SMTP

from bench.common import PYTHON, ROOT, app_env, free_port, sqlalchemy_url
from bench.harness import Server, start_api
from bench.login import REQUEST, VERIFY, Sink

DSN = os.environ.get("LOAD_DSN", "postgresql://postgres@127.0.0.1:5432/load")
SHOPPER = "shopper{}@load.example"
ACTIONS_PER_LOGIN = 20
WARMUP_SECONDS = 15

DASHBOARD = """query Dashboard {
  shop { name currencyCode settings { orderCancellationEnabled supportEnabled } }
  me {
    firstName lastName email phone language marketingConsent { email sms }
    defaultShippingAddress { line1 city countryCode }
    paymentMethods { id brand last4 expiryMonth expiryYear isDefault }
    orders(first: 5) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id number placedAt status fulfillmentStatus canCancel
        lineItems { title variantTitle quantity totalPrice { amount currencyCode } }
        summary { subtotal { amount } shipping { amount } tax { amount }
                  total { amount currencyCode } }
        timeline { status happenedAt message carrier trackingNumber trackingUrl }
      } }
    }
    tickets(first: 10, status: OPEN) { edges { node { number subject status updatedAt } } }
  }
}"""
ORDERS_PAGE = """query($after: String) { me { orders(first: 5, after: $after) {
  pageInfo { hasNextPage endCursor }
  edges { node { id number placedAt status summary { total { amount currencyCode } } } } } } }"""
ORDER = """query($id: ID!) { node(id: $id) { ... on Order {
  number placedAt status fulfillmentStatus canCancel
  lineItems { title variantTitle quantity unitPrice { amount } totalPrice { amount } }
  summary { subtotal { amount } shipping { amount } tax { amount } total { amount } }
  shippingAddress { line1 city countryCode }
  timeline { status happenedAt message carrier trackingNumber } } } }"""
CREATE_ADDRESS = """mutation($line1: String!) { createAddress(input: {address: {
  line1: $line1, city: "Boston", province: "MA", postalCode: "02108", countryCode: "US"}}) {
  address { id } userErrors { code field message } } }"""
DELETE_ADDRESS = """mutation($id: ID!) { deleteAddress(input: {id: $id}) {
  deletedAddressId userErrors { code field message } } }"""
CREATE_TICKET = """mutation($orderId: ID) { createTicket(input: {subject: "Where is my parcel?",
  message: "It has not arrived yet.", orderId: $orderId}) {
  ticket { number status } userErrors { code field message } } }"""


# -- the database -----------------------------------------------------------------


def _app(command: str, env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "-m", "app", command], cwd=ROOT, env=env, check=True)


async def prepare_database(customers: int) -> None:
    base, _, name = DSN.rpartition("/")
    admin = await asyncpg.connect(f"{base}/postgres")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    env = dict(
        os.environ,
        DATABASE_URL=sqlalchemy_url(DSN),
        APP_ENV="development",
        LOG_LEVEL="WARNING",
        VAR_DIR=tempfile.gettempdir(),
    )
    _app("migrate", env)
    _app("seed", env)
    conn = await asyncpg.connect(DSN)
    try:
        async with conn.transaction():
            await _add_shoppers(conn, customers)
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        await conn.close()


async def _columns(conn: asyncpg.Connection, table: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return [row["column_name"] for row in rows]


async def _add_shoppers(conn: asyncpg.Connection, count: int) -> None:
    """`count` shoppers, each with a copy of every demo order (items and timeline too)."""
    await conn.execute(
        "INSERT INTO customer (email, first_name, last_name, language, marketing_email,"
        " marketing_sms, created_at, updated_at)"
        " SELECT format($1, g), 'Shopper', 'No. ' || g, 'en', false, false, now(), now()"
        " FROM generate_series(1, $2) AS g",
        SHOPPER.replace("{}", "%s"),
        count,
    )
    order_cols = [
        c
        for c in await _columns(conn, "customer_order")
        if c not in ("id", "customer_id", "number", "email", "invoice_number")
    ]
    item_cols = [c for c in await _columns(conn, "order_line_item") if c not in ("id", "order_id")]
    event_cols = [
        c for c in await _columns(conn, "fulfillment_event") if c not in ("id", "order_id")
    ]
    templates = await conn.fetch("SELECT id FROM customer_order ORDER BY id")
    for template in templates:
        await conn.execute(
            f"""
            WITH made AS (
              INSERT INTO customer_order (customer_id, number, email, invoice_number,
                                          {", ".join(order_cols)})
              SELECT c.id, t.number || '-' || c.id, c.email, t.invoice_number || '-' || c.id,
                     {", ".join("t." + col for col in order_cols)}
              FROM customer_order t, customer c
              WHERE t.id = $1 AND c.email LIKE '%@load.example'
              RETURNING id
            ), items AS (
              INSERT INTO order_line_item (order_id, {", ".join(item_cols)})
              SELECT made.id, {", ".join("i." + col for col in item_cols)}
              FROM made, order_line_item i WHERE i.order_id = $1
            )
            INSERT INTO fulfillment_event (order_id, {", ".join(event_cols)})
            SELECT made.id, {", ".join("e." + col for col in event_cols)}
            FROM made, fulfillment_event e WHERE e.order_id = $1
            """,
            template["id"],
        )
    orders = await conn.fetchval("SELECT count(*) FROM customer_order")
    print(f"seeded: the demo store, {count} shoppers, {orders} orders", flush=True)


# -- measuring --------------------------------------------------------------------


def rss_mib(server: Server) -> float:
    """Resident memory of the supervisor and its workers, in MiB."""
    total = 0
    for pid in [server.process.pid, *server.workers()]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


class Stats:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def error(self, operation: str, detail: str) -> None:
        self.errors[operation] += 1
        if len(self.samples) < 5:
            self.samples.append(f"{operation}: {detail}"[:300])

    def report(self, seconds: float) -> str:
        lines = [f"{'operation':<16}{'requests':>10}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}"]
        total = 0
        for operation in sorted(self.latencies.keys() | self.errors.keys()):
            values = sorted(self.latencies[operation])
            total += len(values) + self.errors[operation]
            p50 = statistics.median(values) * 1000 if values else 0.0
            p99 = values[max(0, int(len(values) * 0.99) - 1)] * 1000 if values else 0.0
            lines.append(
                f"{operation:<16}{len(values) + self.errors[operation]:>10}"
                f"{self.errors[operation]:>8}{p50:>9.1f}{p99:>9.1f}"
            )
        lines.append(f"{'all':<16}{total:>10}{sum(self.errors.values()):>8}")
        lines.append(f"{total / seconds:.0f} requests/s over {seconds:.0f} s")
        return "\n".join(lines)


# -- the virtual users ------------------------------------------------------------


class User:
    def __init__(self, http: httpx.AsyncClient, url: str, sink: Sink, stats: Stats) -> None:
        self.http = http
        self.url = url
        self.sink = sink
        self.stats = stats
        self.token = ""

    async def call(
        self, operation: str, query: str, variables: dict[str, Any] | None = None
    ) -> Any:
        """One request, timed; None (and an error counted) unless it fully succeeded."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        body = orjson.dumps({"query": query, "variables": variables or {}})
        started = time.perf_counter()
        try:
            response = await self.http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            self.stats.error(operation, repr(error))
            return None
        elapsed = time.perf_counter() - started
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            payload = None
        if response.status_code != 200 or not isinstance(payload, dict) or "errors" in payload:
            self.stats.error(operation, f"{response.status_code} {response.content[:200]!r}")
            return None
        data = payload["data"]
        result = next(iter(data.values())) if data else None
        if isinstance(result, dict) and result.get("userErrors"):
            self.stats.error(operation, str(result["userErrors"]))
            return None
        self.stats.latencies[operation].append(elapsed)
        return data

    async def login(self, email: str) -> bool:
        code = self.sink.expect(email)
        self.token = ""
        if await self.call("requestLoginCode", REQUEST, {"email": email}) is None:
            code.cancel()
            return False
        try:
            value = await asyncio.wait_for(code, 10)
        except TimeoutError:
            self.stats.error("requestLoginCode", f"no mail to {email} within 10 s")
            return False
        data = await self.call("verifyLoginCode", VERIFY, {"email": email, "code": value})
        if data is None:
            return False
        self.token = data["verifyLoginCode"]["session"]["token"]
        return True

    async def browse(self, actions: int, stop: float) -> None:
        done = 0
        while done < actions and time.monotonic() < stop:
            data = await self.call("dashboard", DASHBOARD)
            done += 1
            if data is None:
                continue
            orders = data["me"]["orders"]
            if orders["pageInfo"]["hasNextPage"]:
                await self.call(
                    "ordersPage", ORDERS_PAGE, {"after": orders["pageInfo"]["endCursor"]}
                )
                done += 1
            edges = orders["edges"]
            order_id = random.choice(edges)["node"]["id"] if edges else None
            if order_id:
                await self.call("order", ORDER, {"id": order_id})
                done += 1
            made = await self.call("createAddress", CREATE_ADDRESS, {"line1": f"{done} Main St"})
            done += 1
            if made is not None:
                address = made["createAddress"]["address"]["id"]
                await self.call("deleteAddress", DELETE_ADDRESS, {"id": address})
                done += 1
            if random.random() < 0.2:
                await self.call("createTicket", CREATE_TICKET, {"orderId": order_id})
                done += 1


async def drive(url: str, sink: Sink, stats: Stats, *, users: int, customers: int, stop: float):
    shoppers = itertools.cycle(random.sample(range(1, customers + 1), customers))

    async def user() -> None:
        async with httpx.AsyncClient(
            timeout=30, headers={"Content-Type": "application/json"}
        ) as http:
            visitor = User(http, url, sink, stats)
            while time.monotonic() < stop:
                if await visitor.login(SHOPPER.format(next(shoppers))):
                    await visitor.browse(ACTIONS_PER_LOGIN, stop)

    await asyncio.gather(*(user() for _ in range(users)))


async def main(seconds: float, users: int, customers: int) -> int:
    print(f"preparing {DSN} ...", flush=True)
    await prepare_database(customers)
    sink = Sink()
    smtp_port, port = free_port(), free_port()
    smtp = await asyncio.get_running_loop().create_server(
        lambda: SMTP(sink, hostname="load-sink", decode_data=False), "127.0.0.1", smtp_port
    )
    env = app_env(port=port, smtp_port=smtp_port)
    # One client address stands for thousands of shoppers here, and a shopper may
    # sign in more than three times in ten minutes over a long run.
    env.update(
        DATABASE_URL=sqlalchemy_url(DSN),
        LOGIN_CODES_PER_WINDOW="100000",
        LOG_LEVEL="WARNING",
    )
    log = Path(tempfile.gettempdir()) / "load-server.log"
    server = start_api(port, env, log)
    stats = Stats()
    try:
        await asyncio.to_thread(server.wait_ready)
        memory = {"ready": rss_mib(server)}
        started = time.monotonic()

        async def warm() -> None:
            await asyncio.sleep(min(WARMUP_SECONDS, seconds / 2))
            memory["warm"] = rss_mib(server)

        print(f"driving {users} users for {seconds:.0f} s against {server.url} ...", flush=True)
        await asyncio.gather(
            warm(),
            drive(
                server.url, sink, stats, users=users, customers=customers, stop=started + seconds
            ),
        )
        elapsed = time.monotonic() - started
        memory["end"] = rss_mib(server)
    finally:
        await asyncio.to_thread(server.stop)
        smtp.close()
    print(stats.report(elapsed))
    print(
        f"server RSS (supervisor + 2 workers): {memory['ready']:.0f} MiB when ready,"
        f" {memory['warm']:.0f} MiB after {min(WARMUP_SECONDS, seconds / 2):.0f} s,"
        f" {memory['end']:.0f} MiB at the end"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; log: {log}")
    for sample in stats.samples:
        print(f"  error: {sample}")
    return 1 if sum(stats.errors.values()) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="how long to drive (300)")
    parser.add_argument("--users", type=int, default=16, help="concurrent virtual users (16)")
    parser.add_argument("--customers", type=int, default=300, help="shoppers to add (300)")
    args = parser.parse_args()
    raise SystemExit(asyncio.run(main(args.seconds, args.users, args.customers)))
