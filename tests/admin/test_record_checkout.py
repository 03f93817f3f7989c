"""recordCheckout: an abandoned checkout's email becomes an account, once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from models.events import OutboxEvent
from models.order import AbandonedCheckout
from plumbing.runtime import Runtime
from tests import factories
from tests.admin.support import admin, api_key, counts

RECORD = """mutation($input: RecordCheckoutInput!) {
  recordCheckout(input: $input) {
    customer { email firstName } customerCreated userErrors { code field }
  }
}"""
CHECKOUT = {
    "storeCheckoutId": "co-77",
    "email": " Linus@Example.com ",
    "firstName": "Linus",
    "currencyCode": "EUR",
    "total": "42.00",
    "abandonedAt": "2026-11-21T08:00:00+00:00",
    "recoveryUrl": "https://shop.example/checkouts/co-77",
}


async def _checkouts(rt: Runtime) -> int:
    async with rt.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(AbandonedCheckout)) or 0)


async def test_a_new_email_gets_an_account_once(http: httpx.AsyncClient, rt: Runtime) -> None:
    key = await api_key(rt, "customers:write")

    first = await admin(http, rt, RECORD, {"input": CHECKOUT}, key=key)
    again = await admin(http, rt, RECORD, {"input": CHECKOUT}, key=key)

    assert first["data"]["recordCheckout"] == {
        "customer": {"email": "linus@example.com", "firstName": "Linus"},
        "customerCreated": True,
        "userErrors": [],
    }
    assert again["data"]["recordCheckout"]["customerCreated"] is False
    assert await _checkouts(rt) == 1
    async with rt.db.read() as session:
        topics = (await session.scalars(select(col(OutboxEvent.topic)))).all()
    assert topics == ["customer.created"]


async def test_a_known_email_keeps_its_account(http: httpx.AsyncClient, rt: Runtime) -> None:
    await factories.customer(rt, email="linus@example.com", first_name="L.")
    key = await api_key(rt, "customers:write")

    body = await admin(http, rt, RECORD, {"input": CHECKOUT}, key=key)

    assert body["data"]["recordCheckout"]["customer"] == {
        "email": "linus@example.com",
        "firstName": "L.",
    }
    assert (await counts(rt))["Customer"] == 1


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"email": "linus"}, ["input", "email"]),
        ({"currencyCode": "EURO"}, ["input", "currencyCode"]),
        ({"total": "-1"}, ["input", "total"]),
        ({"abandonedAt": "2027-11-21T08:00:00+00:00"}, ["input", "abandonedAt"]),
        ({"recoveryUrl": "javascript:x"}, ["input", "recoveryUrl"]),
        ({"storeCheckoutId": ""}, ["input", "storeCheckoutId"]),
    ],
)
async def test_a_bad_checkout_is_refused_and_nothing_is_written(
    http: httpx.AsyncClient, rt: Runtime, changes: dict[str, Any], path: list[str]
) -> None:
    key = await api_key(rt, "customers:write")
    before = await counts(rt)

    body = await admin(http, rt, RECORD, {"input": {**CHECKOUT, **changes}}, key=key)

    result = body["data"]["recordCheckout"]
    assert result["customer"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID", path)]
    assert await counts(rt) == before
    assert await _checkouts(rt) == 0
