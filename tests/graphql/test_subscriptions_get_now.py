"""getNow: the next order placed now, as upcomingOrder showed it, and every refusal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, update

from adapters.clock import ManualClock
from domain.statuses import DiscountKind, SubscriptionStatus
from models.merchant import DiscountCode, DiscountRedemption
from models.subscription import SkippedCycle
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.get_now_support import (
    GET_NOW,
    apply_codes,
    card_by_last4,
    charges,
    count,
    orders_of,
    usage,
)
from tests.graphql.subscriptions_support import SUBSCRIPTION_FIELDS, history, sid, stored, topics
from tests.support import GraphQLClient

PAGE = "query($id: ID!) { node(id: $id) { ... on Subscription { " + SUBSCRIPTION_FIELDS + " } } }"
ORDERS = (
    "query($id: ID!) { node(id: $id) { ... on Subscription { "
    "orders(first: 5) { edges { node { id number } } } } } }"
)
ADD_CARD = """
mutation($input: AddPaymentMethodInput!) {
  addPaymentMethod(input: $input) { userErrors { code } }
}
"""


async def test_get_now_places_the_order_upcoming_order_showed(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: 14.00 monthly plus a 9.50 one-time mug; 10% off every order, 5.00 off once
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada, brand="Visa", last4="4242")
    mug = await factories.product(rt, title="Mug", variants=[("Blue", "9.50", True)])
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 12, 5), payment_method=card, one_time=mug.variants
    )
    every = await factories.discount_code(rt, "SAVE10", value="10", recurring=True)
    once = await factories.discount_code(
        rt, "WELCOME5", kind=DiscountKind.FIXED_AMOUNT, value="5", recurring=False
    )
    await apply_codes(rt, sub, every, once)
    shown = (await gql.data(PAGE, {"id": sid(sub)}, token=token))["node"]["upcomingOrder"]

    # when
    data = await gql.data(GET_NOW, {"input": {"subscriptionId": sid(sub)}}, token=token)

    # then: the order is the upcoming order, charged once for its total
    result = data["getNow"]
    assert result["userErrors"] == []
    order = result["order"]
    assert shown["subtotal"] == {"amount": "23.50"}
    assert shown["total"] == {"amount": "16.15"}  # 23.50 - 2.35 - 5.00
    assert order["summary"]["subtotal"] == shown["subtotal"]
    assert order["summary"]["total"] == shown["total"]
    assert [(d["code"], d["amount"]) for d in order["summary"]["discounts"]] == [
        (d["code"], d["amount"]) for d in shown["discounts"]
    ]
    assert [(i["title"], i["variantTitle"], i["quantity"]) for i in order["lineItems"]] == [
        ("House Blend", "12 oz", 1),
        ("Mug", "Blue", 1),
    ]
    assert all(i["sku"] for i in order["lineItems"])
    assert order["status"] == "OPEN" and order["fulfillmentStatus"] == "UNFULFILLED"
    assert order["timeline"] == [{"status": "UNFULFILLED"}]
    assert order["paymentMethod"] == {"brand": "Visa", "last4": "4242"}
    assert order["shippingAddress"]["city"] == "Brooklyn"
    assert order["number"].startswith("#S")
    assert order["invoice"]["number"] == "INV-" + order["number"][1:]
    assert order["subscription"] == {"id": sid(sub)}
    assert [(c.amount, c.currency) for c in charges(rt)] == [(Decimal("16.15"), "USD")]
    # and the subscription moves on: from today by the frequency, the mug and the
    # one-off code used up, no second early order today
    after = result["subscription"]
    assert after["nextOrderDate"] == "2026-12-21"
    assert [line["oneTime"] for line in after["lines"]] == [False]
    assert [d["code"] for d in after["discounts"]] == ["SAVE10"]
    assert after["actions"]["canGetNow"] is False
    assert [e.action for e in await history(rt, sub.id)] == ["get_now"]
    assert await topics(rt) == ["subscription.order_placed"]
    assert (await usage(rt))["times_used"] == [("SAVE10", 1), ("WELCOME5", 1)]
    assert await count(rt, DiscountRedemption) == 2


async def test_the_new_order_is_listed_under_the_subscription(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    sub = await factories.subscription(rt, ada, payment_method=card)

    placed = await gql.data(GET_NOW, {"input": {"subscriptionId": sid(sub)}}, token=token)
    listed = await gql.data(ORDERS, {"id": sid(sub)}, token=token)

    order = placed["getNow"]["order"]
    assert [e["node"] for e in listed["node"]["orders"]["edges"]] == [
        {"id": order["id"], "number": order["number"]}
    ]
    assert [o.subscription_id for o in await orders_of(rt, sub)] == [sub.id]


async def test_get_now_drops_the_skips_of_the_old_schedule(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    sub = await factories.subscription(
        rt, ada, next_order_date=date(2026, 12, 21), payment_method=card
    )
    async with rt.db.transaction() as session:
        session.add(SkippedCycle(subscription_id=sub.id, order_date=date(2026, 12, 21)))
        session.add(SkippedCycle(subscription_id=sub.id, order_date=date(2027, 1, 21)))

    data = await gql.data(GET_NOW, {"input": {"subscriptionId": sid(sub)}}, token=token)

    after = data["getNow"]["subscription"]
    assert after["nextOrderDate"] == "2026-12-21"
    assert [s["skipped"] for s in after["schedule"]] == [False] * 4
    assert (await stored(rt, sub.id))["skips"] == []


async def test_a_declined_card_places_nothing_and_changes_nothing(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given: a card that vaults but declines every charge, and a one-off code applied
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    added = await gql.data(
        ADD_CARD, {"input": {"gatewayToken": "tok_chargeCustomerFail"}}, token=token
    )
    assert added["addPaymentMethod"]["userErrors"] == []
    failing = await card_by_last4(rt, ada.id, "0341")
    sub = await factories.subscription(rt, ada, payment_method=failing)
    await apply_codes(rt, sub, await factories.discount_code(rt, "ONCE", usage_limit=1))
    before, counts = await stored(rt, sub.id), await usage(rt)
    headers = {"Idempotency-Key": "declined-1"}

    # when
    data = await gql.data(
        GET_NOW, {"input": {"subscriptionId": sid(sub)}}, token=token, headers=headers
    )

    # then
    assert data["getNow"]["order"] is None and data["getNow"]["subscription"] is None
    assert [(e["code"], e["field"]) for e in data["getNow"]["userErrors"]] == [
        ("PAYMENT_DECLINED", ["subscriptionId"])
    ]
    assert await stored(rt, sub.id) == before
    assert await usage(rt) == counts
    assert charges(rt) == []
    page = await gql.data(PAGE, {"id": sid(sub)}, token=token)
    assert page["node"]["actions"]["canGetNow"] is True


async def test_after_a_decline_another_card_can_order_the_same_day(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    await gql.data(ADD_CARD, {"input": {"gatewayToken": "tok_chargeCustomerFail"}}, token=token)
    sub = await factories.subscription(
        rt, ada, payment_method=await card_by_last4(rt, ada.id, "0341")
    )
    variables = {"input": {"subscriptionId": sid(sub)}}
    headers = {"Idempotency-Key": "retry"}
    declined = await gql.data(GET_NOW, variables, token=token, headers=headers)
    assert declined["getNow"]["userErrors"][0]["code"] == "PAYMENT_DECLINED"
    good = await factories.payment_method(rt, ada, last4="4444", brand="Mastercard")
    async with rt.db.transaction() as session:
        row = await session.get(type(sub), sub.id)
        assert row is not None
        row.payment_method_id = good.id

    placed = await gql.data(GET_NOW, variables, token=token, headers=headers)

    assert placed["getNow"]["userErrors"] == []
    assert placed["getNow"]["order"]["paymentMethod"]["last4"] == "4444"
    assert len(charges(rt)) == 1


async def test_a_replay_with_the_same_key_returns_the_first_order(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    sub = await factories.subscription(rt, ada, payment_method=card)
    variables = {"input": {"subscriptionId": sid(sub)}}
    headers = {"Idempotency-Key": "get-now-1"}

    first = await gql.data(GET_NOW, variables, token=token, headers=headers)
    before = await stored(rt, sub.id)
    replay = await gql.data(GET_NOW, variables, token=token, headers=headers)

    assert first["getNow"]["userErrors"] == [] and replay["getNow"]["userErrors"] == []
    assert replay["getNow"]["order"] == first["getNow"]["order"]
    assert await stored(rt, sub.id) == before
    assert len(await orders_of(rt, sub)) == 1
    assert len(charges(rt)) == 1


async def test_a_key_reused_for_another_subscription_is_invalid(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    first = await factories.subscription(rt, ada, payment_method=card)
    other = await factories.subscription(rt, ada, payment_method=card)
    headers = {"Idempotency-Key": "same-key"}
    await gql.data(GET_NOW, {"input": {"subscriptionId": sid(first)}}, token=token, headers=headers)
    before, counts = await stored(rt, other.id), await usage(rt)

    data = await gql.data(
        GET_NOW, {"input": {"subscriptionId": sid(other)}}, token=token, headers=headers
    )

    assert [e["code"] for e in data["getNow"]["userErrors"]] == ["INVALID"]
    assert await stored(rt, other.id) == before
    assert await usage(rt) == counts
    assert len(charges(rt)) == 1


async def test_get_now_is_refused_when_the_store_switched_it_off(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, sub_get_now=False)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    sub = await factories.subscription(
        rt, ada, payment_method=await factories.payment_method(rt, ada)
    )
    before, counts = await stored(rt, sub.id), await usage(rt)

    data = await gql.data(GET_NOW, {"input": {"subscriptionId": sid(sub)}}, token=token)

    assert [e["code"] for e in data["getNow"]["userErrors"]] == ["ACTION_DISABLED"]
    assert await stored(rt, sub.id) == before
    assert await usage(rt) == counts
    assert charges(rt) == []


async def test_get_now_is_refused_in_states_that_forbid_it(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    refused = [
        await factories.subscription(
            rt,
            ada,
            status=SubscriptionStatus.PAUSED,
            paused_until=date(2026, 12, 30),
            payment_method=card,
        ),
        await factories.subscription(
            rt, ada, status=SubscriptionStatus.CANCELLED, payment_method=card
        ),
        await factories.subscription(rt, ada, prepaid_cycles=3, payment_method=card),
        await factories.subscription(rt, ada, payment_method=None),
        # Due today: the renewal worker places that order; an early one would ship twice.
        await factories.subscription(
            rt, ada, next_order_date=rt.clock.now().date(), payment_method=card
        ),
    ]
    for sub in refused:
        before, counts = await stored(rt, sub.id), await usage(rt)

        data = await gql.data(GET_NOW, {"input": {"subscriptionId": sid(sub)}}, token=token)

        assert [(e["code"], e["field"]) for e in data["getNow"]["userErrors"]] == [
            ("NOT_ALLOWED_IN_STATE", ["subscriptionId"])
        ], sub
        assert await stored(rt, sub.id) == before
        assert await usage(rt) == counts
    assert charges(rt) == []


async def test_someone_elses_or_a_malformed_subscription_is_not_found(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada = await factories.customer(rt)
    bob = await factories.customer(rt)
    token = await factories.login(rt, ada)
    bobs = await factories.subscription(
        rt, bob, payment_method=await factories.payment_method(rt, bob)
    )
    before, counts = await stored(rt, bobs.id), await usage(rt)

    for given in (sid(bobs), "not-an-id", to_global_id("Order", bobs.id)):
        data = await gql.data(GET_NOW, {"input": {"subscriptionId": given}}, token=token)

        assert [(e["code"], e["field"]) for e in data["getNow"]["userErrors"]] == [
            ("NOT_FOUND", ["subscriptionId"])
        ], given
    assert await stored(rt, bobs.id) == before
    assert await usage(rt) == counts
    assert charges(rt) == []


async def test_a_spent_usage_limit_takes_nothing_off(gql: GraphQLClient, rt: Runtime) -> None:
    """The code was valid when applied; its last use went elsewhere before this order."""
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    sub = await factories.subscription(rt, ada, payment_method=card)
    spent = await factories.discount_code(rt, "LAST", usage_limit=1)
    await apply_codes(rt, sub, spent)
    async with rt.db.transaction() as session:
        await session.execute(update(DiscountCode).values(times_used=1))

    data = await gql.data(GET_NOW, {"input": {"subscriptionId": sid(sub)}}, token=token)

    assert data["getNow"]["order"]["summary"]["discounts"] == []
    assert data["getNow"]["order"]["summary"]["total"] == {"amount": "14.00"}
    assert (await usage(rt))["times_used"] == [("LAST", 1)]
    async with rt.db.read() as session:
        assert (await session.scalars(select(DiscountRedemption))).all() == []
