"""applyDiscountCode and removeDiscountCode: each reason a code is refused, and the effect on
the next order in exact decimals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from adapters.clock import ManualClock
from domain.statuses import DiscountKind, SubscriptionStatus
from models.merchant import DiscountCode, DiscountRedemption
from plumbing.runtime import Runtime
from services.subscription_discounts import MAX_DISCOUNT_CODES
from tests import factories
from tests.graphql.subscription_changes_support import Portal, line_id, portal
from tests.graphql.subscriptions_support import history, topics
from tests.support import GraphQLClient

APPLY = "applyDiscountCode"
REMOVE = "removeDiscountCode"


async def _refused(me: Portal, code: str, reason: str) -> None:
    message = await me.refused(APPLY, "DISCOUNT_INVALID", ["code"], code=code)
    assert reason in message


async def test_a_code_in_any_case_discounts_the_next_order(gql: GraphQLClient, rt: Runtime) -> None:
    # given: a subscription of one 14.00 line
    me = await portal(gql, rt)
    await factories.discount_code(rt, "SAVE10", value="10")
    # when
    sub = await me.accepted(APPLY, code="  save10 ")
    # then: 10% of 14.00
    assert sub["discounts"] == [
        {"code": "SAVE10", "title": "SAVE10 discount", "amount": {"amount": "1.40"}}
    ]
    assert sub["upcomingOrder"]["discounts"] == [{"code": "SAVE10", "amount": {"amount": "1.40"}}]
    assert sub["upcomingOrder"]["total"] == {"amount": "12.60"}
    [entry] = await history(rt, me.sub.id)
    assert (entry.action, entry.before, entry.after) == (
        "apply_discount",
        {"code": None},
        {"code": "SAVE10"},
    )
    assert await topics(rt) == ["subscription.discount_applied"]


async def test_codes_stack_in_the_order_applied(gql: GraphQLClient, rt: Runtime) -> None:
    # given: 3 x 14.00 = 42.00
    me = await portal(gql, rt)
    await me.accepted("updateLineQuantity", lineId=line_id(me.sub), quantity=3)
    await factories.discount_code(rt, "FIVE", kind=DiscountKind.FIXED_AMOUNT, value="5")
    await factories.discount_code(rt, "THIRD", value="33.33")
    # when: 5.00 off, then a third of what is left
    await me.accepted(APPLY, code="five")
    sub = await me.accepted(APPLY, code="third")
    # then: 42.00 - 5.00 = 37.00; 37.00 x 33.33% = 12.3321 -> 12.33; 24.67 to pay
    upcoming = sub["upcomingOrder"]
    assert [(d["code"], d["amount"]["amount"]) for d in upcoming["discounts"]] == [
        ("FIVE", "5.00"),
        ("THIRD", "12.33"),
    ]
    assert upcoming["total"] == {"amount": "24.67"}


async def test_an_unknown_code_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)

    await _refused(me, "NOPE", "does not exist")
    await _refused(me, "X" * 51, "does not exist")


async def test_an_empty_code_is_invalid(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)

    await me.refused(APPLY, "INVALID", ["code"], code="   ")
    await me.refused(REMOVE, "INVALID", ["code"], code="")


async def test_an_inactive_code_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)
    await factories.discount_code(rt, "OLD", active=False)

    await _refused(me, "old", "no longer active")


async def test_expiry_is_judged_by_the_runtime_clock(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: a code expiring in one hour, and one that expired a second ago
    me = await portal(gql, rt)
    now = clock.now()
    await factories.discount_code(rt, "SOON", expires_at=now + timedelta(hours=1))
    await factories.discount_code(rt, "GONE", expires_at=now - timedelta(seconds=1))
    # then: the first is refused now, the second once the clock reaches its expiry
    await _refused(me, "GONE", "expired")
    clock.advance(hours=1)
    await _refused(me, "SOON", "expired")


async def test_a_code_valid_until_later_applies(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    me = await portal(gql, rt)
    await factories.discount_code(rt, "SOON", expires_at=clock.now() + timedelta(hours=1))

    await me.accepted(APPLY, code="SOON")


async def test_the_minimum_is_the_upcoming_orders_subtotal(gql: GraphQLClient, rt: Runtime) -> None:
    # given: a 20.00 minimum; 14.00 recurs, and a 9.50 add-on brings the next order to 23.50
    mug = (await factories.product(rt, title="Mug", variants=[("Blue", "9.50", True)])).variants[0]
    short = await portal(gql, rt)
    enough = await portal(gql, rt, one_time=[mug])
    await factories.discount_code(rt, "BIG", value="10", min_subtotal=Decimal("20.00"))

    await _refused(short, "BIG", "at least 20.00")
    sub = await enough.accepted(APPLY, code="BIG")

    assert sub["upcomingOrder"]["total"] == {"amount": "21.15"}


@pytest.mark.parametrize(("times_used", "accepted"), [(2, True), (3, False), (4, False)])
async def test_the_total_usage_limit(
    gql: GraphQLClient, rt: Runtime, times_used: int, accepted: bool
) -> None:
    me = await portal(gql, rt)
    await factories.discount_code(rt, "LIMITED", usage_limit=3)
    async with rt.db.transaction() as session:
        await session.execute(update(DiscountCode).values(times_used=times_used))

    if accepted:
        await me.accepted(APPLY, code="LIMITED")
    else:
        await _refused(me, "LIMITED", "used as many times")


async def test_the_per_customer_limit_counts_this_customers_redemptions(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given: once per customer; Ada has used it, Bea has not (Ada's use does not count for her)
    ada = await portal(gql, rt)
    bea = await portal(gql, rt)
    code = await factories.discount_code(rt, "ONCE", per_customer_limit=1)
    async with rt.db.transaction() as session:
        session.add(
            DiscountRedemption(
                discount_code_id=code.id, customer_id=ada.customer.id, created_at=rt.clock.now()
            )
        )

    await _refused(ada, "ONCE", "already used this code")
    await bea.accepted(APPLY, code="ONCE")


async def test_a_code_already_applied_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)
    await factories.discount_code(rt, "SAVE10")
    await me.accepted(APPLY, code="SAVE10")

    await _refused(me, "Save10", "already applied")


async def test_a_subscription_takes_a_bounded_number_of_codes(
    gql: GraphQLClient, rt: Runtime
) -> None:
    me = await portal(gql, rt)
    for i in range(MAX_DISCOUNT_CODES + 1):
        await factories.discount_code(rt, f"C{i}", value="1")
    for i in range(MAX_DISCOUNT_CODES):
        await me.accepted(APPLY, code=f"C{i}")

    await _refused(me, f"C{MAX_DISCOUNT_CODES}", "remove one first")


async def test_remove_an_applied_code(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    me = await portal(gql, rt)
    await factories.discount_code(rt, "SAVE10")
    await me.accepted(APPLY, code="SAVE10")
    # when
    sub = await me.accepted(REMOVE, code="save10")
    # then
    assert sub["discounts"] == []
    assert sub["upcomingOrder"]["total"] == {"amount": "14.00"}
    removal = (await history(rt, me.sub.id))[-1]
    assert (removal.before, removal.after) == ({"code": "SAVE10"}, {"code": None})
    assert await topics(rt) == ["subscription.discount_applied", "subscription.discount_removed"]


async def test_removing_a_code_not_applied_is_not_found(gql: GraphQLClient, rt: Runtime) -> None:
    # given: SAVE10 exists and is applied to another subscription of the customer
    me = await portal(gql, rt)
    other = await factories.subscription(rt, me.customer)
    await factories.discount_code(rt, "SAVE10")
    await me.about(other).accepted(APPLY, code="SAVE10")

    for code in ("SAVE10", "NOPE"):
        await me.refused(REMOVE, "NOT_FOUND", ["code"], code=code)


@pytest.mark.parametrize("name", [APPLY, REMOVE])
async def test_codes_follow_the_owner_the_state_and_the_switch(
    gql: GraphQLClient, rt: Runtime, name: str
) -> None:
    # given: SAVE10 applied to a live subscription; a cancelled one; a stranger
    me = await portal(gql, rt)
    cancelled = await factories.subscription(rt, me.customer, status=SubscriptionStatus.CANCELLED)
    stranger = await portal(gql, rt)
    await factories.discount_code(rt, "SAVE10")
    await me.accepted(APPLY, code="SAVE10")
    # then
    await stranger.about(me.sub).refused(name, "NOT_FOUND", ["subscriptionId"], code="SAVE10")
    await me.about(cancelled).refused(
        name, "NOT_ALLOWED_IN_STATE", ["subscriptionId"], code="SAVE10"
    )
    await factories.set_flags(rt, sub_apply_discount=False)
    await me.refused(name, "ACTION_DISABLED", None, code="SAVE10")
