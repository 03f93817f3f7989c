"""API keys: each surface accepts only its own credentials; scopes and revocation hold."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlmodel import col

from adapters.clock import ManualClock
from auth.api_keys import revoke_key
from models.api_key import ApiKey
from models.events import OutboxEvent
from plumbing.runtime import Runtime
from tests import factories
from tests.admin.support import ADMIN, INGEST, admin, api_key, counts, order_input

ORDER_BY_STORE_ID = """query($id: String!) {
  order(storeOrderId: $id) { number customer { email } }
}"""


async def test_a_key_without_the_scope_cannot_write(http: httpx.AsyncClient, rt: Runtime) -> None:
    key = await api_key(rt, "orders:read", "customers:read")
    before = await counts(rt)

    body = await admin(http, rt, INGEST, {"input": order_input()}, key=key)

    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {"code": "FORBIDDEN", "scope": "orders:write"}
    assert "orders:write" in error["message"]
    assert await counts(rt) == before


async def test_a_key_without_the_read_scope_cannot_read(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt, "orders:write")

    body = await admin(http, rt, '{ customer(email: "a@example.com") { id } }', key=key)

    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "scope": "customers:read"}


async def test_reads_by_email_and_by_the_stores_order_id(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt)
    await admin(http, rt, INGEST, {"input": order_input()}, key=key)

    found = await admin(http, rt, ORDER_BY_STORE_ID, {"id": "shop-1001"}, key=key)
    assert found["data"]["order"] == {
        "number": "#1001",
        "customer": {"email": "grace.hopper@example.com"},
    }
    by_email = await admin(
        http, rt, '{ customer(email: "GRACE.hopper@example.com") { email firstName } }', key=key
    )
    assert by_email["data"]["customer"] == {
        "email": "grace.hopper@example.com",
        "firstName": "Grace",
    }
    missing = await admin(http, rt, ORDER_BY_STORE_ID, {"id": "nope"}, key=key)
    assert missing["data"]["order"] is None


async def test_a_revoked_key_is_refused(http: httpx.AsyncClient, rt: Runtime) -> None:
    key = await api_key(rt)
    assert (await admin(http, rt, ORDER_BY_STORE_ID, {"id": "x"}, key=key))["data"] is not None
    async with rt.db.read() as session:
        key_id = await session.scalar(select(col(ApiKey.id)))
    assert key_id is not None
    await revoke_key(rt, key_id)

    response = await http.post(
        ADMIN,
        json={"query": INGEST, "variables": {"input": order_input()}},
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert (await counts(rt))["Order"] == 0


async def test_a_wrong_secret_with_a_real_prefix_is_refused(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt)
    forged = key[: key.rindex("_") + 1] + "A" * 43

    response = await http.post(
        ADMIN, json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {forged}"}
    )

    assert response.status_code == 401


async def test_a_customer_session_is_refused_on_the_admin_surface(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    token = await factories.login(rt, await factories.customer(rt))

    response = await http.post(
        ADMIN, json={"query": "{ __typename }"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 401


async def test_an_api_key_is_refused_on_the_customer_surface(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt)

    response = await http.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == 401


async def test_without_a_key_every_field_is_unauthenticated(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    response = await http.post(ADMIN, json={"query": INGEST, "variables": {"input": order_input()}})

    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await counts(rt))["Order"] == 0


async def test_the_keys_last_use_is_recorded(
    http: httpx.AsyncClient, rt: Runtime, clock: ManualClock
) -> None:
    key = await api_key(rt)
    start = clock.now()
    await admin(http, rt, ORDER_BY_STORE_ID, {"id": "x"}, key=key)
    clock.advance(minutes=5)
    await admin(http, rt, ORDER_BY_STORE_ID, {"id": "x"}, key=key)

    async with rt.db.read() as session:
        row = await session.scalar(select(ApiKey))
    assert row is not None and row.last_used_at == start + timedelta(minutes=5)


async def test_the_actor_of_an_ingestion_is_the_key(http: httpx.AsyncClient, rt: Runtime) -> None:
    await api_key(rt, name="unused")
    key = await api_key(rt, "orders:write", name="store")

    await admin(http, rt, INGEST, {"input": order_input()}, key=key)

    async with rt.db.read() as session:
        actors = (await session.scalars(select(col(OutboxEvent.actor)))).all()
    assert actors == ["api_key:2"]
