"""What every benchmark script shares: the database, the secret, the documents, the bench
customers and the environment each server is started with."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path

import asyncpg

from auth.tokens import keyed_hash, new_token

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# A plain libpq/asyncpg DSN; the app is given the same database as a SQLAlchemy URL.
DSN = os.environ.get("BENCH_DSN", "postgresql://postgres@127.0.0.1:5432/bench")

# Fixed, so that sessions created by one script authenticate in the servers of another.
SECRET_KEY = "bench-only-secret-key-0123456789abcdef"
SESSION_TTL = 30 * 86_400
MAX_QUERY_COST = 5_000  # the app's default; it appears in `extensions.cost`

# The dashboard of the issue, field for field (every name exists in schema.graphql).
DASHBOARD = (
    "query Dashboard($n: Int!) { me { firstName lastName email orders(first: $n) { "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { node { "
    "number placedAt status summary { total { amount currencyCode } } "
    "shippingAddress { line1 city countryCode } "
    "lineItems { title quantity unitPrice { amount currencyCode } } "
    "timeline { status happenedAt message trackingNumber } } } } } }"
)
# The same document with a cursor, for the deep-page check.
DASHBOARD_AFTER = DASHBOARD.replace("($n: Int!)", "($n: Int!, $after: String)").replace(
    "orders(first: $n)", "orders(first: $n, after: $after)"
)

# Bulk data (bench/seed_bulk.py).
CUSTOMERS = 100_000
ORDERS = 1_000_000
BENCH_EMAIL = "bench@bench.example"  # 150 orders: pages of 1, 20 and 100 all have a next page
BENCH_ORDERS = 150
DEEP_EMAIL = "deep@bench.example"  # the long history for the deep-page check
DEEP_ORDERS = 100_000

PAGE_SIZES = (1, 20, 100)
A_PORT = 8101
B_PORT = 8102


def sqlalchemy_url(dsn: str = DSN) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_env(*, port: int, smtp_port: int) -> dict[str, str]:
    """The environment of the API under test: APP_ENV=production, as deployed.

    Production refuses console email/SMS, so mail goes over SMTP to the bench's
    sink and SMS is off. The per-IP login limit is raised because every bench
    request comes from 127.0.0.1; it only matters for the login measurement.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOGIN_", "MAX_QUERY_"))}
    env.update(
        APP_ENV="production",
        DATABASE_URL=sqlalchemy_url(),
        SECRET_KEY=SECRET_KEY,
        PUBLIC_URL=f"http://127.0.0.1:{port}",
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="WARNING",
        EMAIL_BACKEND="smtp",
        SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        SMS_BACKEND="none",
        SESSION_TTL=str(SESSION_TTL),
        LOGIN_REQUESTS_PER_IP="100000000",
        VAR_DIR=tempfile.gettempdir(),
        PYTHONPATH=str(ROOT),
    )
    return env


async def new_session(conn: asyncpg.Connection, email: str) -> str:
    """A bearer token for `email`, stored as the API stores one (`auth.sessions.issue`)."""
    token = new_token()
    found = await conn.fetchval(
        "INSERT INTO customer_session (token_hash, customer_id, created_at, expires_at,"
        " user_agent, ip_address)"
        " SELECT $1, id, now(), now() + make_interval(secs => $3), 'bench', '127.0.0.1'"
        " FROM customer WHERE email = $2 RETURNING id",
        keyed_hash(SECRET_KEY.encode(), "session", token),
        email,
        float(SESSION_TTL),
    )
    if found is None:
        raise SystemExit(f"no customer {email}: run `python -m bench.seed_bulk` first")
    return token
