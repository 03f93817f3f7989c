"""Fill a PostgreSQL database with a million orders, in a few minutes, with server-side SQL.

    .venv/bin/python -m bench.seed_bulk [--force]

Creates the database named by BENCH_DSN if missing, builds the schema with the app's
own migrations (`python -m app migrate`), then inserts, in one transaction:

- 100,000 customers with 10 orders each (1,000,000 orders), interleaved by id so a
  customer's orders are spread over the table as they would be in a real store;
- `bench@bench.example` with 150 orders (the dashboard customer);
- `deep@bench.example` with 100,000 orders (the deep-page check);
- 2-3 line items and 1-3 fulfillment events per order, a shipping and billing
  address snapshot on every order, some amounts with sub-cent digits, some
  timestamps with microseconds and pairs of orders placed at the same instant
  (the keyset's tie-break on id), non-ASCII cities and quotes in titles.

Everything is `INSERT ... SELECT ... generate_series`, never the ORM row by row.
A second run finds the deep customer and does nothing: the one transaction means
a half-seeded database cannot look seeded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time

import asyncpg

from bench.common import (
    BENCH_EMAIL,
    BENCH_ORDERS,
    CUSTOMERS,
    DEEP_EMAIL,
    DEEP_ORDERS,
    DSN,
    ORDERS,
    PYTHON,
    ROOT,
    sqlalchemy_url,
)

BASE = "TIMESTAMPTZ '2025-06-01 12:00:00+00'"

# Customer ids: 1..CUSTOMERS are the crowd, then the two bench customers.
BENCH_ID = CUSTOMERS + 1
DEEP_ID = CUSTOMERS + 2

CUSTOMERS_SQL = f"""
INSERT INTO customer (id, email, first_name, last_name, language, marketing_email,
                      marketing_sms, created_at, updated_at)
SELECT g,
       CASE g WHEN {BENCH_ID} THEN '{BENCH_EMAIL}' WHEN {DEEP_ID} THEN '{DEEP_EMAIL}'
              ELSE 'customer' || g || '@bench.example' END,
       (ARRAY['Ada','Grace','Jean','Zoë','Émile','Linus','Margaret','Alan'])[1 + g % 8],
       (ARRAY['Lovelace','Hopper','Bartik','Müller','O''Brien','Turing'])[1 + g % 6],
       'en', g % 3 = 0, false,
       {BASE} - make_interval(days => g % 900), {BASE}
FROM generate_series(1, {DEEP_ID}) AS g
"""

# One row per order: (order id, customer id, index of the order in its customer's history).
# The crowd's orders are interleaved (order g belongs to customer g mod CUSTOMERS), the
# bench customers' orders come after them.
ORDER_SOURCE = f"""
SELECT g AS id, 1 + g % {CUSTOMERS} AS customer_id, g / {CUSTOMERS} AS k
FROM generate_series(1, {ORDERS}) AS g
UNION ALL
SELECT {ORDERS} + k + 1, {BENCH_ID}, k FROM generate_series(0, {BENCH_ORDERS - 1}) AS k
UNION ALL
SELECT {ORDERS} + {BENCH_ORDERS} + k + 1, {DEEP_ID}, k
FROM generate_series(0, {DEEP_ORDERS - 1}) AS k
"""

# Line i of order g; the same expressions give the order's subtotal.
UNIT_PRICE = (
    "(((g * 31 + i * 17) % 9000 + 100) / 100.0 + CASE WHEN g % 97 = 0 THEN 0.005 ELSE 0 END)"
)
QUANTITY = "(1 + (g + i) % 3)"
LINES = "(1 + g % 2)"  # last line index: 2 or 3 lines

ORDERS_SQL = f"""
INSERT INTO customer_order (
    id, customer_id, number, placed_at, status, fulfillment_status, currency_code,
    subtotal, shipping_total, tax_total, total, email, phone, payment_brand, payment_last4,
    shipping_address, billing_address, shipping_method_title, shipping_method_price,
    invoice_number, cancelled_at, cancel_reason, version)
SELECT o.id, o.customer_id, '#' || (100000 + o.id), p.placed_at,
       CASE WHEN o.id % 10 = 0 THEN 'CANCELLED' WHEN o.id % 10 < 7 THEN 'COMPLETED'
            ELSE 'OPEN' END,
       (ARRAY['FULFILLED','IN_TRANSIT','DELIVERED'])[1 + o.id % 3],
       m.currency, m.subtotal, m.shipping, round(m.subtotal * 0.08, 2),
       m.subtotal + m.shipping + round(m.subtotal * 0.08, 2),
       c.email, NULL, 'Visa', lpad((o.id % 10000)::text, 4, '0'),
       a.snapshot, a.snapshot, 'Standard (3-5 days)', m.shipping,
       'INV-' || (100000 + o.id),
       CASE WHEN o.id % 10 = 0 THEN p.placed_at + interval '2 hours' END,
       CASE WHEN o.id % 10 = 0 THEN 'Changed my mind' END, 1
