"""Demo data for the payment-method and support screens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from demo import builders
from domain.statuses import FulfillmentStatus, TicketAuthor, TicketStatus
from models.address import ADDRESS_FIELDS, Address
from models.customer import Customer
from models.order import Order
from plumbing.runtime import Runtime

# Used when the profile seed gave the customer no billing address to copy.
_FALLBACK_ADDRESSES: dict[str, dict[str, Any]] = {
    "ada": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "line1": "12 Analytical Way",
        "line2": "Apt 3",
        "city": "Brooklyn",
        "province": "NY",
        "postal_code": "11201",
        "country_code": "US",
        "phone": "+14155550123",
    },
    "jean": {
        "first_name": "Jean",
        "last_name": "Tremblay",
        "line1": "4200 Rue Saint-Denis",
        "city": "Montréal",
        "province": "QC",
        "postal_code": "H2J 2K8",
        "country_code": "CA",
        "phone": "+15145550188",
    },
}


async def _billing_snapshot(
    session: AsyncSession, customer: Customer, handle: str
) -> dict[str, Any]:
    row = await session.scalar(
        select(Address)
        .where(col(Address.customer_id) == customer.id)
        .order_by(col(Address.is_default_billing).desc(), col(Address.id))
        .limit(1)
    )
    if row is None:
        fallback = _FALLBACK_ADDRESSES[handle]
        return {name: fallback.get(name) for name in ADDRESS_FIELDS}
    return {name: getattr(row, name) for name in ADDRESS_FIELDS}


async def seed_payment_methods(
    rt: Runtime, session: AsyncSession, customers: dict[str, Customer]
) -> None:
    now = rt.clock.now()
    # Ada's Mastercard runs out next month, so the "expiring soon" state has something to show.
    soon = (now.month % 12 + 1, now.year + (1 if now.month == 12 else 0))
    ada_address = await _billing_snapshot(session, customers["ada"], "ada")
    jean_address = await _billing_snapshot(session, customers["jean"], "jean")
    # (customer handle, brand, last4, expiry, billing address, default, days since saved)
    cards = [
        ("ada", "Visa", "4242", (8, now.year + 3), ada_address, True, 400),
        ("ada", "Mastercard", "4444", soon, ada_address, False, 700),
        ("ada", "Amex", "8431", (2, now.year + 2), ada_address, False, 30),
        ("jean", "Visa", "4242", (11, now.year + 1), jean_address, True, 90),
    ]
    for handle, brand, last4, expiry, address, default, days in cards:
        await builders.card(
            session,
            owner=customers[handle],
            brand=brand,
            last4=last4,
            expiry=expiry,
            gateway_reference=f"card_demo_{handle}_{brand.lower()}_{last4}",
            billing_address=address,
            is_default=default,
            created_at=now - timedelta(days=days),
        )


async def seed_tickets(rt: Runtime, session: AsyncSession, customers: dict[str, Customer]) -> None:
    now = rt.clock.now()
    ada = customers["ada"]
    newest = await session.scalar(
        select(Order)
        .where(col(Order.customer_id) == ada.id)
        .order_by(col(Order.placed_at).desc(), col(Order.id).desc())
        .limit(1)
    )
    about = f"order {newest.number}" if newest is not None else "my last order"
    # Asked after the order was placed, with a question that fits where it stands.
    asked = now - timedelta(hours=20)
    question = "The tracking page hasn't changed for three days. Is my parcel stuck?"
    if newest is not None:
        asked = max(asked, newest.placed_at + (now - newest.placed_at) / 2)
        if newest.fulfillment_status in (
            FulfillmentStatus.UNFULFILLED,
            FulfillmentStatus.PARTIALLY_FULFILLED,
        ):
            question = "Could you still add a bag of decaf to this order before it ships?"
    customer, agent = TicketAuthor.CUSTOMER, TicketAuthor.AGENT
    # (subject, status, order asked about, conversation oldest first)
    tickets: list[tuple[str, TicketStatus, Order | None, list[builders.Message]]] = [
        (
            "Grinder setting for the Ethiopia Guji beans",
            TicketStatus.CLOSED,
            None,
            [
                (
                    customer,
                    "Which grind size do you recommend for a V60? Mine tastes sour.",
                    now - timedelta(days=41),
                ),
                (
                    agent,
                    "Sour usually means under-extracted: try one step finer, and water just "
                    "off the boil (about 96 °C).",
                    now - timedelta(days=40, hours=20),
                ),
                (customer, "One step finer did it. Thank you!", now - timedelta(days=39)),
                (
                    agent,
                    "Glad to hear it! Closing this one; write any time.",
                    now - timedelta(days=38, hours=22),
                ),
            ],
        ),
        (
            "Can I change the delivery day?",
            TicketStatus.PENDING,
            None,
            [
                (
                    customer,
                    "Deliveries arrive on Mondays while I'm at work. Could they come on "
                    "Thursdays instead?",
                    now - timedelta(days=6),
                ),
                (
                    agent,
                    "We can ship on Tuesdays so parcels arrive Thursday. Shall we switch your "
                    "next deliveries?",
                    now - timedelta(days=5, hours=18),
                ),
            ],
        ),
        (f"Question about {about}", TicketStatus.OPEN, newest, [(customer, question, asked)]),
    ]
    for subject, status, order, conversation in tickets:
        await builders.ticket(
            session,
            owner=ada,
            subject=subject,
            status=status,
            order=order,
            # Opened by its first message.
            opened_at=conversation[0][2],
            conversation=conversation,
        )
