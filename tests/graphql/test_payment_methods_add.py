"""addPaymentMethod: gateway tokens, card numbers, billing addresses, the cap and idempotency."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from models.events import IdempotencyKey
from plumbing.runtime import Runtime
from services.payments import MAX_PAYMENT_METHODS
from tests import factories
from tests.graphql.payment_methods_support import ADD, add_card, cards, viewer
from tests.support import GraphQLClient

ADDRESS = {
    "line1": " 1 Infinite Loop ",
    "city": "Cupertino",
    "postalCode": "95014",
    "countryCode": "us",
}


@pytest.mark.parametrize(
    ("token_value", "brand", "last4"),
    [
        ("tok_visa", "Visa", "4242"),
        ("tok_mastercard", "Mastercard", "4444"),
        ("tok_amex", "Amex", "8431"),
    ],
)
async def test_each_success_token_saves_a_card_expiring_in_the_future(
    gql: GraphQLClient, rt: Runtime, token_value: str, brand: str, last4: str
) -> None:
    # given
    _, token = await viewer(rt)
    now = rt.clock.now()
    # when
    result = await add_card(gql, token, gatewayToken=token_value)
    # then
    assert result["userErrors"] == []
    card = result["paymentMethod"]
    assert (card["brand"], card["last4"], card["billingAddress"]) == (brand, last4, None)
    assert (card["expiryYear"], card["expiryMonth"]) > (now.year, now.month)
    rows = await cards(rt)
    assert len(rows) == 1
    assert rows[0]["gateway_reference"].startswith("card_test_")


@pytest.mark.parametrize(
    ("token_value", "code"),
    [
        ("tok_chargeDeclined", "PAYMENT_DECLINED"),
        ("tok_chargeDeclinedExpiredCard", "CARD_EXPIRED"),
        ("tok_unknown", "INVALID"),
        ("   ", "INVALID"),
    ],
)
async def test_refused_tokens_save_nothing(
    gql: GraphQLClient, rt: Runtime, token_value: str, code: str
) -> None:
    # given
    customer, token = await viewer(rt)
    await factories.payment_method(rt, customer, is_default=True)
    before = await cards(rt)
    # when
    result = await add_card(gql, token, gatewayToken=token_value, makeDefault=True)
    # then
    assert result["paymentMethod"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, ["gatewayToken"])]
    assert await cards(rt) == before


@pytest.mark.parametrize(
    "number",
    ["4242424242424242", "4242 4242 4242 4242", "4000-0566-5566-5556", "tok_4242424242424"],
)
async def test_a_card_number_is_refused_and_never_echoed(
    gql: GraphQLClient, rt: Runtime, number: str
) -> None:
    # given
    _, token = await viewer(rt)
    # when
    result = await add_card(gql, token, gatewayToken=number)
    # then
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID", ["gatewayToken"])
    assert number not in error["message"]
    # Refused as a card number before any gateway call, not as an unknown token.
    assert "never a card number" in error["message"]
    assert await cards(rt) == []


async def test_billing_address_is_validated_and_returned_normalised(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await viewer(rt)
    # when
    result = await add_card(gql, token, gatewayToken="tok_visa", billingAddress=ADDRESS)
    # then
    assert result["paymentMethod"]["billingAddress"] == {
        "line1": "1 Infinite Loop",
        "city": "Cupertino",
        "postalCode": "95014",
        "countryCode": "US",
    }
    assert (await cards(rt))[0]["billing_address"]["line1"] == "1 Infinite Loop"


async def test_explicit_null_billing_address_saves_none(gql: GraphQLClient, rt: Runtime) -> None:
    _, token = await viewer(rt)
    result = await add_card(gql, token, gatewayToken="tok_visa", billingAddress=None)
    assert result["paymentMethod"]["billingAddress"] is None


async def test_invalid_billing_address_names_its_field_and_saves_nothing(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await viewer(rt)
    # when
    result = await add_card(
        gql, token, gatewayToken="tok_visa", billingAddress={**ADDRESS, "postalCode": "ABC"}
    )
    # then
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID", ["billingAddress", "postalCode"])
    assert await cards(rt) == []


async def test_a_full_wallet_refuses_another_card(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await viewer(rt)
    for _ in range(MAX_PAYMENT_METHODS):
        await factories.payment_method(rt, customer)
    before = await cards(rt)
    # when
    result = await add_card(gql, token, gatewayToken="tok_visa")
    # then
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID", ["gatewayToken"])
    ]
    assert await cards(rt) == before


async def test_idempotency_key_replay_returns_the_same_card(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await viewer(rt)
    headers = {"Idempotency-Key": "card-1"}
    variables = {"input": {"gatewayToken": "tok_visa"}}
    # when
    first = await gql.data(ADD, variables, token=token, headers=headers)
    again = await gql.data(ADD, variables, token=token, headers=headers)
    # then
    card_id = first["addPaymentMethod"]["paymentMethod"]["id"]
    assert again["addPaymentMethod"]["paymentMethod"]["id"] == card_id
    assert len(await cards(rt)) == 1
    async with rt.db.read() as session:
        assert len((await session.scalars(select(IdempotencyKey))).all()) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"gatewayToken": "tok_chargeDeclined"},
        {"gatewayToken": "tok_mastercard"},
        {"makeDefault": True},
    ],
)
async def test_a_key_reused_with_other_input_is_refused(
    gql: GraphQLClient, rt: Runtime, changed: dict[str, Any]
) -> None:
    """Not the first card handed back as if this request had succeeded."""
    _, token = await viewer(rt)
    headers = {"Idempotency-Key": "card-1"}
    await gql.data(ADD, {"input": {"gatewayToken": "tok_visa"}}, token=token, headers=headers)
    before = await cards(rt)

    data = await gql.data(
        ADD, {"input": {"gatewayToken": "tok_visa", **changed}}, token=token, headers=headers
    )

    result = data["addPaymentMethod"]
    assert result["paymentMethod"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID", None)]
    assert await cards(rt) == before


async def test_adding_a_card_needs_a_session(gql: GraphQLClient, rt: Runtime) -> None:
    body = await gql(ADD, {"input": {"gatewayToken": "tok_visa"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await cards(rt) == []