FROM ({ORDER_SOURCE}) AS o
JOIN customer c ON c.id = o.customer_id
CROSS JOIN LATERAL (
    -- Pairs (2j, 2j+1) share an instant, and half the pairs carry microseconds.
    SELECT {BASE} - make_interval(secs => (o.k / 2) * 420 + o.customer_id % 3600)
           + CASE WHEN o.k % 4 >= 2 THEN interval '0.123456 seconds' ELSE interval '0' END
           AS placed_at
) AS p
CROSS JOIN LATERAL (
    SELECT CASE WHEN o.id % 20 = 0 THEN 'EUR' ELSE 'USD' END AS currency,
           CASE WHEN o.id % 5 = 0 THEN 0 ELSE 4.99 END AS shipping,
           (SELECT sum({UNIT_PRICE} * {QUANTITY})
              FROM (SELECT o.id AS g) AS x, generate_series(0, 1 + o.id % 2) AS i) AS subtotal
) AS m
CROSS JOIN LATERAL (
    SELECT json_build_object(
        'first_name', c.first_name, 'last_name', c.last_name, 'company', NULL,
        'line1', (o.id % 9999 + 1) || ' "Old" Mill Road', 'line2', NULL,
        'city', (ARRAY['Brooklyn','Montréal','Zürich','São Paulo','Boston','Toronto'])
                [1 + o.id % 6],
        'province', NULL, 'postal_code', lpad((o.id % 99999)::text, 5, '0'),
        'country_code', (ARRAY['US','CA','CH','BR','US','CA'])[1 + o.id % 6],
        'phone', NULL) AS snapshot
) AS a
"""

LINE_ITEMS_SQL = f"""
INSERT INTO order_line_item (order_id, variant_id, title, variant_title, sku, quantity,
                             unit_price, total_price, position)
SELECT g, NULL,
       (ARRAY['Organic Cotton Tee','Wool Socks (3 pack)','Canvas Tote "Classic"',
              'Ceramic Mug','Linen Shirt','Café Blend 1kg'])[1 + (g + i) % 6],
       (ARRAY['S','M','L'])[1 + i % 3], 'SKU-' || (g % 5000) || '-' || i,
       {QUANTITY}, {UNIT_PRICE}, {UNIT_PRICE} * {QUANTITY}, i
FROM customer_order AS o(g), generate_series(0, {LINES}) AS i
"""

EVENTS_SQL = """
INSERT INTO fulfillment_event (order_id, status, happened_at, message, tracking_number,
                               tracking_url, carrier)
SELECT o.id, (ARRAY['FULFILLED','IN_TRANSIT','DELIVERED'])[1 + e],
       o.placed_at + make_interval(days => e + 1)
       + CASE WHEN e = 1 THEN interval '0.5 seconds' ELSE interval '0' END,
       (ARRAY['Packed and handed to the carrier', 'On its way',
              'Delivered to the front door'])[1 + e],
       CASE WHEN e > 0 THEN '1Z' || lpad(o.id::text, 12, '0') END,
       CASE WHEN e > 0 THEN 'https://carrier.example/track/1Z' || o.id END,
       CASE WHEN e > 0 THEN 'UPS' END
FROM customer_order AS o, generate_series(0, o.id % 3) AS e
"""

SHOP_SQL = """
INSERT INTO shop (id, name, currency_code, time_zone, locale)
VALUES (1, 'Bench Store', 'USD', 'UTC', 'en') ON CONFLICT (id) DO NOTHING
"""

SEQUENCES = ("customer", "customer_order", "order_line_item", "fulfillment_event", "shop")


def migrate() -> None:
    """The schema comes from the app's own migrations, exactly as deployed."""
    env = dict(
        os.environ,
        DATABASE_URL=sqlalchemy_url(),
        APP_ENV="development",
        LOG_LEVEL="WARNING",
        VAR_DIR=tempfile.gettempdir(),
    )
    subprocess.run([PYTHON, "-m", "app", "migrate"], cwd=ROOT, env=env, check=True)


async def create_database() -> None:
    base, _, name = DSN.rpartition("/")
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)
    finally:
        await conn.close()


async def is_seeded(conn: asyncpg.Connection) -> bool:
    return bool(await conn.fetchval("SELECT 1 FROM customer WHERE email = $1", DEEP_EMAIL))


async def seed(force: bool = False) -> None:
    await create_database()
    migrate()
    conn = await asyncpg.connect(DSN)
    try:
        if await is_seeded(conn) and not force:
            print("bulk data already present: seeding skipped", flush=True)
            return
        if await conn.fetchval("SELECT count(*) FROM customer_order") and not force:
            sys.exit("the database has orders but not the bench data: use a fresh one, or --force")
        started = time.perf_counter()
        async with conn.transaction():
            # Nothing to lose if the machine dies mid-seed: the transaction is all or nothing.
            await conn.execute("SET LOCAL synchronous_commit = off")
            await conn.execute("SET LOCAL work_mem = '256MB'")
            if force:
                await conn.execute(
                    "TRUNCATE customer, customer_order, order_line_item, fulfillment_event,"
                    " customer_session, login_challenge, magic_link, throttle CASCADE"
                )
            for label, sql in (
                ("shop", SHOP_SQL),
                ("customers", CUSTOMERS_SQL),
                ("orders", ORDERS_SQL),
                ("line items", LINE_ITEMS_SQL),
                ("fulfillment events", EVENTS_SQL),
            ):
                step = time.perf_counter()
                status = await conn.execute(sql)
                rows = status.rsplit(" ", 1)[-1]
                print(f"  {label}: {rows} rows in {time.perf_counter() - step:.0f} s", flush=True)
            for table in SEQUENCES:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
        step = time.perf_counter()
        # Fresh statistics and visibility map, as autovacuum would leave them in production.
        await conn.execute("VACUUM (ANALYZE)")
        print(f"  vacuum analyze in {time.perf_counter() - step:.0f} s", flush=True)
        print(f"bulk data seeded in {time.perf_counter() - started:.0f} s", flush=True)
    finally:
        await conn.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--force", action="store_true", help="wipe and seed again")
    asyncio.run(seed(parser.parse_args().force))
