"""The account dashboard costs the same number of SQL statements for 1, 20 or 100 orders."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.ticket import Ticket, TicketMessage
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient, count_statements

DASHBOARD = """query Dashboard($n: Int!) {
  me {
    email firstName
    defaultShippingAddress { id city }
    addresses(first: 10) { edges { node { id line1 isDefaultShipping } } }
    paymentMethods { id brand last4 isDefault }
    orders(first: $n) {
      pageInfo { hasNextPage endCursor }
      edges { node {
        id number placedAt status fulfillmentStatus canCancel
        lineItems { id title quantity unitPrice { amount currencyCode }
          variant { id title available product { id title handle } } }
        timeline { status happenedAt message trackingNumber }
        summary { subtotal { amount } discounts { code amount { amount } }
          shipping { amount } tax { amount } total { amount } }
        contact { email }
        paymentMethod { brand last4 }
        shippingAddress { line1 city countryCode }
        billingAddress { line1 city }
        shippingMethod { title price { amount } }
        invoice { number issuedAt url }
      } }
    }
    tickets(first: $n) { edges { node { id number subject status
      order { id number } messages { id author body createdAt } } } }
    subscriptions(first: $n) { edges { node {
      id status nextOrderDate frequency { interval intervalCount }
      lines { id quantity oneTime unitPrice { amount } variant { id title } }
      paymentMethod { last4 }
      upcomingOrder { date total { amount } discounts { code amount { amount } } }
      actions { canSkip canPause canGetNow canCancel }
      pauseOptions { id label } cancelReasons { code label } retentionOffer { id price { amount } }
      upsellVariants(first: 3) { id }
      schedule(first: 3) { date skipped }
    } } }
  }
}"""


async def given_a_customer_with(rt: Runtime, gql: GraphQLClient, n: int) -> str:
    customer = await factories.customer(rt, email=f"dash{n}@example.com")
    token = await factories.login(rt, customer)
    for city in ("Brooklyn", "Boston"):
        await gql.data(
            """mutation($a: AddressInput!) { createAddress(input: {address: $a})
            { userErrors { code } } }""",
            {"a": {"line1": "1 Main St", "city": city, "postalCode": "11201", "countryCode": "US"}},
            token=token,
        )
    await gql.data(
        'mutation { addPaymentMethod(input: {gatewayToken: "tok_visa"}) { userErrors { code } } }',
        token=token,
    )
    variants = await factories.product(rt, variants=[("S", "5.00", True), ("L", "9.00", False)])
    statuses = ["UNFULFILLED", "FULFILLED", "IN_TRANSIT", "DELIVERED"]
    orders = []
    for i in range(n):
        orders.append(
            await factories.order(
                rt,
                customer,
                fulfillment_status=statuses[i % len(statuses)],
                placed_at=rt.clock.now() - timedelta(hours=i),
                lines=[(variants.variants[0], 1), (variants.variants[1], 2), (None, 1)],  # type: ignore[attr-defined]
            )
        )
    card = await factories.payment_method(rt, customer)
    for _ in range(n):
        await factories.subscription(
            rt,
            customer,
            variants=variants.variants[:1],
            one_time=variants.variants[1:],
            payment_method=card,  # type: ignore[attr-defined]
        )
    async with rt.db.transaction() as session:
        for i, order in enumerate(orders):
            ticket = Ticket(
                customer_id=customer.id,
                number=f"T-{customer.id}-{i}",
                subject=f"About {order.number}",
                order_id=order.id,
                created_at=rt.clock.now() - timedelta(minutes=i),
                updated_at=rt.clock.now(),
            )
            session.add(ticket)
            await session.flush()
            for author in ("CUSTOMER", "AGENT"):
                session.add(
                    TicketMessage(
                        ticket_id=ticket.id, author=author, body="…", created_at=rt.clock.now()
                    )
                )
    return token


@pytest.mark.parametrize("sizes", [(1, 20, 100)])
async def test_dashboard_statement_count_does_not_grow_with_orders(
    rt: Runtime, gql: GraphQLClient, sizes: tuple[int, ...]
) -> None:
    counts = {}
    for n in sizes:
        token = await given_a_customer_with(rt, gql, n)
        await gql.data(DASHBOARD, {"n": n}, token=token)  # warm caches
        with count_statements(rt.db) as counter:
            data = await gql.data(DASHBOARD, {"n": n}, token=token)
        assert len(data["me"]["orders"]["edges"]) == n
        assert len(data["me"]["tickets"]["edges"]) == n
        assert all(len(e["node"]["lineItems"]) == 3 for e in data["me"]["orders"]["edges"])
        assert len(data["me"]["subscriptions"]["edges"]) == n
        assert all(len(e["node"]["lines"]) == 2 for e in data["me"]["subscriptions"]["edges"])
        counts[n] = counter.count

    assert len(set(counts.values())) == 1, counts


async def test_a_query_reads_on_one_connection_without_a_transaction(
    rt: Runtime, gql: GraphQLClient
) -> None:
    token = await given_a_customer_with(rt, gql, 20)
    await gql.data(DASHBOARD, {"n": 20}, token=token)  # warm caches

    with count_statements(rt.db) as counter:
        await gql.data(DASHBOARD, {"n": 20}, token=token)

    # The session check and every dataloader batch share one pooled connection,
    # in autocommit: no BEGIN/ROLLBACK round trips, nothing held between reads.
    assert counter.checkouts == 1
    assert counter.transactions == 0
    # session+customer, shop, settings, addresses page, default addresses, cards, orders
    # page, line items, variants, products, events, discounts, tickets page, messages,
    # ticket orders; subscriptions page, their lines, skipped dates, discount codes, cards,
    # and the store's pause options, cancel reasons, retention offers and upsells: one
    # statement each, whatever the number of orders and subscriptions.
    assert counter.count == 24, counter.statements


ISSUE_DASHBOARD = """query Dashboard($n: Int!) {
  me { firstName lastName email orders(first: $n) { pageInfo { hasNextPage endCursor }
    edges { node { number placedAt status summary { total { amount } }
      shippingAddress { line1 city countryCode }
      lineItems { title quantity unitPrice { amount } }
      timeline { status happenedAt message trackingNumber } } } } }
}"""


async def test_the_storefront_dashboard_costs_five_statements(
    rt: Runtime, gql: GraphQLClient
) -> None:
    token = await given_a_customer_with(rt, gql, 20)
    await gql.data(ISSUE_DASHBOARD, {"n": 20}, token=token)

    with count_statements(rt.db) as counter:
        data = await gql.data(ISSUE_DASHBOARD, {"n": 20}, token=token)

    assert len(data["me"]["orders"]["edges"]) == 20
    # session+customer, the orders page, then one batch each for discounts,
    # line items and timelines.
    assert (counter.count, counter.checkouts, counter.transactions) == (5, 1, 0), counter.statements
