"""Reading subscriptions: every field of the page, the list, and who may see them."""

from __future__ import annotations

from datetime import date

from adapters.clock import ManualClock
from domain.schedule import Interval
from domain.statuses import SubscriptionStatus
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.subscriptions_support import SUBSCRIPTION_FIELDS, sid
from tests.support import GraphQLClient

LIST = (
    "query($status: SubscriptionStatus) { me { subscriptions(first: 10, status: $status) "
    "{ edges { node { " + SUBSCRIPTION_FIELDS + " } } pageInfo { hasNextPage } } } }"
)


async def test_a_subscription_page_shows_every_part(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    # given: 2026-11-21 in the shop (UTC); monthly, next order on the 30th
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    card = await factories.payment_method(rt, ada)
    options = await factories.portal_options(rt)
    addon = (await factories.product(rt, title="Mug", variants=[("Blue", "9.50", True)])).variants[
        0
    ]
    sub = await factories.subscription(
        rt,
        ada,
        next_order_date=date(2026, 11, 30),
        allowed=[(Interval.MONTH, 1), (Interval.WEEK, 2)],
        payment_method=card,
        one_time=[addon],
    )

    # when
    data = await gql.data(LIST, {"status": None}, token=token)

    # then
    node = data["me"]["subscriptions"]["edges"][0]["node"]
    assert node["id"] == sid(sub)
    assert node["status"] == "ACTIVE"
    assert node["nextOrderDate"] == "2026-11-30"
    assert node["frequency"] == {"interval": "MONTH", "intervalCount": 1}
    assert len(node["availableFrequencies"]) == 2
    assert [(line["oneTime"], line["unitPrice"]["amount"]) for line in node["lines"]] == [
        (False, "14.00"),
        (True, "9.50"),
    ]
    assert node["upcomingOrder"]["subtotal"] == {"amount": "23.50"}
    assert node["upcomingOrder"]["total"] == {"amount": "23.50"}
    assert node["paymentMethod"]["last4"]
    assert node["shippingAddress"]["city"] == "Brooklyn"
    assert node["actions"]["canSkip"] and node["actions"]["canPause"]
    assert not node["actions"]["canUnpause"] and not node["actions"]["canReactivate"]
    assert [o["days"] for o in node["pauseOptions"]] == [14, 30, None]
    assert node["cancelReasons"][-1] == {
        "code": "OTHER",
        "label": "Other reason",
        "requiresComment": True,
    }
    assert node["retentionOffer"]["price"] == {"amount": "11.20"}
    assert node["schedule"] == [
        {"date": "2026-11-30", "skipped": False},
        {"date": "2026-12-30", "skipped": False},
        {"date": "2027-01-30", "skipped": False},
        {"date": "2027-02-28", "skipped": False},
    ]
    assert options.offer.id is not None


async def test_the_list_filters_by_status(gql: GraphQLClient, rt: Runtime) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    active = await factories.subscription(rt, ada)
    cancelled = await factories.subscription(rt, ada, status=SubscriptionStatus.CANCELLED)

    everything = await gql.data(LIST, {"status": None}, token=token)
    only_cancelled = await gql.data(LIST, {"status": "CANCELLED"}, token=token)

    ids = [e["node"]["id"] for e in everything["me"]["subscriptions"]["edges"]]
    assert ids == [sid(cancelled), sid(active)]
    [node] = [e["node"] for e in only_cancelled["me"]["subscriptions"]["edges"]]
    assert node["id"] == sid(cancelled)
    assert node["upcomingOrder"] is None and node["schedule"] == []
    assert node["actions"]["canReactivate"] and not node["actions"]["canSkip"]
