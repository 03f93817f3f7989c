"""An exhausted connection pool is an unavailable database: a prompt JSON 503.

(Refused, reset and silent connections, on PostgreSQL behind a proxy:
tests/e2e/test_database_outage.py.)
"""

from __future__ import annotations

import logging
import time

import httpx
import pytest

from models.availability import Timeouts
from models.database import Database
from plumbing.runtime import Runtime
from tests import factories

CHECKOUT = 0.5


@pytest.fixture
def db_timeouts() -> Timeouts:
    return Timeouts(checkout=CHECKOUT)


async def test_an_exhausted_pool_answers_503_within_the_checkout_timeout(
    http: httpx.AsyncClient, rt: Runtime, db: Database
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    pool = db.read_engine.pool
    capacity = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    held = [await db.read_engine.connect() for _ in range(capacity)]
    try:
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            started = time.monotonic()
            response = await http.post(
                "/graphql", json={"query": "{ shop { name } me { id } }"}, headers=headers
            )
            seconds = time.monotonic() - started

            assert response.status_code == 503, response.text
            assert response.headers["content-type"] == "application/json"
            assert response.headers["retry-after"] == "5"
            assert response.json() == {
                "data": None,
                "errors": [
                    {
                        "message": "The service is temporarily unavailable; retry shortly.",
                        "extensions": {
                            "code": "SERVICE_UNAVAILABLE",
                            "requestId": response.headers["x-request-id"],
                        },
                    }
                ],
            }
            assert CHECKOUT <= seconds < CHECKOUT + 1.5
    finally:
        for connection in held:
            await connection.close()

    # Connections back in the pool: the same requests are answered again.
    response = await http.post(
        "/graphql",
        json={"query": "{ me { id } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.json()["data"]["me"] is not None


async def test_readiness_answers_503_with_retry_after_when_the_pool_is_exhausted(
    http: httpx.AsyncClient, db: Database
) -> None:
    pool = db.read_engine.pool
    capacity = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    held = [await db.read_engine.connect() for _ in range(capacity)]
    try:
        response = await http.get("/readyz")
    finally:
        for connection in held:
            await connection.close()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
    assert response.headers["retry-after"] == "5"
    assert (await http.get("/readyz")).status_code == 200


async def test_an_exhausted_pool_is_logged_once_without_tracebacks(
    http: httpx.AsyncClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    pool = db.read_engine.pool
    capacity = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    held = [await db.read_engine.connect() for _ in range(capacity)]
    with caplog.at_level(logging.INFO):
        try:
            for _ in range(3):
                response = await http.post("/graphql", json={"query": "{ shop { name } }"})
                assert response.status_code == 503
        finally:
            for connection in held:
                await connection.close()
        assert (await http.post("/graphql", json={"query": "{ shop { name } }"})).status_code == 200

    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("database unavailable: TimeoutError: QueuePool limit")
    assert warnings[1].startswith("database available again after")
    assert [r for r in caplog.records if r.exc_info] == []
