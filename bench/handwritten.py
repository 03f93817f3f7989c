"""The yardstick: the dashboard answered by hand, one SQL statement per request.

    BENCH_DSN=postgresql://... SECRET_KEY=... uvicorn bench.handwritten:app --workers 2

Starlette + asyncpg + orjson, no GraphQL and no ORM. It accepts exactly the dashboard
document (`bench.common.DASHBOARD`) and answers with the same bytes as the API:
the session check (the same keyed hash of the bearer token, looked up in
`customer_session` with the same sliding expiry), the page of orders, their line
items and timelines and the JSON itself are all one statement, and the response is
that statement's text with the envelope around it.

PostgreSQL's `json_agg` and `json_build_object` write `", "` and `" : "` between
items; orjson (the API's encoder) writes none, so the statement builds objects with
`row_to_json` and arrays with `array_to_json(array_agg(...))`, which are compact,
and nothing is parsed or re-encoded in Python.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.common import DASHBOARD, DSN, MAX_QUERY_COST, SECRET_KEY, SESSION_TTL

MAX_PAGE = 100
REFRESH_EVERY = 3_600  # seconds; the API slides a session forward at most once an hour


def iso(ts: str) -> str:
    """SQL for Python's `datetime.isoformat()` of an aware UTC timestamp."""
    utc = f"({ts} AT TIME ZONE 'UTC')"
    return (
        f"""to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
        f" || CASE WHEN to_char({utc}, 'US') = '000000' THEN ''"
        f" ELSE '.' || to_char({utc}, 'US') END || '+00:00'"
    )


def amount(value: str) -> str:
    """SQL for the API's Money.amount: cents exactly ("9.00"), sub-cent digits kept."""
    return (
        f"CASE WHEN {value} = round({value}, 2) THEN round({value}, 2)::text"
        f" ELSE trim_scale({value})::text END"
    )


def money(value: str, currency: str) -> str:
    return (
        f"(SELECT row_to_json(m) FROM (SELECT {amount(value)} AS amount,"
        f' {currency} AS "currencyCode") AS m)'
    )


def json_array(element: str, source: str, order: str) -> str:
    """A compact JSON array of `element` over `source`, `[]` when empty."""
    return (
        f"(SELECT coalesce(array_to_json(array_agg({element} ORDER BY {order})), '[]'::json)"
        f" FROM {source})"
    )


# $1 the keyed hash of the token, $2 the page size, $3 the session TTL in seconds.
DASHBOARD_SQL = f"""
WITH viewer AS (
    SELECT c.id, c.first_name, c.last_name, c.email, s.id AS session_id
    FROM customer_session AS s JOIN customer AS c ON c.id = s.customer_id
    WHERE s.token_hash = $1 AND s.expires_at > now()
), refreshed AS (
    UPDATE customer_session SET expires_at = now() + make_interval(secs => $3)
    WHERE id = (SELECT session_id FROM viewer)
      AND expires_at - now() < make_interval(secs => $3 - {REFRESH_EVERY})
    RETURNING id
), page AS (
    SELECT o.*, row_number() OVER (ORDER BY o.placed_at DESC, o.id DESC) AS rn,
           {iso("o.placed_at")} AS placed_iso
    FROM (
        SELECT * FROM customer_order
        WHERE customer_id = (SELECT id FROM viewer)
        ORDER BY placed_at DESC, id DESC
        LIMIT $2 + 1
    ) AS o
), shown AS (
    SELECT p.*, rtrim(translate(encode(convert_to(
               '[["d","' || p.placed_iso || '"],["i",' || p.id || ']]', 'UTF8'), 'base64'),
               E'+/\\n', '-_'), '=') AS cursor
    FROM page AS p WHERE p.rn <= $2
), edges AS (
    SELECT s.rn, (SELECT row_to_json(e) FROM (SELECT (SELECT row_to_json(n) FROM (SELECT
        s.number,
        s.placed_iso AS "placedAt",
        s.status,
        (SELECT row_to_json(t) FROM (SELECT {money("s.total", "s.currency_code")} AS total) AS t)
            AS summary,
        CASE WHEN s.shipping_address IS NOT NULL AND s.shipping_address::text <> '{{}}' THEN
            (SELECT row_to_json(a) FROM (SELECT
                coalesce(s.shipping_address ->> 'line1', '') AS line1,
                coalesce(s.shipping_address ->> 'city', '') AS city,
                coalesce(s.shipping_address ->> 'country_code', '') AS "countryCode") AS a)
        END AS "shippingAddress",
        {
    json_array(
        "(SELECT row_to_json(l) FROM (SELECT li.title, li.quantity,"
        f' {money("li.unit_price", "s.currency_code")} AS "unitPrice") AS l)',
        "order_line_item AS li WHERE li.order_id = s.id",
        "li.position, li.id",
    )
} AS "lineItems",
        {
    json_array(
        f'(SELECT row_to_json(f) FROM (SELECT fe.status, {iso("fe.happened_at")} AS "happenedAt",'
        ' fe.message, fe.tracking_number AS "trackingNumber") AS f)',
        "fulfillment_event AS fe WHERE fe.order_id = s.id",
        "fe.happened_at, fe.id",
    )
} AS timeline
    ) AS n) AS node) AS e) AS edge
    FROM shown AS s
)
SELECT (SELECT row_to_json(me) FROM (SELECT
    v.first_name AS "firstName", v.last_name AS "lastName", v.email,
    (SELECT row_to_json(c) FROM (SELECT
        (SELECT row_to_json(pi) FROM (SELECT
            (SELECT count(*) FROM page) > $2 AS "hasNextPage",
            false AS "hasPreviousPage",
            (SELECT cursor FROM shown ORDER BY rn LIMIT 1) AS "startCursor",
            (SELECT cursor FROM shown ORDER BY rn DESC LIMIT 1) AS "endCursor") AS pi)
            AS "pageInfo",
        {json_array("edge", "edges", "rn")} AS edges) AS c) AS orders) AS me)
FROM viewer AS v
"""


def token_hash(secret: bytes, token: str) -> str:
    """`auth.tokens.keyed_hash(secret, "session", token)`, restated so B stands alone."""
    return hmac.new(secret, f"session\x00{token}".encode(), hashlib.sha256).hexdigest()


def envelope(me: bytes, size: int) -> bytes:
    # The API's static cost of this document: me (1) + orders (1) + the page size times
    # the 9 object fields under orders (pageInfo, edges, node, summary, total,
    # shippingAddress, lineItems, unitPrice, timeline).
    cost = 2 + 9 * size
    return (
        b'{"data":{"me":'
        + me
        + b'},"extensions":{"cost":{"requestedQueryCost":'
        + str(cost).encode()
        + b',"maximumAvailable":'
        + str(MAX_QUERY_COST).encode()
        + b"}}}"
    )


class Dashboard:
    def __init__(self, dsn: str, secret: bytes) -> None:
        self.dsn = dsn
        self.secret = secret
        self.pool: asyncpg.Pool | None = None

    async def handle(self, request: Request) -> Response:
        try:
            body = orjson.loads(await request.body())
            size = body["variables"]["n"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return Response(b'{"error":"bad request"}', 400, media_type="application/json")
        if body.get("query") != DASHBOARD or type(size) is not int or size < 0:
            return Response(b'{"error":"only the dashboard"}', 400, media_type="application/json")
        size = min(size, MAX_PAGE)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        me = None
        if scheme.lower() == "bearer" and token and len(token) <= 200:
            assert self.pool is not None
            me = await self.pool.fetchval(
                DASHBOARD_SQL, token_hash(self.secret, token), size, SESSION_TTL
            )
        return Response(
            envelope(b"null" if me is None else me.encode(), size),
            media_type="application/json",
        )


async def _keep(conn: asyncpg.Connection) -> None:
    return None


async def healthz(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


def build_app(dsn: str = DSN, secret: str | None = None) -> Starlette:
    dashboard = Dashboard(dsn, (secret or os.environ.get("SECRET_KEY", SECRET_KEY)).encode())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # One pool per worker process, opened after the fork, like the API's engine.
        # The statement leaves no session state behind (no SET, LISTEN, cursor or advisory
        # lock), so asyncpg's reset query on every release would be a wasted round trip.
        dashboard.pool = await asyncpg.create_pool(dsn, min_size=4, max_size=10, reset=_keep)
        yield
        await dashboard.pool.close()

    return Starlette(
        routes=[
            Route("/graphql", dashboard.handle, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


app = build_app()
