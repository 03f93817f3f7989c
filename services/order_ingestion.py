"""Orders a store reports: stored against the buyer's account, opened if need be.

Idempotent by the store's own order id: a replay of the same content answers
the order already stored and writes nothing; different content under the same
id is refused with CONFLICT. One transaction writes the account (if new), the
order, its lines, discounts and first timeline step, and the outbox events.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.statuses import FulfillmentStatus
from models.catalog import ProductVariant
from models.order import FulfillmentEvent, Order, OrderDiscount, OrderLineItem
from plumbing.runtime import Runtime
from services.accounts import find_or_open
from services.order_ingest_input import CleanOrder, OrderInput, clean_order


@dataclass(frozen=True)
class Ingested:
    order: Order
    # Whether this call stored it (False for a replay) and opened its customer's account.
    created: bool
    account_created: bool


def _conflict() -> ServiceError:
    return ServiceError(
        ErrorCode.CONFLICT,
        "An order with this storeOrderId was already ingested with different content.",
        ["input", "storeOrderId"],
    )


async def _existing(session: AsyncSession, clean: CleanOrder) -> Order | None:
    stored = await session.scalar(
        select(Order).where(col(Order.store_order_id) == clean.fields.store_order_id)
    )
    if stored is not None and stored.ingest_digest != clean.digest:
        raise _conflict()
    return stored


async def ingest_order(rt: Runtime, *, actor: Actor, order: OrderInput) -> Ingested:
    clean = clean_order(order, now=rt.clock.now())
    # A second attempt covers a race with another ingestion of the same store
    # order or the same new email: the unique index refused ours, and the
    # retry finds what the other wrote.
    for attempt in range(2):
        try:
            async with rt.db.transaction() as session:
                stored = await _existing(session, clean)
                if stored is not None:
                    return Ingested(order=stored, created=False, account_created=False)
                return await _write(rt, session, actor, clean)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _stripped(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


async def _write(rt: Runtime, session: AsyncSession, actor: Actor, clean: CleanOrder) -> Ingested:
    given = clean.fields
    account = await find_or_open(
        rt,
        session,
        email=given.email,
        first_name=_stripped(given.first_name),
        last_name=_stripped(given.last_name),
        actor=actor,
        source="order",
    )
    customer_id = account.customer.id
    assert customer_id is not None
    if given.number is not None:
        taken = await session.scalar(select(col(Order.id)).where(col(Order.number) == given.number))
        if taken is not None:
            message = "Another order has this number."
            raise ServiceError(ErrorCode.TAKEN, message, ["input", "number"])
    row = Order(
        customer_id=customer_id,
        # Replaced below when the store sent no number of its own.
        number=given.number or f"pending-{given.store_order_id}"[:30],
        placed_at=given.placed_at,
        currency_code=given.currency_code,
        subtotal=given.subtotal,
        shipping_total=given.shipping_total,
        tax_total=given.tax_total,
        total=given.total,
        email=given.email,
        payment_brand=given.payment_brand,
        payment_last4=given.payment_last4,
        shipping_address=clean.shipping_address,
        billing_address=clean.billing_address,
        shipping_method_title=_stripped(given.shipping_method_title),
        shipping_method_price=given.shipping_total if given.shipping_method_title else None,
        invoice_number=f"pending-{given.store_order_id}"[:30],
        store_order_id=given.store_order_id,
        ingest_digest=clean.digest,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    if given.number is None:
        # "E" keeps these apart from checkout's ("#1001") and subscriptions' ("#S…") numbers.
        row.number = f"#E{row.id:06d}"
    row.invoice_number = "INV-" + row.number.lstrip("#")
    skus = {line.sku.strip() for line in given.lines if line.sku}
    # Lines whose SKU the catalogue knows link to the variant (buy again, swaps).
    variants = (
        dict(
            (
                await session.execute(
                    select(col(ProductVariant.sku), col(ProductVariant.id)).where(
                        col(ProductVariant.sku).in_(skus)
                    )
                )
            ).all()
        )
        if skus
        else {}
    )
    session.add_all(
        OrderLineItem(
            order_id=row.id,
            title=line.title.strip(),
            variant_title=line.variant_title.strip() if line.variant_title else None,
            sku=_stripped(line.sku),
            variant_id=variants.get(_stripped(line.sku)),
            quantity=line.quantity,
            unit_price=line.unit_price,
            total_price=line.total_price,
            position=position,
        )
        for position, line in enumerate(given.lines)
    )
    session.add_all(
        OrderDiscount(
            order_id=row.id,
            code=discount.code.strip() if discount.code else None,
            title=discount.title.strip(),
            amount=discount.amount,
        )
        for discount in given.discounts
    )
    session.add(
        FulfillmentEvent(
            order_id=row.id,
            status=FulfillmentStatus.UNFULFILLED,
            happened_at=given.placed_at,
            message="Order placed",
        )
    )
    await session.flush()
    return Ingested(order=row, created=True, account_created=account.created)
