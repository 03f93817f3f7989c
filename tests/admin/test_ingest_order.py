"""ingestOrder: the account opened for a new email, idempotent replays, every field checked."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import col

from adapters.mail import SmtpEmailBackend
from demo import builders
from domain.topics import Topic
from models.events import OutboxEvent
from models.order import OrderLineItem
from plumbing.runtime import Runtime
from tests import factories
from tests.admin.support import INGEST, admin, api_key, counts, order_input
from tests.smtp import SmtpServer, code_in
from tests.support import GraphQLClient


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailer(smtp: SmtpServer) -> SmtpEmailBackend:  # replaces the console backend
    return SmtpEmailBackend("Test Store <store@example.com>", smtp.url, timeout=5)


async def _ingest(http: httpx.AsyncClient, rt: Runtime, key: str, value: Any) -> dict[str, Any]:
    body = await admin(http, rt, INGEST, {"input": value}, key=key)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["ingestOrder"]
    return result


async def test_an_order_for_a_new_email_opens_an_account_the_buyer_can_sign_in_to(
    http: httpx.AsyncClient, gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    key = await api_key(rt, "orders:write")

    result = await _ingest(http, rt, key, order_input())

    assert result["userErrors"] == []
    assert result["created"] is True and result["customerCreated"] is True
    order = result["order"]
    assert order["storeOrderId"] == "shop-1001" and order["number"] == "#1001"
    assert order["total"] == {"amount": "32.40", "currencyCode": "USD"}
    assert order["customer"]["email"] == "grace.hopper@example.com"
    async with rt.db.read() as session:
        events = (await session.scalars(select(OutboxEvent))).all()
    assert [(event.topic, event.actor) for event in events] == [
        (Topic.CUSTOMER_CREATED, "api_key:1")
    ]

    await gql.data(
        'mutation { requestLoginCode(input: {email: "grace.hopper@example.com"}) '
        "{ userErrors { code } } }"
    )
    code = code_in((await smtp.wait_for("grace.hopper@example.com"))[0])
    verified = await gql.data(
        "mutation($code: String!) { verifyLoginCode(input: "
        '{email: "grace.hopper@example.com", code: $code}) { session { token } } }',
        {"code": code},
    )
    token = verified["verifyLoginCode"]["session"]["token"]
    me = await gql.data(
        "{ me { firstName orders(first: 5) { edges { node { number summary { total { amount } } "
        "lineItems { title quantity } timeline { status } } } } } }",
        token=token,
    )
    assert me["me"]["firstName"] == "Grace"
    [edge] = me["me"]["orders"]["edges"]
    assert edge["node"] == {
        "number": "#1001",
        "summary": {"total": {"amount": "32.40"}},
        "lineItems": [
            {"title": "Coffee beans", "quantity": 2},
            {"title": "Filter papers", "quantity": 1},
        ],
        "timeline": [{"status": "UNFULFILLED"}],
    }


async def test_an_existing_account_gets_the_order_and_no_new_account(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    existing = await factories.customer(rt, email="grace.hopper@example.com")
    key = await api_key(rt, "orders:write")

    result = await _ingest(http, rt, key, order_input())

    assert result["customerCreated"] is False
    assert result["order"]["customer"]["email"] == existing.email
    assert (await counts(rt))["Customer"] == 1
    assert (await counts(rt))["OutboxEvent"] == 0


async def test_a_replay_answers_the_same_order_and_changes_nothing(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt, "orders:write")
    first = await _ingest(http, rt, key, order_input())
    before = await counts(rt)

    again = await _ingest(http, rt, key, order_input())

    assert again["userErrors"] == []
    assert again["created"] is False and again["customerCreated"] is False
    assert again["order"]["id"] == first["order"]["id"]
    assert await counts(rt) == before


async def test_a_replay_with_different_content_is_a_conflict(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt, "orders:write")
    await _ingest(http, rt, key, order_input())
    before = await counts(rt)

    changed = await _ingest(http, rt, key, order_input(paymentLast4="1111"))

    assert changed["order"] is None
    assert [(e["code"], e["field"]) for e in changed["userErrors"]] == [
        ("CONFLICT", ["input", "storeOrderId"])
    ]
    assert await counts(rt) == before


def _with_line(index: int, **changes: Any) -> dict[str, Any]:
    value = order_input()
    value["lines"][index].update(changes)
    return value


def _with_address(**changes: Any) -> dict[str, Any]:
    value = order_input()
    value["shippingAddress"].update(changes)
    return value


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (_with_line(1, quantity=0), ["input", "lines", "1", "quantity"]),
        (_with_line(0, totalPrice="26.00"), ["input", "lines", "0", "totalPrice"]),
        (_with_line(0, title="  "), ["input", "lines", "0", "title"]),
        (_with_line(1, unitPrice="-4.00"), ["input", "lines", "1", "unitPrice"]),
        (order_input(lines=[]), ["input", "lines"]),
        (order_input(subtotal="30.00"), ["input", "subtotal"]),
        (order_input(total="40.00"), ["input", "total"]),
        (order_input(currencyCode="ABC"), ["input", "currencyCode"]),
        (order_input(currencyCode="usd"), ["input", "currencyCode"]),
        (order_input(email="nobody"), ["input", "email"]),
        (order_input(placedAt="2027-01-01T00:00:00+00:00"), ["input", "placedAt"]),
        (order_input(placedAt="2026-11-20T10:00:00"), ["input", "placedAt"]),
        (order_input(storeOrderId=" "), ["input", "storeOrderId"]),
        (order_input(paymentLast4="42"), ["input", "paymentLast4"]),
        (order_input(discounts=[{"title": "Big", "amount": "50.00"}]), ["input", "discounts"]),
        (_with_address(countryCode="ZZ"), ["input", "shippingAddress", "countryCode"]),
        (_with_address(postalCode="ABCDE"), ["input", "shippingAddress", "postalCode"]),
    ],
)
async def test_each_invalid_field_is_refused_at_its_path_and_nothing_is_written(
    http: httpx.AsyncClient, rt: Runtime, value: dict[str, Any], path: list[str]
) -> None:
    key = await api_key(rt, "orders:write")
    before = await counts(rt)

    result = await _ingest(http, rt, key, value)

    assert result["order"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID", path)]
    assert await counts(rt) == before


async def test_every_invalid_field_is_reported_at_once(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt, "orders:write")
    value = _with_line(1, quantity=0)
    value["lines"][0]["sku"] = "x" * 101
    value.update(currencyCode="ABC", email="nobody")
    value["shippingAddress"]["countryCode"] = "ZZ"

    result = await _ingest(http, rt, key, value)

    assert {tuple(e["field"]) for e in result["userErrors"]} == {
        ("input", "email"),
        ("input", "currencyCode"),
        ("input", "lines", "0", "sku"),
        ("input", "lines", "1", "quantity"),
        ("input", "shippingAddress", "countryCode"),
    }
    assert (await counts(rt))["Order"] == 0


async def test_lines_link_to_the_catalogue_by_sku(http: httpx.AsyncClient, rt: Runtime) -> None:
    async with rt.db.transaction() as session:
        _, variants = await builders.product(
            session,
            title="Coffee beans",
            handle="coffee-beans",
            variants=[builders.Variant(title="1 kg", price=Decimal("12.50"), sku="BEAN-1")],
            created_at=rt.clock.now(),
        )
    key = await api_key(rt, "orders:write")

    await _ingest(http, rt, key, order_input())

    async with rt.db.read() as session:
        lines = (
            await session.scalars(select(OrderLineItem).order_by(col(OrderLineItem.position)))
        ).all()
    assert [line.variant_id for line in lines] == [variants[0].id, None]


async def test_two_deliveries_of_one_order_at_once_store_it_once(
    http: httpx.AsyncClient, rt: Runtime
) -> None:
    key = await api_key(rt, "orders:write")

    results = await asyncio.gather(*(_ingest(http, rt, key, order_input()) for _ in range(3)))

    assert sorted(result["created"] for result in results) == [False, False, True]
    assert len({result["order"]["id"] for result in results}) == 1
    assert (await counts(rt))["Order"] == 1
    assert (await counts(rt))["Customer"] == 1
