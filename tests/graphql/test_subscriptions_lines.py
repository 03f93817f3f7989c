"""addProduct, updateLineQuantity and removeLine: every rule and refusal, through HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from domain.statuses import SubscriptionStatus
from plumbing.runtime import Runtime
from services.subscription_lines import MAX_LINES
from tests import factories
from tests.graphql.subscription_changes_support import gid, line_id, portal, set_product
from tests.graphql.subscriptions_support import history, stored, topics
from tests.support import GraphQLClient

CANCELLED = SubscriptionStatus.CANCELLED


async def _mug(rt: Runtime, *, available: bool = True) -> str:
    """The global ID of a 9.50 mug, a product of its own."""
    product = await factories.product(rt, title="Mug", variants=[("Blue", "9.50", available)])
    return gid("ProductVariant", product.variants[0].id)


def _shown(lines: list[dict[str, Any]]) -> list[tuple[str, int, bool, str]]:
    return [
        (x["variant"]["title"], x["quantity"], x["oneTime"], x["unitPrice"]["amount"])
        for x in lines
    ]


# --- addProduct ------------------------------------------------------------------------------


async def test_add_a_recurring_product(gql: GraphQLClient, rt: Runtime) -> None:
    # given: a subscription of one 14.00 coffee
    me = await portal(gql, rt)
    mug = await _mug(rt)
    # when
    sub = await me.accepted("addProduct", variantId=mug, quantity=2, oneTime=False)
    # then: the payload shows the new line, and the next order costs it
    assert _shown(sub["lines"]) == [("12 oz", 1, False, "14.00"), ("Blue", 2, False, "9.50")]
    assert sub["upcomingOrder"]["total"] == {"amount": "33.00"}
    [entry] = await history(rt, me.sub.id)
    assert (entry.action, entry.before) == ("add_product", {"line": None})
    assert entry.after["line"]["quantity"] == 2
    assert await topics(rt) == ["subscription.lines_changed"]


async def test_add_a_one_time_product_with_the_default_quantity(
    gql: GraphQLClient, rt: Runtime
) -> None:
    me = await portal(gql, rt)

    sub = await me.accepted("addProduct", variantId=await _mug(rt), oneTime=True)

    assert _shown(sub["lines"])[-1] == ("Blue", 1, True, "9.50")
    assert [x["oneTime"] for x in sub["upcomingOrder"]["lines"]] == [False, True]
    assert sub["upcomingOrder"]["subtotal"] == {"amount": "23.50"}


async def test_a_line_of_the_same_variant_and_kind_takes_the_quantity(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given: the subscription's recurring line of one unit
    me = await portal(gql, rt)
    [line] = factories.lines_of(me.sub)
    variant = gid("ProductVariant", line.variant_id)
    # when: the same variant, recurring, then once only
    merged = await me.accepted("addProduct", variantId=variant, quantity=3, oneTime=False)
    separate = await me.accepted("addProduct", variantId=variant, oneTime=True)
    # then
    assert [(x["id"], x["quantity"]) for x in merged["lines"]] == [(line_id(me.sub), 4)]
    assert [(x["quantity"], x["oneTime"]) for x in separate["lines"]] == [(4, False), (1, True)]


async def test_merging_past_99_is_refused(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)
    [line] = factories.lines_of(me.sub)
    await me.accepted("updateLineQuantity", lineId=line_id(me.sub), quantity=90)
    variant = gid("ProductVariant", line.variant_id)

    message = await me.refused(
        "addProduct", "INVALID", ["quantity"], variantId=variant, quantity=10, oneTime=False
    )

    assert "90 already" in message


@pytest.mark.parametrize("quantity", [0, -1, 100, None])
async def test_add_product_refuses_a_quantity_outside_1_to_99(
    gql: GraphQLClient, rt: Runtime, quantity: int | None
) -> None:
    me = await portal(gql, rt)
    mug = await _mug(rt)

    await me.refused(
        "addProduct", "INVALID", ["quantity"], variantId=mug, quantity=quantity, oneTime=False
    )


async def test_add_product_accepts_99(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)

    sub = await me.accepted("addProduct", variantId=await _mug(rt), quantity=99, oneTime=True)

    assert sub["lines"][-1]["quantity"] == 99


async def test_an_unavailable_variant_cannot_be_added(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)
    mug = await _mug(rt, available=False)

    message = await me.refused("addProduct", "INVALID", ["variantId"], variantId=mug, oneTime=True)

    assert "out of stock" in message


async def test_a_variant_of_an_archived_product_cannot_be_added(
    gql: GraphQLClient, rt: Runtime
) -> None:
    me = await portal(gql, rt)
    product = await factories.product(rt, title="Mug")
    await set_product(rt, product.id, active=False)
    mug = gid("ProductVariant", product.variants[0].id)

    message = await me.refused("addProduct", "INVALID", ["variantId"], variantId=mug, oneTime=True)

    assert "no longer sold" in message


@pytest.mark.parametrize(
    "variant_id", [gid("ProductVariant", 999_999), gid("Product", 1), "not-an-id"]
)
async def test_a_missing_or_malformed_variant_is_not_found(
    gql: GraphQLClient, rt: Runtime, variant_id: str
) -> None:
    me = await portal(gql, rt)

    await me.refused("addProduct", "NOT_FOUND", ["variantId"], variantId=variant_id, oneTime=True)


async def test_a_subscription_holds_a_bounded_number_of_lines(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given: as many lines as allowed
    product = await factories.product(
        rt, variants=[(f"V{i}", "1.00", True) for i in range(MAX_LINES + 1)]
    )
    *full, extra = product.variants
    me = await portal(gql, rt, variants=full)

    await me.refused(
        "addProduct",
        "INVALID",
        ["variantId"],
        variantId=gid("ProductVariant", extra.id),
        oneTime=True,
    )


async def test_add_product_honours_the_merchant_switch(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)
    mug = await _mug(rt)
    await factories.set_flags(rt, sub_add_product=False)

    await me.refused("addProduct", "ACTION_DISABLED", None, variantId=mug, oneTime=True)


async def test_nothing_is_added_to_a_cancelled_subscription(
    gql: GraphQLClient, rt: Runtime
) -> None:
    me = await portal(gql, rt, status=CANCELLED)
    mug = await _mug(rt)

    await me.refused(
        "addProduct", "NOT_ALLOWED_IN_STATE", ["subscriptionId"], variantId=mug, oneTime=True
    )


async def test_a_paused_subscription_takes_products(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt, status=SubscriptionStatus.PAUSED)

    sub = await me.accepted("addProduct", variantId=await _mug(rt), oneTime=False)

    assert len(sub["lines"]) == 2


async def test_another_customers_subscription_is_not_found(gql: GraphQLClient, rt: Runtime) -> None:
    theirs = await portal(gql, rt)
    me = await portal(gql, rt)
    mug = await _mug(rt)

    await me.about(theirs.sub).refused(
        "addProduct", "NOT_FOUND", ["subscriptionId"], variantId=mug, oneTime=True
    )


# --- updateLineQuantity ----------------------------------------------------------------------


async def test_change_a_lines_quantity(gql: GraphQLClient, rt: Runtime) -> None:
    me = await portal(gql, rt)

    sub = await me.accepted("updateLineQuantity", lineId=line_id(me.sub), quantity=3)

    assert sub["lines"][0]["quantity"] == 3
    assert sub["upcomingOrder"]["total"] == {"amount": "42.00"}
    [entry] = await history(rt, me.sub.id)
    assert entry.action == "edit_lines"
    assert (entry.before["line"]["quantity"], entry.after["line"]["quantity"]) == (1, 3)
    assert await topics(rt) == ["subscription.lines_changed"]


@pytest.mark.parametrize("quantity", [0, 100, 1])
async def test_a_quantity_outside_1_to_99_or_unchanged_is_refused(
    gql: GraphQLClient, rt: Runtime, quantity: int
) -> None:
    me = await portal(gql, rt)

    await me.refused(
        "updateLineQuantity", "INVALID", ["quantity"], lineId=line_id(me.sub), quantity=quantity
    )


async def test_a_line_of_another_subscription_is_not_found(gql: GraphQLClient, rt: Runtime) -> None:
    # given: the customer's own other subscription, and someone else's
    me = await portal(gql, rt)
    own_other = await factories.subscription(rt, me.customer)
    theirs = await portal(gql, rt)

    for line in (line_id(own_other), line_id(theirs.sub), "garbage"):
        await me.refused("updateLineQuantity", "NOT_FOUND", ["lineId"], lineId=line, quantity=2)
        await me.refused("removeLine", "NOT_FOUND", ["lineId"], lineId=line)


async def test_editing_lines_honours_the_merchant_switch(gql: GraphQLClient, rt: Runtime) -> None:
    mug = (await factories.product(rt, title="Mug")).variants[0]
    me = await portal(gql, rt, one_time=[mug])
    await factories.set_flags(rt, sub_edit_lines=False)

    await me.refused(
        "updateLineQuantity", "ACTION_DISABLED", None, lineId=line_id(me.sub), quantity=2
    )
    await me.refused("removeLine", "ACTION_DISABLED", None, lineId=line_id(me.sub, 1))


async def test_lines_of_a_cancelled_subscription_stay(gql: GraphQLClient, rt: Runtime) -> None:
    mug = (await factories.product(rt, title="Mug")).variants[0]
    me = await portal(gql, rt, status=CANCELLED, one_time=[mug])
    state = "NOT_ALLOWED_IN_STATE"

    await me.refused(
        "updateLineQuantity", state, ["subscriptionId"], lineId=line_id(me.sub), quantity=2
    )
    await me.refused("removeLine", state, ["subscriptionId"], lineId=line_id(me.sub, 1))


# --- removeLine ------------------------------------------------------------------------------


async def test_remove_a_one_time_add_on(gql: GraphQLClient, rt: Runtime) -> None:
    mug = (await factories.product(rt, title="Mug", variants=[("Blue", "9.50", True)])).variants[0]
    me = await portal(gql, rt, one_time=[mug])
    _, addon = factories.lines_of(me.sub)

    sub = await me.accepted("removeLine", lineId=line_id(me.sub, 1))

    assert [x["oneTime"] for x in sub["lines"]] == [False]
    assert sub["upcomingOrder"]["total"] == {"amount": "14.00"}
    [entry] = await history(rt, me.sub.id)
    assert entry.before["line"]["line_id"] == addon.id and entry.after == {"line": None}
    assert await topics(rt) == ["subscription.lines_changed"]


async def test_remove_a_recurring_line_while_another_recurs(
    gql: GraphQLClient, rt: Runtime
) -> None:
    coffee = (await factories.product(rt)).variants[0]
    mug = (await factories.product(rt, title="Mug", variants=[("Blue", "9.50", True)])).variants[0]
    me = await portal(gql, rt, variants=[coffee, mug])

    sub = await me.accepted("removeLine", lineId=line_id(me.sub, 0))

    assert [x["variant"]["title"] for x in sub["lines"]] == ["Blue"]


async def test_the_last_recurring_line_cannot_be_removed(gql: GraphQLClient, rt: Runtime) -> None:
    # given: one recurring line, and a one-time add-on that does not count
    mug = (await factories.product(rt, title="Mug")).variants[0]
    me = await portal(gql, rt, one_time=[mug])

    message = await me.refused(
        "removeLine", "NOT_ALLOWED_IN_STATE", ["lineId"], lineId=line_id(me.sub)
    )

    assert "cancel the subscription instead" in message
    assert len((await stored(rt, me.sub.id))["lines"]) == 2
