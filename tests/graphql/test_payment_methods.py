from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from models.address import PaymentMethod
from models.events import IdempotencyKey
from schema.node import to_global_id
from services.payments import MAX_PAYMENT_METHODS
from services.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

CARD = """id brand last4 expiryMonth expiryYear isDefault
  billingAddress { line1 city postalCode countryCode }"""
ADD = f"""
mutation($input: AddPaymentMethodInput!) {{
  addPaymentMethod(input: $input) {{
    paymentMethod {{ {CARD} }}
    userErrors {{ code field message }}
  }}
}}"""
SET_DEFAULT = """
mutation($id: ID!) {
  setDefaultPaymentMethod(input: {id: $id}) {
    paymentMethod { id isDefault }
    customer { paymentMethods { id isDefault } }
    userErrors { code field message }
  }
}"""
REMOVE = """
mutation($id: ID!) {
  removePaymentMethod(input: {id: $id}) {
    deletedPaymentMethodId
    customer { paymentMethods { id isDefault } }
    userErrors { code field message }
  }
}"""
CARDS = "{ me { paymentMethods { id brand last4 isDefault } } }"
ADDRESS = {
    "line1": " 1 Infinite Loop ",
    "city": "Cupertino",
    "postalCode": "95014",
    "countryCode": "us",
}


async def _cards(rt: Runtime) -> list[dict[str, Any]]:
    async with rt.db.read() as session:
        rows = (await session.scalars(select(PaymentMethod).order_by(col(PaymentMethod.id)))).all()
    return [row.model_dump() for row in rows]


async def _viewer(rt: Runtime) -> tuple[Any, str]:
    row = await factories.customer(rt)
    return row, await factories.login(rt, row)


