"""Demo data for the payment-method and support screens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.statuses import TicketAuthor, TicketStatus
from models.address import ADDRESS_FIELDS, Address, PaymentMethod
from models.customer import Customer
from models.order import Order
from models.ticket import Ticket, TicketMessage
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


def _card(
    customer: Customer,
    handle: str,
    brand: str,
    last4: str,
    expires: tuple[int, int],
    address: dict[str, Any],
    *,
    default: bool,
    created_at: datetime,
) -> PaymentMethod:
    assert customer.id is not None
    return PaymentMethod(
        customer_id=customer.id,
        gateway="test",
        gateway_reference=f"card_demo_{handle}_{brand.lower()}_{last4}",
        brand=brand,
        last4=last4,
        expiry_month=expires[0],
        expiry_year=expires[1],
        billing_address=address,
        is_default=default,
        created_at=created_at,
    )


async def seed_payment_methods(
    rt: Runtime, session: AsyncSession, customers: dict[str, Customer]
) -> None:
    now = rt.clock.now()
    # Ada's Mastercard runs out next month, so the "expiring soon" state has something to show.
    soon = (now.month % 12 + 1, now.year + (1 if now.month == 12 else 0))
    ada, jean = customers["ada"], customers["jean"]
    ada_address = await _billing_snapshot(session, ada, "ada")
    session.add_all(
        [
            _card(
                ada,
                "ada",
                "Visa",
                "4242",
                (8, now.year + 3),
                ada_address,
                default=True,
                created_at=now - timedelta(days=400),
            ),
            _card(
                ada,
                "ada",
                "Mastercard",
                "4444",
                soon,
                ada_address,
                default=False,
                created_at=now - timedelta(days=700),
            ),
            _card(
                ada,
                "ada",
                "Amex",
                "8431",
                (2, now.year + 2),
                ada_address,
                default=False,
                created_at=now - timedelta(days=30),
            ),
            _card(
                jean,
                "jean",
                "Visa",
                "4242",
                (11, now.year + 1),
                await _billing_snapshot(session, jean, "jean"),
                default=True,
                created_at=now - timedelta(days=90),
            ),
        ]
    )
    await session.flush()


async def _ticket(
    session: AsyncSession,
    customer: Customer,
    *,
    subject: str,
    status: str,
    conversation: list[tuple[str, str, datetime]],
    order_id: int | None = None,
) -> Ticket:
    """A ticket with its messages, given as (author, body, sent at), oldest first."""
    assert customer.id is not None
    opened, last = conversation[0][2], conversation[-1][2]
    ticket = Ticket(
        customer_id=customer.id,
        number=f"demo-{subject[:20]}",
        subject=subject,
        status=TicketStatus(status),
        order_id=order_id,
        created_at=opened,
        updated_at=last,
    )
    session.add(ticket)
    await session.flush()
    assert ticket.id is not None
    ticket.number = f"T-{ticket.id:06d}"
    session.add_all(
        TicketMessage(ticket_id=ticket.id, author=TicketAuthor(author), body=body, created_at=sent)
        for author, body, sent in conversation
    )
    await session.flush()
    return ticket


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
        if newest.fulfillment_status in ("UNFULFILLED", "PARTIALLY_FULFILLED"):
            question = "Could you still add a bag of decaf to this order before it ships?"
    await _ticket(
        session,
        ada,
        subject="Grinder setting for the Ethiopia Guji beans",
        status="CLOSED",
        conversation=[
            (
                "CUSTOMER",
                "Which grind size do you recommend for a V60? Mine tastes sour.",
                now - timedelta(days=41),
            ),
            (
                "AGENT",
                "Sour usually means under-extracted: try one step finer, and water just "
                "off the boil (about 96 °C).",
                now - timedelta(days=40, hours=20),
            ),
            ("CUSTOMER", "One step finer did it. Thank you!", now - timedelta(days=39)),
            (
                "AGENT",
                "Glad to hear it! Closing this one; write any time.",
                now - timedelta(days=38, hours=22),
            ),
        ],
    )
    await _ticket(
        session,
        ada,
        subject="Can I change the delivery day?",
        status="PENDING",
        conversation=[
            (
                "CUSTOMER",
                "Deliveries arrive on Mondays while I'm at work. Could they come on "
                "Thursdays instead?",
                now - timedelta(days=6),
            ),
            (
                "AGENT",
                "We can ship on Tuesdays so parcels arrive Thursday. Shall we switch your "
                "next deliveries?",
                now - timedelta(days=5, hours=18),
            ),
        ],
    )
    await _ticket(
        session,
        ada,
        subject=f"Question about {about}",
        status="OPEN",
        order_id=None if newest is None else newest.id,
        conversation=[
            ("CUSTOMER", question, asked),
        ],
    )
