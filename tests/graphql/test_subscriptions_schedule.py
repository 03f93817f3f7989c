"""changeNextOrderDate, changeFrequency, skipOrder, unskipOrder: what each changes and refuses."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.schedule import Interval
from domain.statuses import SubscriptionStatus
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.subscriptions_support import history, mutation, sid, stored, topics
from tests.support import GraphQLClient

CHANGE_DATE = mutation("changeNextOrderDate", "ChangeNextOrderDateInput")
CHANGE_FREQUENCY = mutation("changeFrequency", "ChangeFrequencyInput")
SKIP = mutation("skipOrder", "SkipOrderInput")
UNSKIP = mutation("unskipOrder", "UnskipOrderInput")

# The test clock's today in the test shop (UTC) is 2026-11-21.
NEXT = date(2026, 11, 30)


async def _signed_in(rt: Runtime, **sub: Any) -> tuple[str, Any]:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    return token, await factories.subscription(rt, ada, next_order_date=NEXT, **sub)


async def _refused(
    gql: GraphQLClient, rt: Runtime, query: str, variables: dict[str, Any], token: str, sub_id: int
) -> list[Any]:
    before = await stored(rt, sub_id)
    data = await gql.data(query, {"input": variables}, token=token)
    [payload] = data.values()
    assert payload["subscription"] is None
    assert await stored(rt, sub_id) == before
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


async def test_changing_the_next_order_date_moves_later_orders_too(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token, sub = await _signed_in(rt)

    data = await gql.data(
        CHANGE_DATE, {"input": {"subscriptionId": sid(sub), "date": "2027-01-31"}}, token=token
    )

    node = data["changeNextOrderDate"]["subscription"]
    assert data["changeNextOrderDate"]["userErrors"] == []
    assert node["nextOrderDate"] == "2027-01-31"
    assert [s["date"] for s in node["schedule"]] == [
        "2027-01-31",
        "2027-02-28",
        "2027-03-31",
        "2027-04-30",
    ]
    [entry] = await history(rt, sub.id)
    assert (entry.action, entry.actor, entry.before["next_order_date"]) == (
        "change_next_order_date",
        f"customer:{sub.customer_id}",
        "2026-11-30",
    )
    assert entry.after["next_order_date"] == "2027-01-31"
    assert await topics(rt) == ["subscription.next_order_date_changed"]


@pytest.mark.parametrize(
    ("day", "why"),
    [("2026-11-21", "today"), ("2026-11-01", "past"), ("2027-05-21", "past the 180-day horizon")],
)
async def test_a_next_order_date_must_be_after_today_and_within_the_horizon(
    gql: GraphQLClient, rt: Runtime, day: str, why: str
) -> None:
    token, sub = await _signed_in(rt)
    errors = await _refused(
        gql, rt, CHANGE_DATE, {"subscriptionId": sid(sub), "date": day}, token, sub.id
    )
    assert errors == [("INVALID", ["date"])], why


async def test_the_last_day_of_the_horizon_is_accepted(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub = await _signed_in(rt)
    data = await gql.data(
        CHANGE_DATE, {"input": {"subscriptionId": sid(sub), "date": "2027-05-20"}}, token=token
    )
    assert data["changeNextOrderDate"]["subscription"]["nextOrderDate"] == "2027-05-20"


async def test_date_changes_answer_action_disabled_and_not_allowed_in_state(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token, sub = await _signed_in(rt)
    paused = await factories.subscription(
        rt, await _owner(rt, sub), status=SubscriptionStatus.PAUSED
    )
    variables = {"subscriptionId": sid(paused), "date": "2026-12-05"}
    assert await _refused(gql, rt, CHANGE_DATE, variables, token, paused.id) == [
        ("NOT_ALLOWED_IN_STATE", ["subscriptionId"])
    ]
    await factories.set_flags(rt, sub_change_next_order_date=False)
    variables = {"subscriptionId": sid(sub), "date": "2026-12-05"}
    assert await _refused(gql, rt, CHANGE_DATE, variables, token, sub.id) == [
        ("ACTION_DISABLED", None)
    ]


async def _owner(rt: Runtime, sub: Any) -> Any:
    from models.customer import Customer

    async with rt.db.read() as session:
        return await session.get(Customer, sub.customer_id)


async def test_changing_the_frequency_keeps_the_next_date_and_spaces_the_rest(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token, sub = await _signed_in(rt, allowed=[(Interval.MONTH, 1), (Interval.WEEK, 2)])

    data = await gql.data(
        CHANGE_FREQUENCY,
        {
            "input": {
                "subscriptionId": sid(sub),
                "frequency": {"interval": "WEEK", "intervalCount": 2},
            }
        },
        token=token,
    )

    node = data["changeFrequency"]["subscription"]
    assert node["frequency"] == {"interval": "WEEK", "intervalCount": 2}
    assert [s["date"] for s in node["schedule"]][:3] == ["2026-11-30", "2026-12-14", "2026-12-28"]
    assert await topics(rt) == ["subscription.frequency_changed"]


async def test_changing_the_frequency_with_a_new_date(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub = await _signed_in(rt, allowed=[(Interval.MONTH, 1), (Interval.MONTH, 2)])
    data = await gql.data(
        CHANGE_FREQUENCY,
        {
            "input": {
                "subscriptionId": sid(sub),
                "frequency": {"interval": "MONTH", "intervalCount": 2},
                "nextOrderDate": "2026-12-31",
            }
        },
        token=token,
    )
    node = data["changeFrequency"]["subscription"]
    assert [s["date"] for s in node["schedule"]][:3] == ["2026-12-31", "2027-02-28", "2027-04-30"]


async def test_frequency_refusals(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub = await _signed_in(rt, allowed=[(Interval.MONTH, 1), (Interval.WEEK, 2)])
    owner = await _owner(rt, sub)
    single = await factories.subscription(rt, owner)
    prepaid = await factories.subscription(
        rt, owner, prepaid_cycles=6, allowed=[(Interval.MONTH, 1), (Interval.WEEK, 2)]
    )
    week2 = {"interval": "WEEK", "intervalCount": 2}

    # not offered
    errors = await _refused(
        gql,
        rt,
        CHANGE_FREQUENCY,
        {"subscriptionId": sid(sub), "frequency": {"interval": "DAY", "intervalCount": 3}},
        token,
        sub.id,
    )
    assert errors == [("INVALID", ["frequency"])]
    # a bad date with it
    errors = await _refused(
        gql,
        rt,
        CHANGE_FREQUENCY,
        {"subscriptionId": sid(sub), "frequency": week2, "nextOrderDate": "2026-11-20"},
        token,
        sub.id,
    )
    assert errors == [("INVALID", ["nextOrderDate"])]
    # the merchant offers one frequency only
    errors = await _refused(
        gql,
        rt,
        CHANGE_FREQUENCY,
        {"subscriptionId": sid(single), "frequency": week2},
        token,
        single.id,
    )
    assert errors == [("ACTION_DISABLED", None)]
    # prepaid
    errors = await _refused(
        gql,
        rt,
        CHANGE_FREQUENCY,
        {"subscriptionId": sid(prepaid), "frequency": week2},
        token,
        prepaid.id,
    )
    assert errors == [("NOT_ALLOWED_IN_STATE", ["subscriptionId"])]


async def test_skipping_moves_the_next_order_and_unskipping_brings_it_back(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token, sub = await _signed_in(rt)

    skipped = await gql.data(
        SKIP, {"input": {"subscriptionId": sid(sub), "cycles": 2}}, token=token
    )

    node = skipped["skipOrder"]["subscription"]
    assert node["nextOrderDate"] == "2027-01-30"
    assert node["schedule"][:3] == [
        {"date": "2026-11-30", "skipped": True},
        {"date": "2026-12-30", "skipped": True},
        {"date": "2027-01-30", "skipped": False},
    ]

    back = await gql.data(
        UNSKIP, {"input": {"subscriptionId": sid(sub), "date": "2026-12-30"}}, token=token
    )

    node = back["unskipOrder"]["subscription"]
    assert node["nextOrderDate"] == "2026-12-30"
    assert node["schedule"][:2] == [
        {"date": "2026-11-30", "skipped": True},
        {"date": "2026-12-30", "skipped": False},
    ]
    assert await topics(rt) == ["subscription.skipped", "subscription.unskipped"]
    assert [e.action for e in await history(rt, sub.id)] == ["skip", "unskip"]


async def test_skip_defaults_to_one_order(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub = await _signed_in(rt)
    data = await gql.data(SKIP, {"input": {"subscriptionId": sid(sub)}}, token=token)
    assert data["skipOrder"]["subscription"]["nextOrderDate"] == "2026-12-30"


@pytest.mark.parametrize("cycles", [0, -1, 4, None])
async def test_skip_takes_one_to_the_merchants_maximum(
    gql: GraphQLClient, rt: Runtime, cycles: int | None
) -> None:
    token, sub = await _signed_in(rt)
    errors = await _refused(
        gql, rt, SKIP, {"subscriptionId": sid(sub), "cycles": cycles}, token, sub.id
    )
    assert errors == [("INVALID", ["cycles"])]


async def test_unskip_refuses_a_date_not_skipped(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub = await _signed_in(rt)
    errors = await _refused(
        gql, rt, UNSKIP, {"subscriptionId": sid(sub), "date": "2026-11-30"}, token, sub.id
    )
    assert errors == [("NOT_FOUND", ["date"])]


async def test_skip_refused_when_off_or_paused(gql: GraphQLClient, rt: Runtime) -> None:
    token, sub = await _signed_in(rt)
    paused = await factories.subscription(
        rt, await _owner(rt, sub), status=SubscriptionStatus.PAUSED
    )
    assert await _refused(gql, rt, SKIP, {"subscriptionId": sid(paused)}, token, paused.id) == [
        ("NOT_ALLOWED_IN_STATE", ["subscriptionId"])
    ]
    await factories.set_flags(rt, sub_skip=False)
    assert await _refused(gql, rt, SKIP, {"subscriptionId": sid(sub)}, token, sub.id) == [
        ("ACTION_DISABLED", None)
    ]
