"""pause, unpause, cancel with a reason, the retention offer, reactivate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from adapters.clock import ManualClock
from domain.statuses import SubscriptionStatus
from models.customer import Customer
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.subscriptions_support import history, mutation, sid, stored, topics
from tests.support import GraphQLClient

PAUSE = mutation("pauseSubscription", "PauseSubscriptionInput")
UNPAUSE = mutation("unpauseSubscription", "UnpauseSubscriptionInput")
CANCEL = mutation("cancelWithReason", "CancelWithReasonInput")
ACCEPT = mutation("acceptRetentionOffer", "AcceptRetentionOfferInput")
REACTIVATE = mutation("reactivateSubscription", "ReactivateSubscriptionInput")

NEXT = date(2026, 11, 30)


async def _setup(rt: Runtime, **sub: Any) -> tuple[str, Any, Any, Customer]:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    options = await factories.portal_options(rt)
    sub.setdefault("next_order_date", NEXT)
    return token, await factories.subscription(rt, ada, **sub), options, ada


async def _refused(
    gql: GraphQLClient, rt: Runtime, query: str, variables: dict[str, Any], token: str, sub_id: int
) -> list[Any]:
    before = await stored(rt, sub_id)
    data = await gql.data(query, {"input": variables}, token=token)
    [payload] = data.values()
    assert payload["subscription"] is None
    assert await stored(rt, sub_id) == before
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


def _option(options: Any, days: int | None) -> str:
    row = next(o for o in options.pause_options if o.days == days)
    return to_global_id("PauseOption", row.id)


async def test_a_fixed_pause_holds_orders_until_its_end(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub, options, _ = await _setup(rt)

    data = await gql.data(
        PAUSE,
        {"input": {"subscriptionId": sid(sub), "pauseOptionId": _option(options, 30)}},
        token=token,
    )

    node = data["pauseSubscription"]["subscription"]
    # Today is 2026-11-21: 30 days on is 2026-12-21; the first order from then is 2026-12-30.
    assert (node["status"], node["pausedUntil"], node["nextOrderDate"]) == (
        "PAUSED",
        "2026-12-21",
        "2026-12-30",
    )
    assert node["actions"]["canUnpause"] and not node["actions"]["canPause"]
    assert not node["actions"]["canGetNow"] and not node["actions"]["canSkip"]
    assert await topics(rt) == ["subscription.paused"]


async def test_an_open_ended_pause_has_no_next_order_until_unpaused(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    token, sub, options, _ = await _setup(rt)
    paused = await gql.data(
        PAUSE,
        {"input": {"subscriptionId": sid(sub), "pauseOptionId": _option(options, None)}},
        token=token,
    )
    node = paused["pauseSubscription"]["subscription"]
    assert (node["nextOrderDate"], node["pausedUntil"], node["upcomingOrder"]) == (None, None, None)

    clock.advance(days=20)  # 2026-12-11
    resumed = await gql.data(UNPAUSE, {"input": {"subscriptionId": sid(sub)}}, token=token)

    node = resumed["unpauseSubscription"]["subscription"]
    assert (node["status"], node["nextOrderDate"]) == ("ACTIVE", "2026-12-30")
    assert [e.action for e in await history(rt, sub.id)] == ["pause", "unpause"]


async def test_pause_refusals(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub, options, ada = await _setup(rt)
    someone = await factories.customer(rt)
    other_option_like = to_global_id("PauseOption", 9999)
    assert await _refused(
        gql,
        rt,
        PAUSE,
        {"subscriptionId": sid(sub), "pauseOptionId": other_option_like},
        token,
        sub.id,
    ) == [("NOT_FOUND", ["pauseOptionId"])]
    cancelled = await factories.subscription(rt, ada, status=SubscriptionStatus.CANCELLED)
    assert await _refused(
        gql,
        rt,
        PAUSE,
        {"subscriptionId": sid(cancelled), "pauseOptionId": _option(options, 14)},
        token,
        cancelled.id,
    ) == [("NOT_ALLOWED_IN_STATE", ["subscriptionId"])]
    assert await _refused(gql, rt, UNPAUSE, {"subscriptionId": sid(sub)}, token, sub.id) == [
        ("NOT_ALLOWED_IN_STATE", ["subscriptionId"])
    ]
    foreign = await factories.subscription(rt, someone)
    assert await _refused(
        gql,
        rt,
        PAUSE,
        {"subscriptionId": sid(foreign), "pauseOptionId": _option(options, 14)},
        token,
        foreign.id,
    ) == [("NOT_FOUND", ["subscriptionId"])]
    await factories.set_flags(rt, sub_pause=False)
    assert await _refused(
        gql,
        rt,
        PAUSE,
        {"subscriptionId": sid(sub), "pauseOptionId": _option(options, 14)},
        token,
        sub.id,
    ) == [("ACTION_DISABLED", None)]


async def test_cancelling_stops_future_orders_and_keeps_placed_ones(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token, sub, _, ada = await _setup(rt)
    order = await factories.order(rt, ada)

    data = await gql.data(
        CANCEL,
        {"input": {"subscriptionId": sid(sub), "reasonCode": "MOVING", "comment": "  To Lisbon "}},
        token=token,
    )

    node = data["cancelWithReason"]["subscription"]
    assert (node["status"], node["nextOrderDate"], node["upcomingOrder"]) == (
        "CANCELLED",
        None,
        None,
    )
    assert node["actions"]["canReactivate"] and not node["actions"]["canCancel"]
    row = (await stored(rt, sub.id))["row"]
    assert (row["cancel_reason_code"], row["cancel_comment"]) == ("MOVING", "To Lisbon")
    assert await topics(rt) == ["subscription.cancelled"]
    assert (await factories_order_status(rt, order.id)) == "OPEN"


async def factories_order_status(rt: Runtime, order_id: int) -> str:
    from models.order import Order

    async with rt.db.read() as session:
        row = await session.get(Order, order_id)
    assert row is not None
    return str(row.status)


@pytest.mark.parametrize(
    ("reason", "comment", "field"),
    [
        ("NOPE", None, "reasonCode"),
        ("OTHER", None, "comment"),
        ("OTHER", "   ", "comment"),
        ("MOVING", "x" * 1001, "comment"),
        ("MOVING", "bad\x00byte", "comment"),
    ],
)
async def test_cancel_needs_an_offered_reason_and_a_comment_where_asked(
    gql: GraphQLClient, rt: Runtime, reason: str, comment: str | None, field: str
) -> None:
    token, sub, _, _ = await _setup(rt)
    variables = {"subscriptionId": sid(sub), "reasonCode": reason, "comment": comment}
    assert await _refused(gql, rt, CANCEL, variables, token, sub.id) == [("INVALID", [field])]


async def test_the_retention_offer_discounts_recurring_lines_once(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token, sub, options, _ = await _setup(rt)
    offer = to_global_id("RetentionOffer", options.offer.id)

    data = await gql.data(
        ACCEPT, {"input": {"subscriptionId": sid(sub), "offerId": offer}}, token=token
    )

    node = data["acceptRetentionOffer"]["subscription"]
    assert node["status"] == "ACTIVE"
    assert [line["unitPrice"]["amount"] for line in node["lines"]] == ["11.20"]
    assert node["upcomingOrder"]["total"] == {"amount": "11.20"}
    assert node["retentionOffer"] is None and not node["actions"]["canAcceptRetentionOffer"]
    assert await _refused(
        gql, rt, ACCEPT, {"subscriptionId": sid(sub), "offerId": offer}, token, sub.id
    ) == [("NOT_ALLOWED_IN_STATE", ["subscriptionId"])]
    assert await topics(rt) == ["subscription.retention_offer_accepted"]


async def test_reactivating_a_cancelled_subscription(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub, _, ada = await _setup(rt, status=SubscriptionStatus.CANCELLED, next_order_date=None)

    assert await _refused(
        gql,
        rt,
        REACTIVATE,
        {"subscriptionId": sid(sub), "nextOrderDate": "2026-11-21"},
        token,
        sub.id,
    ) == [("INVALID", ["nextOrderDate"])]
    data = await gql.data(
        REACTIVATE,
        {"input": {"subscriptionId": sid(sub), "nextOrderDate": "2026-12-05"}},
        token=token,
    )

    node = data["reactivateSubscription"]["subscription"]
    assert (node["status"], node["nextOrderDate"]) == ("ACTIVE", "2026-12-05")
    active = await factories.subscription(rt, ada)
    assert await _refused(
        gql,
        rt,
        REACTIVATE,
        {"subscriptionId": sid(active), "nextOrderDate": "2026-12-05"},
        token,
        active.id,
    ) == [("NOT_ALLOWED_IN_STATE", ["subscriptionId"])]


async def test_a_fixed_pause_ends_by_itself_on_its_date(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    from domain.actors import Actor
    from services.subscription_lifecycle import end_fixed_pauses

    token, sub, options, ada = await _setup(rt)
    still = await factories.subscription(rt, ada)
    await gql.data(
        PAUSE,
        {"input": {"subscriptionId": sid(sub), "pauseOptionId": _option(options, 14)}},
        token=token,
    )
    await gql.data(
        PAUSE,
        {"input": {"subscriptionId": sid(still), "pauseOptionId": _option(options, 30)}},
        token=token,
    )
    worker = Actor.system("worker")

    clock.advance(days=13)  # 2026-12-04: the 14-day pause ends tomorrow
    assert await end_fixed_pauses(rt, actor=worker) == 0
    clock.advance(days=1)  # 2026-12-05
    assert await end_fixed_pauses(rt, actor=worker) == 1

    row = (await stored(rt, sub.id))["row"]
    assert (row["status"], row["paused_until"], row["next_order_date"]) == (
        "ACTIVE",
        None,
        date(2026, 12, 30),
    )
    assert (await stored(rt, still.id))["row"]["status"] == "PAUSED"
    ended = (await history(rt, sub.id))[-1]
    assert (ended.actor, ended.after["reason"]) == ("system:worker", "pause_ended")