async def _add(gql: GraphQLClient, token: str, **input: Any) -> dict[str, Any]:
    data = await gql.data(ADD, {"input": input}, token=token)
    result: dict[str, Any] = data["addPaymentMethod"]
    return result


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
    _, token = await _viewer(rt)
    now = rt.clock.now()
    # when
    result = await _add(gql, token, gatewayToken=token_value)
    # then
    assert result["userErrors"] == []
    card = result["paymentMethod"]
    assert (card["brand"], card["last4"], card["billingAddress"]) == (brand, last4, None)
    assert (card["expiryYear"], card["expiryMonth"]) > (now.year, now.month)
    rows = await _cards(rt)
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
    customer, token = await _viewer(rt)
    await factories.payment_method(rt, customer, is_default=True)
    before = await _cards(rt)
    # when
    result = await _add(gql, token, gatewayToken=token_value, makeDefault=True)
    # then
    assert result["paymentMethod"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [(code, ["gatewayToken"])]
    assert await _cards(rt) == before


@pytest.mark.parametrize(
    "number",
    ["4242424242424242", "4242 4242 4242 4242", "4000-0566-5566-5556", "tok_4242424242424"],
)
async def test_a_card_number_is_refused_and_never_echoed(
    gql: GraphQLClient, rt: Runtime, number: str
) -> None:
    # given
    _, token = await _viewer(rt)
    # when
    result = await _add(gql, token, gatewayToken=number)
    # then
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID", ["gatewayToken"])
    assert number not in error["message"]
    # Refused as a card number before any gateway call, not as an unknown token.
    assert "never a card number" in error["message"]
    assert await _cards(rt) == []


async def test_billing_address_is_validated_and_returned_normalised(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await _viewer(rt)
    # when
    result = await _add(gql, token, gatewayToken="tok_visa", billingAddress=ADDRESS)
    # then
    assert result["paymentMethod"]["billingAddress"] == {
        "line1": "1 Infinite Loop",
        "city": "Cupertino",
        "postalCode": "95014",
        "countryCode": "US",
    }
    assert (await _cards(rt))[0]["billing_address"]["line1"] == "1 Infinite Loop"


async def test_explicit_null_billing_address_saves_none(gql: GraphQLClient, rt: Runtime) -> None:
    _, token = await _viewer(rt)
    result = await _add(gql, token, gatewayToken="tok_visa", billingAddress=None)
    assert result["paymentMethod"]["billingAddress"] is None


async def test_invalid_billing_address_names_its_field_and_saves_nothing(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await _viewer(rt)
    # when
    result = await _add(
        gql, token, gatewayToken="tok_visa", billingAddress={**ADDRESS, "postalCode": "ABC"}
    )
    # then
    [error] = result["userErrors"]
    assert (error["code"], error["field"]) == ("INVALID", ["billingAddress", "postalCode"])
    assert await _cards(rt) == []


@pytest.mark.parametrize("make_default", ["omitted", None, False])
async def test_first_card_is_the_default_and_later_ones_are_not(
    gql: GraphQLClient, rt: Runtime, make_default: Any
) -> None:
    # given
    _, token = await _viewer(rt)
    extra = {} if make_default == "omitted" else {"makeDefault": make_default}
    # when
    first = await _add(gql, token, gatewayToken="tok_visa", **extra)
    second = await _add(gql, token, gatewayToken="tok_amex", **extra)
    # then
    assert first["paymentMethod"]["isDefault"] is True
    assert second["paymentMethod"]["isDefault"] is False
    assert [row["is_default"] for row in await _cards(rt)] == [True, False]


async def test_make_default_moves_the_default(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    await factories.payment_method(rt, customer, is_default=True)
    # when
    result = await _add(gql, token, gatewayToken="tok_mastercard", makeDefault=True)
    # then
    assert result["paymentMethod"]["isDefault"] is True
    assert [row["is_default"] for row in await _cards(rt)] == [False, True]


async def test_a_full_wallet_refuses_another_card(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    for _ in range(MAX_PAYMENT_METHODS):
        await factories.payment_method(rt, customer)
    before = await _cards(rt)
    # when
    result = await _add(gql, token, gatewayToken="tok_visa")
    # then
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID", ["gatewayToken"])
    ]
    assert await _cards(rt) == before


async def test_idempotency_key_replay_returns_the_same_card(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given
    _, token = await _viewer(rt)
    headers = {"Idempotency-Key": "card-1"}
    variables = {"input": {"gatewayToken": "tok_visa"}}
    # when
    first = await gql.data(ADD, variables, token=token, headers=headers)
    again = await gql.data(ADD, variables, token=token, headers=headers)
    # then
    card_id = first["addPaymentMethod"]["paymentMethod"]["id"]
    assert again["addPaymentMethod"]["paymentMethod"]["id"] == card_id
    assert len(await _cards(rt)) == 1
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
    _, token = await _viewer(rt)
    headers = {"Idempotency-Key": "card-1"}
    await gql.data(ADD, {"input": {"gatewayToken": "tok_visa"}}, token=token, headers=headers)
    before = await _cards(rt)

    data = await gql.data(
        ADD, {"input": {"gatewayToken": "tok_visa", **changed}}, token=token, headers=headers
    )

    result = data["addPaymentMethod"]
    assert result["paymentMethod"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [("INVALID", None)]
    assert await _cards(rt) == before


async def test_cards_list_the_default_first_then_newest(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    clock: Any = rt.clock
    old = await factories.payment_method(rt, customer, last4="0001")
    clock.advance(days=1)
    default = await factories.payment_method(rt, customer, last4="0002", is_default=True)
    clock.advance(days=1)
    new = await factories.payment_method(rt, customer, last4="0003")
    await factories.payment_method(rt, await factories.customer(rt), last4="9999")
    # when
    data = await gql.data(CARDS, token=token)
    # then
    assert [c["id"] for c in data["me"]["paymentMethods"]] == [
        to_global_id("PaymentMethod", row.id) for row in (default, new, old)
    ]


async def test_set_default_moves_the_default(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    old = await factories.payment_method(rt, customer, is_default=True)
    other = await factories.payment_method(rt, customer)
    other_id = to_global_id("PaymentMethod", other.id)
    # when
    data = await gql.data(SET_DEFAULT, {"id": other_id}, token=token)
    # then
    result = data["setDefaultPaymentMethod"]
    assert result["userErrors"] == []
    assert result["paymentMethod"] == {"id": other_id, "isDefault": True}
    assert result["customer"]["paymentMethods"] == [
        {"id": other_id, "isDefault": True},
        {"id": to_global_id("PaymentMethod", old.id), "isDefault": False},
    ]


async def test_remove_the_default_card_leaves_no_default(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    default = await factories.payment_method(rt, customer, is_default=True)
    kept = await factories.payment_method(rt, customer)
    default_id = to_global_id("PaymentMethod", default.id)
    # when
    data = await gql.data(REMOVE, {"id": default_id}, token=token)
    # then
    result = data["removePaymentMethod"]
    assert result["userErrors"] == []
    assert result["deletedPaymentMethodId"] == default_id
    assert result["customer"]["paymentMethods"] == [
        {"id": to_global_id("PaymentMethod", kept.id), "isDefault": False}
    ]
    assert [row["id"] for row in await _cards(rt)] == [kept.id]


async def test_a_later_card_becomes_default_when_none_is(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await _viewer(rt)
    await factories.payment_method(rt, customer, is_default=False)
    result = await _add(gql, token, gatewayToken="tok_visa")
    assert result["paymentMethod"]["isDefault"] is True


@pytest.mark.parametrize("mutation", [SET_DEFAULT, REMOVE])
async def test_foreign_missing_and_malformed_ids_are_all_not_found(
    gql: GraphQLClient, rt: Runtime, mutation: str
) -> None:
    # given
    customer, token = await _viewer(rt)
    await factories.payment_method(rt, customer, is_default=True)
    foreign = await factories.payment_method(rt, await factories.customer(rt), is_default=True)
    before = await _cards(rt)
    ids = [
        to_global_id("PaymentMethod", foreign.id),
        to_global_id("PaymentMethod", 999_999),
        to_global_id("Ticket", foreign.id),
        "not-an-id",
    ]
    # when
    answers = [await gql.data(mutation, {"id": value}, token=token) for value in ids]
    # then
    errors = [next(iter(answer.values()))["userErrors"] for answer in answers]
    assert (
        errors
        == [[{"code": "NOT_FOUND", "field": ["id"], "message": "Payment method not found."}]] * 4
    )
    assert await _cards(rt) == before


async def test_node_returns_own_cards_only(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await _viewer(rt)
    mine = await factories.payment_method(rt, customer, last4="1111")
    theirs = await factories.payment_method(rt, await factories.customer(rt))
    query = "query($id: ID!) { node(id: $id) { ... on PaymentMethod { last4 } } }"
    # when
    own = await gql.data(query, {"id": to_global_id("PaymentMethod", mine.id)}, token=token)
    other = await gql.data(query, {"id": to_global_id("PaymentMethod", theirs.id)}, token=token)
    # then
    assert own["node"] == {"last4": "1111"}
    assert other["node"] is None


async def test_adding_a_card_needs_a_session(gql: GraphQLClient, rt: Runtime) -> None:
    body = await gql(ADD, {"input": {"gatewayToken": "tok_visa"}})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _cards(rt) == []
