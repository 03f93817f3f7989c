"""The demo store: its money adds up, its rows agree with each other, and seeding is
idempotent. `seed_demo` refuses any database that already has a store, so these tests
build their runtime on the bare `db` fixture instead of `rt` (which creates one)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlmodel import col

import models
from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from adapters.sms import ConsoleSmsBackend
from config import Settings
from demo.seed import seed_demo
from domain.statuses import OrderStatus
from models.database import Database
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from models.ticket import Ticket
from plumbing.runtime import Runtime, build_runtime


@pytest.fixture
def demo(
    settings: Settings,
    db: Database,
    clock: ManualClock,
    mailer: ConsoleEmailBackend,
    sms: ConsoleSmsBackend,
) -> Runtime:
    """A runtime on an empty database: no shop row yet."""
    return build_runtime(settings, db=db, clock=clock, mailer=mailer, sms=sms)


async def row_counts(rt: Runtime) -> dict[str, int]:
    async with rt.db.read() as session:
        return {
            table.name: (await session.scalar(select(func.count()).select_from(table))) or 0
            for table in models.metadata.sorted_tables
        }


async def test_every_demo_order_adds_up_and_agrees_with_its_parts(demo: Runtime) -> None:
    # given
    assert await seed_demo(demo)

    # when
    async with demo.db.read() as session:
        orders = (await session.scalars(select(Order).order_by(col(Order.id)))).all()
        lines = (await session.scalars(select(OrderLineItem))).all()
        discounts = (await session.scalars(select(OrderDiscount))).all()
        events = (
            await session.scalars(
                select(FulfillmentEvent).order_by(
                    col(FulfillmentEvent.happened_at), col(FulfillmentEvent.id)
                )
            )
        ).all()
        tickets = (await session.scalars(select(Ticket))).all()

    # then
    line_sums: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        assert line.total_price == line.unit_price * line.quantity
        line_sums[line.order_id] += line.total_price
    off: dict[int, Decimal] = defaultdict(Decimal)
    for discount in discounts:
        off[discount.order_id] += discount.amount
    timelines: dict[int, list[FulfillmentEvent]] = defaultdict(list)
    for event in events:
        timelines[event.order_id].append(event)
    assert len(orders) == 10
    for order in orders:
        assert order.id is not None
        assert order.subtotal == line_sums[order.id]
        assert (
            order.total == order.subtotal - off[order.id] + order.shipping_total + order.tax_total
        )
        assert Decimal("0") <= off[order.id] <= order.subtotal
        assert order.shipping_total == (order.shipping_method_price or Decimal("0"))
        assert order.invoice_number == "INV-" + order.number.removeprefix("#")
        # Where the goods are is where the timeline ends, and it starts when the order is placed.
        assert timelines[order.id][0].happened_at == order.placed_at
        assert timelines[order.id][-1].status == order.fulfillment_status
        assert (order.cancelled_at is not None) == (order.status == OrderStatus.CANCELLED)
    assert sum(off.values()) > 0
    assert len(tickets) == 3
    assert all(ticket.number == f"T-{ticket.id:06d}" for ticket in tickets)


async def test_a_second_seed_changes_nothing(demo: Runtime) -> None:
    # given
    assert await seed_demo(demo)
    seeded = await row_counts(demo)

    # when
    again = await seed_demo(demo)

    # then
    assert again is False
    assert await row_counts(demo) == seeded
    assert seeded["customer_order"] == 10
    assert seeded["customer"] == 3


async def test_seed_leaves_a_database_with_a_store_alone(rt: Runtime) -> None:
    # given a store that is not the demo (the `rt` fixture creates one)
    before = await row_counts(rt)

    # when
    created = await seed_demo(rt)

    # then
    assert created is False
    assert await row_counts(rt) == before


async def test_the_first_demo_customer_sees_every_subscription_state(
    demo: Runtime, settings: Settings
) -> None:
    """The README's first login shows the whole portal: every state, an add-on, a discount,
    several frequencies and a single one, a prepaid plan, pauses, reasons and an offer."""
    import httpx

    from app.main import create_app
    from tests import factories
    from tests.graphql.subscriptions_support import SUBSCRIPTION_FIELDS
    from tests.support import GraphQLClient

    assert await seed_demo(demo)
    async with demo.db.read() as session:
        from models.customer import Customer

        ada = await session.scalar(select(Customer).where(col(Customer.email) == "ada@example.com"))
    assert ada is not None
    token = await factories.login(demo, ada)
    app = create_app(settings, runtime=demo)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        data = await GraphQLClient(http).data(
            "{ me { subscriptions(first: 20) { edges { node { "
            + SUBSCRIPTION_FIELDS
            + " } } } } }",
            token=token,
        )

    nodes = [e["node"] for e in data["me"]["subscriptions"]["edges"]]
    assert {n["status"] for n in nodes} == {"ACTIVE", "PAUSED", "CANCELLED"}
    assert any(line["oneTime"] for n in nodes for line in n["lines"])
    assert any(n["upcomingOrder"] and n["upcomingOrder"]["discounts"] for n in nodes)
    assert any(len(n["availableFrequencies"]) > 1 for n in nodes)
    assert any(len(n["availableFrequencies"]) == 1 for n in nodes)
    assert any(n["isPrepaid"] for n in nodes)
    assert all(n["pauseOptions"] and n["cancelReasons"] for n in nodes)
    assert any(n["retentionOffer"] for n in nodes)
    assert any(n["upsellVariants"] for n in nodes)
