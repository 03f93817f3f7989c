"""`Subscription.actions` agrees exactly with the mutations.

Over generated subscription states, merchant switches and moments (the shop is in
New York, so the shop's day and UTC's differ at some hours), each `can…` flag read
through the API must be true exactly when its mutation, given valid input, is
accepted; a refusal must be the rule's (ACTION_DISABLED or NOT_ALLOWED_IN_STATE).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, update
from sqlmodel import col

from adapters.clock import ManualClock
from domain.merchant import SubscriptionAction
from domain.schedule import Frequency, Interval, next_after, shop_today
from domain.statuses import SubscriptionStatus
from models.shop import SHOP_ID, CustomerAccountSettings, Shop
from models.subscription import (
    SkippedCycle,
    Subscription,
    SubscriptionDiscount,
    SubscriptionLine,
)
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.subscriptions_support import sid
from tests.support import GraphQLClient

START = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)
MONTHLY = {"interval": "MONTH", "intervalCount": 1}
BIWEEKLY = {"interval": "WEEK", "intervalCount": 2}

# flag name -> (mutation, input builder given (subscription id, today, portal options))
Build = Callable[[str, date, dict[str, Any]], dict[str, Any]]
MUTATIONS: dict[str, tuple[str, str, Build]] = {
    "canChangeNextOrderDate": (
        "changeNextOrderDate",
        "ChangeNextOrderDateInput",
        lambda s, today, o: {"subscriptionId": s, "date": (today + timedelta(days=5)).isoformat()},
    ),
    "canChangeFrequency": (
        "changeFrequency",
        "ChangeFrequencyInput",
        lambda s, today, o: {"subscriptionId": s, "frequency": BIWEEKLY},
    ),
    "canSkip": ("skipOrder", "SkipOrderInput", lambda s, today, o: {"subscriptionId": s}),
    "canEditShippingAddress": (
        "updateSubscriptionAddress",
        "UpdateSubscriptionAddressInput",
        lambda s, today, o: {"subscriptionId": s, "addressId": o["address"]},
    ),
    "canUpdatePaymentMethod": (
        "updateSubscriptionPaymentMethod",
        "UpdateSubscriptionPaymentMethodInput",
        lambda s, today, o: {"subscriptionId": s, "paymentMethodId": o["other_card"]},
    ),
    "canSwapProduct": (
        "swapProduct",
        "SwapProductInput",
        lambda s, today, o: {"subscriptionId": s, "lineId": o["line"], "variantId": o["swap"]},
    ),
    "canChangeVariant": (
        "changeVariant",
        "ChangeVariantInput",
        lambda s, today, o: {"subscriptionId": s, "lineId": o["line"], "variantId": o["sibling"]},
    ),
    "canAddProduct": (
        "addProduct",
        "AddProductInput",
        lambda s, today, o: {"subscriptionId": s, "variantId": o["add_on"], "oneTime": True},
    ),
    "canEditLines": (
        "updateLineQuantity",
        "UpdateLineQuantityInput",
        lambda s, today, o: {"subscriptionId": s, "lineId": o["line"], "quantity": 2},
    ),
    "canApplyDiscount": (
        "applyDiscountCode",
        "ApplyDiscountCodeInput",
        lambda s, today, o: {"subscriptionId": s, "code": "PROP10"},
    ),
    "canGetNow": ("getNow", "GetNowInput", lambda s, today, o: {"subscriptionId": s}),
    "canUnskip": (
        "unskipOrder",
        "UnskipOrderInput",
        lambda s, today, o: {"subscriptionId": s, "date": "__skipped__"},
    ),
    "canPause": (
        "pauseSubscription",
        "PauseSubscriptionInput",
        lambda s, today, o: {
            "subscriptionId": s,
            "pauseOptionId": to_global_id("PauseOption", o["options"].pause_options[0].id),
        },
    ),
    "canUnpause": (
        "unpauseSubscription",
        "UnpauseSubscriptionInput",
        lambda s, today, o: {"subscriptionId": s},
    ),
    "canCancel": (
        "cancelWithReason",
        "CancelWithReasonInput",
        lambda s, today, o: {"subscriptionId": s, "reasonCode": "MOVING"},
    ),
    "canAcceptRetentionOffer": (
        "acceptRetentionOffer",
        "AcceptRetentionOfferInput",
        lambda s, today, o: {
            "subscriptionId": s,
            "offerId": to_global_id("RetentionOffer", o["options"].offer.id),
        },
    ),
    "canReactivate": (
        "reactivateSubscription",
        "ReactivateSubscriptionInput",
        lambda s, today, o: {
            "subscriptionId": s,
            "nextOrderDate": (today + timedelta(days=5)).isoformat(),
        },
    ),
}


@st.composite
def situations(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "flag": draw(st.sampled_from(sorted(MUTATIONS))),
        "status": draw(st.sampled_from(list(SubscriptionStatus))),
        "open_pause": draw(st.booleans()),
        "prepaid": draw(st.booleans()),
        "frequencies": draw(st.integers(1, 2)),
        "card": draw(st.booleans()),
        "early_order": draw(st.sampled_from([None, 0, -1])),
        "retained": draw(st.booleans()),
        "switches_off": draw(st.sets(st.sampled_from(list(SubscriptionAction)), max_size=4)),
        "hours": draw(st.integers(0, 24 * 400)),
    }


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(situation=situations())
async def test_each_flag_is_true_exactly_when_its_mutation_accepts(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock, situation: dict[str, Any]
) -> None:
    world = await _world(rt)
    clock._now = START + timedelta(hours=situation["hours"])
    today = shop_today(clock.now(), "America/New_York")
    sub_id = await _set_state(rt, world, situation, today)
    # A session lives 30 days; the clock may have moved further.
    token = await factories.login(rt, world["customer"])
    flag = situation["flag"]
    name, input_type, build = MUTATIONS[flag]
    variables = build(sid(sub_id), today, world)
    if variables.get("date") == "__skipped__":
        variables["date"] = world["skipped"].isoformat()

    shown = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on Subscription { actions { " + flag + " } } } }",
        {"id": sid(sub_id)},
        token=token,
    )
    answer = await gql.data(
        f"mutation($input: {input_type}!) {{ {name}(input: $input) "
        "{ userErrors { code field message } } }",
        {"input": variables},
        token=token,
    )

    errors = answer[name]["userErrors"]
    assert shown["node"]["actions"][flag] == (errors == []), (situation, errors)
    assert all(e["code"] in ("ACTION_DISABLED", "NOT_ALLOWED_IN_STATE") for e in errors), errors


_WORLDS: dict[int, dict[str, Any]] = {}


async def _world(rt: Runtime) -> dict[str, Any]:
    """One customer, subscription and set of options per database, reused by every example."""
    key = id(rt.db)
    if key not in _WORLDS:
        async with rt.db.transaction() as session:
            shop = await session.get(Shop, SHOP_ID)
            assert shop is not None
            shop.time_zone = "America/New_York"
        ada = await factories.customer(rt)
        card = await factories.payment_method(rt, ada)
        options = await factories.portal_options(rt)
        beans = await factories.product(
            rt, title="Beans", variants=[("Whole", "14.00", True), ("Ground", "14.00", True)]
        )
        tea = await factories.product(rt, title="Tea", variants=[("Tin", "9.00", True)])
        mug = await factories.product(rt, title="Mug", variants=[("Blue", "12.00", True)])
        await factories.discount_code(rt, "PROP10")
        sub = await factories.subscription(
            rt, ada, payment_method=card, variants=beans.variants[:1]
        )
        home = await factories.address(rt, ada, line1="1 Main St", city="Boston", country_code="US")
        other_card = await factories.payment_method(rt, ada, last4="4444", expiry=(12, 2035))
        _WORLDS.clear()
        _WORLDS[key] = {
            "customer": ada,
            "card": card.id,
            "options": options,
            "sub": sub.id,
            "beans": beans.variants[0],
            "sibling": to_global_id("ProductVariant", beans.variants[1].id),
            "swap": to_global_id("ProductVariant", tea.variants[0].id),
            "add_on": to_global_id("ProductVariant", mug.variants[0].id),
            "address": to_global_id("Address", home.id),
            "other_card": to_global_id("PaymentMethod", other_card.id),
        }
    return _WORLDS[key]


async def _set_state(
    rt: Runtime, world: dict[str, Any], situation: dict[str, Any], today: date
) -> int:
    """Put the one subscription and the switches into the drawn situation."""
    status = situation["status"]
    next_date = today + timedelta(days=10)
    paused_open = status is SubscriptionStatus.PAUSED and situation["open_pause"]
    allowed = [MONTHLY, BIWEEKLY][: situation["frequencies"]]
    early = situation["early_order"]
    monthly = Frequency(Interval.MONTH, 1)
    world["skipped"] = next_after(next_date, monthly, next_date)
    async with rt.db.transaction() as session:
        await session.execute(
            update(Subscription)
            .where(col(Subscription.id) == world["sub"])
            .values(
                status=status,
                anchor_date=next_date,
                next_order_date=None
                if status in (SubscriptionStatus.CANCELLED, SubscriptionStatus.PAST_DUE)
                or paused_open
                else next_date,
                paused_until=today + timedelta(days=5)
                if status is SubscriptionStatus.PAUSED and not paused_open
                else None,
                interval=Interval.MONTH,
                interval_count=1,
                allowed_frequencies=allowed,
                is_prepaid=situation["prepaid"],
                prepaid_cycles=6 if situation["prepaid"] else None,
                payment_method_id=world["card"] if situation["card"] else None,
                last_early_order_on=None if early is None else today + timedelta(days=early),
                retention_accepted_at=START if situation["retained"] else None,
                cancelled_at=START if status is SubscriptionStatus.CANCELLED else None,
            )
        )
        await session.execute(
            delete(SkippedCycle).where(col(SkippedCycle.subscription_id) == world["sub"])
        )
        session.add(SkippedCycle(subscription_id=world["sub"], order_date=world["skipped"]))
        # One recurring line and no codes, whatever the last example changed.
        await session.execute(
            delete(SubscriptionLine).where(col(SubscriptionLine.subscription_id) == world["sub"])
        )
        await session.execute(
            delete(SubscriptionDiscount).where(
                col(SubscriptionDiscount.subscription_id) == world["sub"]
            )
        )
        line = SubscriptionLine(
            subscription_id=world["sub"],
            variant_id=world["beans"].id,
            quantity=1,
            unit_price=world["beans"].price,
        )
        session.add(line)
        await session.flush()
        world["line"] = to_global_id("SubscriptionLine", line.id)
        await session.execute(
            update(CustomerAccountSettings)
            .where(col(CustomerAccountSettings.shop_id) == SHOP_ID)
            .values(
                {
                    action.column_name: action not in situation["switches_off"]
                    for action in SubscriptionAction
                }
            )
        )
    return int(world["sub"])
