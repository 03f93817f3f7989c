"""Saved cards: the default card, listing, removing, foreign or missing IDs and node(id:)."""

from __future__ import annotations

from typing import Any

import pytest

from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.payment_methods_support import add_card, cards, viewer
from tests.support import GraphQLClient

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


@pytest.mark.parametrize("make_default", ["omitted", None, False])
async def test_first_card_is_the_default_and_later_ones_are_not(
    gql: GraphQLClient, rt: Runtime, make_default: Any
) -> None:
    # given
    _, token = await viewer(rt)
    extra = {} if make_default == "omitted" else {"makeDefault": make_default}
    # when
    first = await add_card(gql, token, gatewayToken="tok_visa", **extra)
    second = await add_card(gql, token, gatewayToken="tok_amex", **extra)
    # then
    assert first["paymentMethod"]["isDefault"] is True
    assert second["paymentMethod"]["isDefault"] is False
    assert [row["is_default"] for row in await cards(rt)] == [True, False]


async def test_make_default_moves_the_default(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await viewer(rt)
    await factories.payment_method(rt, customer, is_default=True)
    # when
    result = await add_card(gql, token, gatewayToken="tok_mastercard", makeDefault=True)
    # then
    assert result["paymentMethod"]["isDefault"] is True
    assert [row["is_default"] for row in await cards(rt)] == [False, True]


async def test_cards_list_the_default_first_then_newest(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await viewer(rt)
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
    customer, token = await viewer(rt)
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
    customer, token = await viewer(rt)
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
    assert [row["id"] for row in await cards(rt)] == [kept.id]


async def test_a_later_card_becomes_default_when_none_is(gql: GraphQLClient, rt: Runtime) -> None:
    customer, token = await viewer(rt)
    await factories.payment_method(rt, customer, is_default=False)
    result = await add_card(gql, token, gatewayToken="tok_visa")
    assert result["paymentMethod"]["isDefault"] is True


@pytest.mark.parametrize("mutation", [SET_DEFAULT, REMOVE])
async def test_foreign_missing_and_malformed_ids_are_all_not_found(
    gql: GraphQLClient, rt: Runtime, mutation: str
) -> None:
    # given
    customer, token = await viewer(rt)
    await factories.payment_method(rt, customer, is_default=True)
    foreign = await factories.payment_method(rt, await factories.customer(rt), is_default=True)
    before = await cards(rt)
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
    assert await cards(rt) == before


async def test_node_returns_own_cards_only(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    customer, token = await viewer(rt)
    mine = await factories.payment_method(rt, customer, last4="1111")
    theirs = await factories.payment_method(rt, await factories.customer(rt))
    query = "query($id: ID!) { node(id: $id) { ... on PaymentMethod { last4 } } }"
    # when
    own = await gql.data(query, {"id": to_global_id("PaymentMethod", mine.id)}, token=token)
    other = await gql.data(query, {"id": to_global_id("PaymentMethod", theirs.id)}, token=token)
    # then
    assert own["node"] == {"last4": "1111"}
    assert other["node"] is None
