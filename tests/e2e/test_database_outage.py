"""PostgreSQL out of reach behind a real TCP proxy: refused, reset or silent.

Every request that needs the database answers a JSON 503 with Retry-After within
seconds, never a hang; `/readyz` says so fast and recovers by itself; a mutation
cut off mid-transaction leaves nothing written; the outage is logged once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

import models
from models.address import Address
from models.availability import DatabaseUnavailable, Timeouts
from models.database import Database
from plumbing.runtime import Runtime
from tests import factories
from tests.conftest import PG_URL
from tests.graphql.addresses_support import CREATE, valid
from tests.tcp_proxy import Mode, TcpProxy

pytestmark = pytest.mark.skipif(not PG_URL, reason="a network path to PostgreSQL")

# Small bounds so the suite stays quick; production defaults are in config.
TIMEOUTS = Timeouts(connect=0.5, checkout=0.5, statement=1.0)
REQUEST_TIMEOUT = 3.0
# How soon a 503 must come, whatever the failure: the slowest path is a silent
# connection (statement timeout + 1 s on the client) plus scheduling slack.
PROMPT = 4.0

ME = "{ me { id email } }"
SHOP = "{ shop { name } }"
REQUEST_CODE = """mutation { requestLoginCode(input: {email: "new@example.com"}) {
  userErrors { code } } }"""


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    return {"request_timeout": REQUEST_TIMEOUT}


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    assert PG_URL
    url = make_url(PG_URL)
    server = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def db_timeouts() -> Timeouts:
    return TIMEOUTS


@pytest.fixture
async def db(proxy: TcpProxy, db_timeouts: Timeouts) -> AsyncIterator[Database]:
    """The app's database through the proxy; set-up and checks go around it."""
    assert PG_URL
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await conn.run_sync(models.metadata.create_all)
    proxied = make_url(PG_URL).set(host="127.0.0.1", port=proxy.port)
    database = Database(
        proxied.render_as_string(hide_password=False), schema=schema, timeouts=db_timeouts
    )
    database.direct = admin  # type: ignore[attr-defined]
    yield database
    proxy.set_mode("forward")
    await database.dispose()
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    await admin.dispose()


async def timed(call: Any) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await call
    return response, time.monotonic() - started


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/json"
    assert int(response.headers["retry-after"]) > 0
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "SERVICE_UNAVAILABLE",
        "requestId": response.headers["x-request-id"],
    }


def post(http: httpx.AsyncClient, query: str, variables: Any = None, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


@pytest.mark.parametrize("mode", ["refuse", "reset", "blackhole"])
async def test_every_kind_of_request_answers_503_promptly(
    http: httpx.AsyncClient, rt: Runtime, proxy: TcpProxy, mode: Mode
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    # The pool holds live connections when the outage starts, as in production.
    assert (await post(http, ME, token=token)).status_code == 200
    proxy.set_mode(mode)

    for query, variables, who in [
        (SHOP, None, None),
        (ME, None, token),
        (REQUEST_CODE, None, None),
        (CREATE, {"input": {"address": valid()}}, token),
    ]:
        response, seconds = await timed(post(http, query, variables, token=who))
        assert_unavailable(response)
        assert seconds < PROMPT, (query, seconds)

    proxy.set_mode("forward")
    # Back by itself, and no request pays for a connection the outage killed.
    assert (await post(http, ME, token=token)).json()["data"]["me"] is not None


@pytest.mark.parametrize("mode", ["refuse", "reset"])
async def test_the_first_request_after_a_restart_gets_a_fresh_connection(
    http: httpx.AsyncClient, rt: Runtime, proxy: TcpProxy, mode: Mode
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    assert (await post(http, ME, token=token)).status_code == 200
    proxy.set_mode(mode)  # the pooled connections are reset; no request meets it
    proxy.set_mode("forward")
    await asyncio.sleep(0.05)  # the reset reaches the driver

    response = await post(http, ME, token=token)
    assert response.status_code == 200
    assert response.json()["data"]["me"] is not None


@pytest.mark.parametrize("mode", ["refuse", "reset", "blackhole"])
async def test_readiness_is_fast_while_down_and_recovers_within_a_second(
    http: httpx.AsyncClient, proxy: TcpProxy, mode: Mode
) -> None:
    assert (await http.get("/readyz")).status_code == 200
    proxy.set_mode(mode)

    for _ in range(3):  # keeps answering, each within the connect timeout
        response, seconds = await timed(http.get("/readyz"))
        assert response.status_code == 503
        assert response.headers["retry-after"]
        assert seconds < TIMEOUTS.connect + 0.5  # type: ignore[operator]

    proxy.set_mode("forward")
    back = time.monotonic()
    while (await http.get("/readyz")).status_code != 200:
        assert time.monotonic() - back < 1.0
    assert time.monotonic() - back < 1.0


async def test_a_mutation_cut_off_mid_transaction_writes_nothing(
    http: httpx.AsyncClient, rt: Runtime, db: Database, proxy: TcpProxy
) -> None:
    customer = await factories.customer(rt)
    token = await factories.login(rt, customer)
    inserts: list[str] = []

    def cut_after_insert(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ADDRESS"):
            inserts.append(statement)
            proxy.set_mode("reset")  # the INSERT reached the server; the COMMIT will not

    event.listen(db.write_engine.sync_engine, "after_cursor_execute", cut_after_insert)
    try:
        response = await post(http, CREATE, {"input": {"address": valid()}}, token=token)
    finally:
        event.remove(db.write_engine.sync_engine, "after_cursor_execute", cut_after_insert)

    assert inserts, "the mutation never reached its INSERT"
    assert_unavailable(response)
    direct = db.direct  # type: ignore[attr-defined]
    async with direct.connect() as conn:
        count = await conn.scalar(select(func.count()).select_from(Address))
    assert count == 0
    proxy.set_mode("forward")


async def test_statement_timeout_is_set_on_every_connection_and_enforced(db: Database) -> None:
    [(setting,)] = await db.rows(text("SHOW statement_timeout"))
    assert setting == "1s"
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match=r"QueryCanceled|statement timeout"):
        await db.rows(text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 2.0
    # The server cancelled the statement; the connection is still good.
    assert (await db.rows(text("SELECT 1")))[0][0] == 1


@pytest.mark.parametrize("settings_overrides", [{"request_timeout": 1.0}])
@pytest.mark.parametrize("db_timeouts", [Timeouts(connect=30, checkout=30, statement=30)])
async def test_the_request_deadline_bounds_a_silent_database(
    http: httpx.AsyncClient, proxy: TcpProxy
) -> None:
    """Even when every wait on the database is allowed longer, the client hears
    within the request's deadline."""
    assert (await post(http, SHOP)).status_code == 200
    proxy.set_mode("blackhole")
    response, seconds = await timed(post(http, SHOP))
    assert_unavailable(response)
    assert "in time" in response.json()["errors"][0]["message"]
    assert 1.0 <= seconds < 2.5


async def test_an_outage_is_logged_once_without_tracebacks(
    http: httpx.AsyncClient, rt: Runtime, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    proxy.set_mode("refuse")
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            assert_unavailable(await post(http, SHOP))
            assert_unavailable(await post(http, ME, token=token))
            assert (await http.get("/readyz")).status_code == 503
        proxy.set_mode("forward")
        while (await http.get("/readyz")).status_code != 200:
            pass

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len([m for m in warnings if m.startswith("database unavailable")]) == 1, warnings
    assert len([m for m in warnings if m.startswith("database available again")]) == 1
    assert [r for r in caplog.records if r.exc_info] == []
