"""updateSubscriptionAddress and updateSubscriptionPaymentMethod: saved or new, snapshots,
the gateway's refusals, and every refusal leaving everything as it was."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from domain.statuses import SubscriptionStatus
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.payment_methods_support import cards
from tests.graphql.subscription_changes_support import gid, portal
from tests.graphql.subscriptions_support import history, stored, topics
from tests.support import GraphQLClient

ADDRESS = "updateSubscriptionAddress"
CARD = "updateSubscriptionPaymentMethod"
NEW_ADDRESS = {
    "firstName": "Grace",
    "line1": " 1 Infinite Loop ",
    "city": "Cupertino",
    "postalCode": "950141234",
    "countryCode": "us",
}
UPDATE_ADDRESS = """
mutation($input: UpdateAddressInput!) { updateAddress(input: $input) { userErrors { code } } }
"""


async def _shipping(rt: Runtime, sub_id: Any) -> dict[str, Any]:
    return dict((await stored(rt, sub_id))["row"]["shipping_address"])


# --- updateSubscriptionAddress ---------------------------------------------------------------


async def test_a_new_address_is_validated_and_stored(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    me = await portal(gql, rt)
    # when
    sub = await me.accepted(ADDRESS, address=NEW_ADDRESS)
    # then: normalised as the address book does
    assert sub["shippingAddress"] == {
        "line1": "1 Infinite Loop",
        "city": "Cupertino",
        "countryCode": "US",
    }
    assert (await _shipping(rt, me.sub.id))["postal_code"] == "95014-1234"
    [entry] = await history(rt, me.sub.id)
    assert entry.action == "edit_shipping_address"
    assert entry.before["shipping_address"]["city"] == "Brooklyn"
    assert entry.after["shipping_address"]["city"] == "Cupertino"
    assert await topics(rt) == ["subscription.address_changed"]


async def test_a_saved_address_is_copied_and_later_edits_do_not_follow(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given: a saved address in Boston, chosen for the subscription
    me = await portal(gql, rt)
    saved = await factories.address(rt, me.customer, city="Boston", postal_code="02108")
    chosen = await me.accepted(ADDRESS, addressId=gid("Address", saved.id))
    assert chosen["shippingAddress"]["city"] == "Boston"
    # when: the customer edits the saved address
    edit = {"id": gid("Address", saved.id), "address": NEW_ADDRESS}
    edited = await gql.data(UPDATE_ADDRESS, {"input": edit}, token=me.token)
    assert edited["updateAddress"]["userErrors"] == []
    # then: the subscription still ships to the copy
    snapshot = await _shipping(rt, me.sub.id)
    assert (snapshot["city"], snapshot["line1"]) == ("Boston", saved.line1)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({}, ["addressId"]),
        ({"addressId": None, "address": None}, ["addressId"]),
        ({"addressId": "x", "address": NEW_ADDRESS}, ["address"]),
    ],
)
async def test_exactly_one_of_a_saved_or_a_new_address(
    gql: GraphQLClient, rt: Runtime, given: dict[str, Any], field: list[str]
) -> None:
    me = await portal(gql, rt)

    await me.refused(ADDRESS, "INVALID", field, **given)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"postalCode": "ABCDE"}, ["address", "postalCode"]),
        ({"city": "  "}, ["address", "city"]),
        ({"line1": ""}, ["address", "line1"]),
        ({"countryCode": "ZZ"}, ["address", "countryCode"]),
        ({"phone": "12"}, ["address", "phone"]),
        ({"firstName": "A\u0000"}, ["address", "firstName"]),
    ],
)
async def test_each_bad_field_of_a_new_address_is_named(
    gql: GraphQLClient, rt: Runtime, change: dict[str, str], field: list[str]
) -> None:
    me = await portal(gql, rt)

    await me.refused(ADDRESS, "INVALID", field, address={**NEW_ADDRESS, **change})


async def test_another_customers_address_is_not_found(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)
    theirs = await factories.address(rt, await factories.customer(rt))

    for address_id in (gid("Address", theirs.id), gid("PaymentMethod", theirs.id), "bad"):
        await me.refused(ADDRESS, "NOT_FOUND", ["addressId"], addressId=address_id)


async def test_the_address_follows_the_owner_the_state_and_the_switch(
    gql: GraphQLClient, rt: Runtime
) -> None:
    me = await portal(gql, rt)
    cancelled = await factories.subscription(rt, me.customer, status=SubscriptionStatus.CANCELLED)
    stranger = await portal(gql, rt)

    await stranger.about(me.sub).refused(
        ADDRESS, "NOT_FOUND", ["subscriptionId"], address=NEW_ADDRESS
    )
    await me.about(cancelled).refused(
        ADDRESS, "NOT_ALLOWED_IN_STATE", ["subscriptionId"], address=NEW_ADDRESS
    )
    await factories.set_flags(rt, sub_edit_shipping_address=False)
    await me.refused(ADDRESS, "ACTION_DISABLED", None, address=NEW_ADDRESS)


# --- updateSubscriptionPaymentMethod ---------------------------------------------------------


async def test_a_saved_card_becomes_the_subscriptions(gql: GraphQLClient, rt: Runtime) -> None:
    # given: a card on the subscription, and another saved card expiring this month
    me = await portal(gql, rt)
    old = await factories.payment_method(rt, me.customer, last4="1111")
    new = await factories.payment_method(rt, me.customer, last4="2222", expiry=(11, 2026))
    me = me.about(await factories.subscription(rt, me.customer, payment_method=old))
    # when
    sub = await me.accepted(CARD, paymentMethodId=gid("PaymentMethod", new.id))
    # then
    assert sub["paymentMethod"] == {"id": gid("PaymentMethod", new.id), "last4": "2222"}
    [entry] = await history(rt, me.sub.id)
    assert (entry.action, entry.before, entry.after) == (
        "update_payment_method",
        {"payment_method_id": old.id},
        {"payment_method_id": new.id},
    )
    assert await topics(rt) == ["subscription.payment_method_changed"]


async def test_a_new_card_is_vaulted_saved_and_used(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    me = await portal(gql, rt)
    # when
    sub = await me.accepted(CARD, gatewayToken="tok_mastercard", billingAddress=NEW_ADDRESS)
    # then: the card is in the wallet, with its billing address, and on the subscription
    [card] = await cards(rt)
    assert (card["customer_id"], card["brand"], card["last4"]) == (
        me.customer.id,
        "Mastercard",
        "4444",
    )
    assert card["billing_address"]["postal_code"] == "95014-1234"
    assert sub["paymentMethod"] == {"id": gid("PaymentMethod", card["id"]), "last4": "4444"}
    assert len(await history(rt, me.sub.id)) == 1
    assert await topics(rt) == ["subscription.payment_method_changed"]


async def test_a_new_card_retried_with_its_idempotency_key_is_saved_once(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given: a new card sent twice in a row and five times at once, with one key
    me = await portal(gql, rt)
    retry = {"Idempotency-Key": "card-1"}
    first = await me.call(CARD, headers=retry, gatewayToken="tok_mastercard")
    again = await me.call(CARD, headers=retry, gatewayToken="tok_mastercard")
    racing = await asyncio.gather(
        *(
            me.call(CARD, headers={"Idempotency-Key": "card-2"}, gatewayToken="tok_visa")
            for _ in range(5)
        )
    )

    # then: one card per key, each answer the same as its first
    assert first["userErrors"] == [] and again == first
    assert all(answer == racing[0] for answer in racing)
    assert racing[0]["userErrors"] == []
    assert sorted(card["last4"] for card in await cards(rt)) == ["4242", "4444"]
    assert len(await history(rt, me.sub.id)) == 2


async def test_an_idempotency_key_reused_for_another_card_is_refused(
    gql: GraphQLClient, rt: Runtime
) -> None:
    me = await portal(gql, rt)
    retry = {"Idempotency-Key": "card-1"}
    await me.call(CARD, headers=retry, gatewayToken="tok_mastercard")
    before = await cards(rt)

    answer = await me.call(CARD, headers=retry, gatewayToken="tok_visa")

    assert [error["code"] for error in answer["userErrors"]] == ["INVALID"]
    assert answer["subscription"] is None
    assert await cards(rt) == before


@pytest.mark.parametrize(
    ("gateway_token", "error"),
    [("tok_chargeDeclined", "PAYMENT_DECLINED"), ("tok_chargeDeclinedExpiredCard", "CARD_EXPIRED")],
)
async def test_a_refused_token_changes_nothing(
    gql: GraphQLClient, rt: Runtime, gateway_token: str, error: str
) -> None:
    me = await portal(gql, rt)

    await me.refused(CARD, error, ["gatewayToken"], gatewayToken=gateway_token)

    assert await cards(rt) == []


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"gatewayToken": "4242 4242 4242 4242"}, ["gatewayToken"]),
        ({"gatewayToken": "  "}, ["gatewayToken"]),
        (
            {"gatewayToken": "tok_visa", "billingAddress": {**NEW_ADDRESS, "city": ""}},
            ["billingAddress", "city"],
        ),
        ({}, ["paymentMethodId"]),
        ({"paymentMethodId": "saved", "gatewayToken": "tok_visa"}, ["gatewayToken"]),
        ({"paymentMethodId": "saved", "billingAddress": NEW_ADDRESS}, ["billingAddress"]),
    ],
)
async def test_bad_payment_input_is_refused(
    gql: GraphQLClient, rt: Runtime, given: dict[str, Any], field: list[str]
) -> None:
    me = await portal(gql, rt)
    if "paymentMethodId" in given:
        card = await factories.payment_method(rt, me.customer)
        given = {**given, "paymentMethodId": gid("PaymentMethod", card.id)}

    # (the number of cards is compared too: no card was vaulted and saved)
    await me.refused(CARD, "INVALID", field, **given)


async def test_an_expired_saved_card_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    # given: the clock is in November 2026; the card ran out in October
    me = await portal(gql, rt)
    card = await factories.payment_method(rt, me.customer, expiry=(10, 2026))

    await me.refused(
        CARD, "CARD_EXPIRED", ["paymentMethodId"], paymentMethodId=gid("PaymentMethod", card.id)
    )


async def test_another_customers_card_is_not_found(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)
    theirs = await factories.payment_method(rt, await factories.customer(rt))

    for card_id in (gid("PaymentMethod", theirs.id), gid("Address", theirs.id), "bad"):
        await me.refused(CARD, "NOT_FOUND", ["paymentMethodId"], paymentMethodId=card_id)


@pytest.mark.parametrize("new_card", [True, False], ids=["token", "saved card"])
async def test_the_card_follows_the_owner_the_state_and_the_switch(
    gql: GraphQLClient, rt: Runtime, new_card: bool
) -> None:
    # given
    me = await portal(gql, rt)
    cancelled = await factories.subscription(rt, me.customer, status=SubscriptionStatus.CANCELLED)
    saved = await factories.payment_method(rt, me.customer)
    stranger = await portal(gql, rt)
    card = (
        {"gatewayToken": "tok_visa"}
        if new_card
        else {"paymentMethodId": gid("PaymentMethod", saved.id)}
    )
    # then: refused before any card is vaulted
    await stranger.about(me.sub).refused(CARD, "NOT_FOUND", ["subscriptionId"], **card)
    await me.about(cancelled).refused(CARD, "NOT_ALLOWED_IN_STATE", ["subscriptionId"], **card)
    await factories.set_flags(rt, sub_update_payment_method=False)
    await me.refused(CARD, "ACTION_DISABLED", None, **card)
    assert [c["id"] for c in await cards(rt)] == [saved.id]
