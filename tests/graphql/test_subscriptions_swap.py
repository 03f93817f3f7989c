"""swapProduct and changeVariant: which variants qualify, the new price, every refusal."""

from __future__ import annotations

from typing import Any

import pytest

from domain.statuses import SubscriptionStatus
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.subscription_changes_support import Portal, gid, line_id, portal, set_product
from tests.graphql.subscriptions_support import history, topics
from tests.support import GraphQLClient


async def _given(gql: GraphQLClient, rt: Runtime, **kw: Any) -> tuple[Portal, list[str]]:
    """A subscription to the 12 oz of a coffee that also comes in 1 kg and 250 g (sold out);
    returns the three variants' global IDs."""
    coffee = await factories.product(
        rt,
        title="House Blend",
        variants=[("12 oz", "14.00", True), ("1 kg", "32.50", True), ("250 g", "9.00", False)],
    )
    me = await portal(gql, rt, variants=coffee.variants[:1], **kw)
    return me, [gid("ProductVariant", v.id) for v in coffee.variants]


async def _tea(rt: Runtime, *, available: bool = True, **product: Any) -> str:
    tea = await factories.product(rt, title="Green Tea", variants=[("Tin", "11.25", available)])
    if product:
        await set_product(rt, tea.id, **product)
    return gid("ProductVariant", tea.variants[0].id)


# --- swapProduct -----------------------------------------------------------------------------


async def test_swap_to_another_product_at_its_price(gql: GraphQLClient, rt: Runtime) -> None:
    # given
    me, _ = await _given(gql, rt)
    tea = await _tea(rt)
    # when
    sub = await me.accepted("swapProduct", lineId=line_id(me.sub), variantId=tea)
    # then: the same line, now tea at the tea's price
    [line] = sub["lines"]
    assert line["id"] == line_id(me.sub)
    assert (line["variant"]["title"], line["unitPrice"]["amount"]) == ("Tin", "11.25")
    assert sub["upcomingOrder"]["total"] == {"amount": "11.25"}
    [entry] = await history(rt, me.sub.id)
    assert entry.action == "swap_product"
    prices = (entry.before["line"]["unit_price"], entry.after["line"]["unit_price"])
    assert prices == ("14.00", "11.25")
    assert await topics(rt) == ["subscription.lines_changed"]


async def test_swap_refuses_a_variant_of_the_same_product(gql: GraphQLClient, rt: Runtime) -> None:
    me, (_, kilo, _) = await _given(gql, rt)

    message = await me.refused(
        "swapProduct", "INVALID", ["variantId"], lineId=line_id(me.sub), variantId=kilo
    )

    assert "change the variant" in message


@pytest.mark.parametrize(
    "tea",
    [
        {"swap_eligible": False},
        {"active": False},
        {"available": False},
    ],
    ids=["not swap-eligible", "archived", "unavailable"],
)
async def test_swap_refuses_a_product_that_does_not_qualify(
    gql: GraphQLClient, rt: Runtime, tea: dict[str, bool]
) -> None:
    me, _ = await _given(gql, rt)
    variant = await _tea(rt, **tea)

    await me.refused(
        "swapProduct", "INVALID", ["variantId"], lineId=line_id(me.sub), variantId=variant
    )


async def test_swap_refuses_a_product_already_on_the_subscription(
    gql: GraphQLClient, rt: Runtime
) -> None:
    # given: tea is already a recurring line
    me, _ = await _given(gql, rt)
    tea = await _tea(rt)
    await me.accepted("addProduct", variantId=tea, oneTime=False)

    message = await me.refused(
        "swapProduct", "INVALID", ["variantId"], lineId=line_id(me.sub), variantId=tea
    )

    assert "already on your subscription" in message


@pytest.mark.parametrize("name", ["swapProduct", "changeVariant"])
async def test_unknown_variants_and_lines_are_not_found(
    gql: GraphQLClient, rt: Runtime, name: str
) -> None:
    me, (_, kilo, _) = await _given(gql, rt)
    theirs, _ = await _given(gql, rt)
    variant = kilo if name == "changeVariant" else await _tea(rt)
    mine = line_id(me.sub)

    missing = gid("ProductVariant", 999_999)
    await me.refused(name, "NOT_FOUND", ["variantId"], lineId=mine, variantId=missing)
    await me.refused(name, "NOT_FOUND", ["variantId"], lineId=mine, variantId="bad")
    await me.refused(name, "NOT_FOUND", ["lineId"], lineId=line_id(theirs.sub), variantId=variant)
    await me.about(theirs.sub).refused(
        name, "NOT_FOUND", ["subscriptionId"], lineId=line_id(theirs.sub), variantId=variant
    )


@pytest.mark.parametrize(
    ("name", "flag"), [("swapProduct", "sub_swap_product"), ("changeVariant", "sub_change_variant")]
)
async def test_each_honours_its_merchant_switch(
    gql: GraphQLClient, rt: Runtime, name: str, flag: str
) -> None:
    me, (_, kilo, _) = await _given(gql, rt)
    variant = kilo if name == "changeVariant" else await _tea(rt)
    await factories.set_flags(rt, **{flag: False})

    await me.refused(name, "ACTION_DISABLED", None, lineId=line_id(me.sub), variantId=variant)


@pytest.mark.parametrize("name", ["swapProduct", "changeVariant"])
async def test_a_cancelled_subscription_is_not_changed(
    gql: GraphQLClient, rt: Runtime, name: str
) -> None:
    me, (_, kilo, _) = await _given(gql, rt, status=SubscriptionStatus.CANCELLED)
    variant = kilo if name == "changeVariant" else await _tea(rt)

    await me.refused(
        name, "NOT_ALLOWED_IN_STATE", ["subscriptionId"], lineId=line_id(me.sub), variantId=variant
    )


# --- changeVariant ---------------------------------------------------------------------------


async def test_change_to_another_variant_at_its_price(gql: GraphQLClient, rt: Runtime) -> None:
    me, (_, kilo, _) = await _given(gql, rt)

    sub = await me.accepted("changeVariant", lineId=line_id(me.sub), variantId=kilo)

    [line] = sub["lines"]
    assert (line["variant"]["title"], line["unitPrice"]["amount"]) == ("1 kg", "32.50")
    assert sub["upcomingOrder"]["subtotal"] == {"amount": "32.50"}
    [entry] = await history(rt, me.sub.id)
    assert entry.action == "change_variant"
    assert await topics(rt) == ["subscription.lines_changed"]


async def test_change_variant_refuses_another_product(gql: GraphQLClient, rt: Runtime) -> None:
    me, _ = await _given(gql, rt)
    tea = await _tea(rt)

    message = await me.refused(
        "changeVariant", "INVALID", ["variantId"], lineId=line_id(me.sub), variantId=tea
    )

    assert "same product" in message


async def test_change_variant_refuses_the_current_or_an_unavailable_variant(
    gql: GraphQLClient, rt: Runtime
) -> None:
    me, (current, _, sold_out) = await _given(gql, rt)

    for variant in (current, sold_out):
        await me.refused(
            "changeVariant", "INVALID", ["variantId"], lineId=line_id(me.sub), variantId=variant
        )


async def test_a_paused_subscription_can_change_variant(gql: GraphQLClient, rt: Runtime) -> None:
    me, (_, kilo, _) = await _given(gql, rt, status=SubscriptionStatus.PAUSED)

    sub = await me.accepted("changeVariant", lineId=line_id(me.sub), variantId=kilo)

    assert sub["lines"][0]["variant"]["title"] == "1 kg"
