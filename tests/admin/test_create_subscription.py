"""createSubscription: a subscription sold in the store, confirmed to the customer by email."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from adapters.mail import SmtpEmailBackend
from app.worker import run_once
from models.subscription import Subscription, SubscriptionEvent
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.admin.support import admin, api_key, counts
from tests.smtp import SmtpServer, link_token_in
from tests.support import GraphQLClient

CREATE = """mutation($input: CreateSubscriptionInput!) {
  createSubscription(input: $input) {
    subscription { id status nextOrderDate interval intervalCount
                   customer { email } lines { sku quantity unitPrice { amount } } }
    userErrors { code field }
  }
}"""
ADDRESS = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "line1": "12 Analytical St",
    "city": "Portland",
    "province": "OR",
    "postalCode": "97201",
    "countryCode": "US",
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailer(smtp: SmtpServer) -> SmtpEmailBackend:  # replaces the console backend
    return SmtpEmailBackend("Test Store <store@example.com>", smtp.url, timeout=5)


async def _sku(rt: Runtime) -> str:
    product = await factories.product(rt)
    sku: str | None = product.variants[0].sku  # type: ignore[attr-defined]
    assert sku is not None
    return sku


def _input(sku: str, **changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "email": "ada@example.com",
        "lines": [{"sku": sku, "quantity": 2}],
        "interval": "MONTH",
        "intervalCount": 1,
        "nextOrderDate": "2026-12-01",
        "shippingAddress": ADDRESS,
    }
    value.update(changes)
    return value


async def _subscriptions(rt: Runtime) -> int:
    async with rt.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(Subscription)) or 0)


async def test_the_customer_is_emailed_a_link_to_the_new_subscription(
    http: httpx.AsyncClient, gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    sku = await _sku(rt)
    key = await api_key(rt, "subscriptions:write")

    body = await admin(http, rt, CREATE, {"input": _input(sku)}, key=key)

    result = body["data"]["createSubscription"]
    assert result["userErrors"] == []
    sub = result["subscription"]
    assert sub["status"] == "ACTIVE" and sub["nextOrderDate"] == "2026-12-01"
    assert sub["customer"] == {"email": "ada@example.com"}
    assert sub["lines"] == [{"sku": sku, "quantity": 2, "unitPrice": {"amount": "14.00"}}]
    async with rt.db.read() as session:
        [event] = (await session.scalars(select(SubscriptionEvent))).all()
    assert (event.action, event.actor) == ("created", "api_key:1")

    await run_once(rt)

    [message] = await smtp.wait_for("ada@example.com")
    token = link_token_in(message)
    signed_in = await http.post(
        "/auth/magic-link", data={"token": token}, headers={"Origin": "http://testserver"}
    )
    assert signed_in.status_code == 303
    session_token = parse_qs(urlsplit(signed_in.headers["location"]).fragment)["session_token"][0]
    mine = await gql.data(
        "{ me { subscriptions(first: 5) { edges { node { id nextOrderDate } } } } }",
        token=session_token,
    )
    assert [edge["node"] for edge in mine["me"]["subscriptions"]["edges"]] == [
        {"id": sub["id"], "nextOrderDate": "2026-12-01"}
    ]


async def test_an_existing_customer_by_id(http: httpx.AsyncClient, rt: Runtime) -> None:
    sku = await _sku(rt)
    grace = await factories.customer(rt, email="grace@example.com")
    key = await api_key(rt, "subscriptions:write")
    value = _input(sku, email=None, customerId=to_global_id("Customer", grace.id or 0))

    body = await admin(http, rt, CREATE, {"input": value}, key=key)

    sub = body["data"]["createSubscription"]["subscription"]
    assert sub["customer"] == {"email": "grace@example.com"}
    assert (await counts(rt))["Customer"] == 1


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"nextOrderDate": "2026-11-21"}, "INVALID", ["input", "nextOrderDate"]),
        ({"intervalCount": 0}, "INVALID", ["input", "frequency"]),
        ({"email": "nobody"}, "INVALID", ["input", "email"]),
        ({"lines": []}, "INVALID", ["input", "lines"]),
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "NOT_FOUND", ["input", "lines", "0", "sku"]),
        (
            {"shippingAddress": {**ADDRESS, "countryCode": "ZZ"}},
            "INVALID",
            ["input", "shippingAddress", "countryCode"],
        ),
        ({"customerId": "Q3VzdG9tZXI6OTk"}, "INVALID", ["input", "customerId"]),
        ({"email": None, "customerId": "Q3VzdG9tZXI6OTk"}, "NOT_FOUND", ["input", "customerId"]),
    ],
)
async def test_a_bad_input_is_refused_and_nothing_is_written(
    http: httpx.AsyncClient, rt: Runtime, changes: dict[str, Any], code: str, path: list[str]
) -> None:
    sku = await _sku(rt)
    key = await api_key(rt, "subscriptions:write")
    before = await counts(rt)

    body = await admin(http, rt, CREATE, {"input": _input(sku, **changes)}, key=key)

    result = body["data"]["createSubscription"]
    assert result["subscription"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, path)]
    assert await counts(rt) == before
    assert await _subscriptions(rt) == 0


async def test_a_key_without_the_scope_cannot_create(http: httpx.AsyncClient, rt: Runtime) -> None:
    sku = await _sku(rt)
    key = await api_key(rt, "orders:write", "customers:write")

    body = await admin(http, rt, CREATE, {"input": _input(sku)}, key=key)

    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "scope": "subscriptions:write"}
    assert await _subscriptions(rt) == 0
