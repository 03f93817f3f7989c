"""What a customer can do with a past order: buy it again, or cancel it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.statuses import OrderStatus
from domain.topics import Topic
from domain.validation import refuse_control_characters
from models.catalog import Product, ProductVariant
from models.order import Cart, CartLine, Order, OrderLineItem
from models.shop import SHOP_ID, CustomerAccountSettings
from plumbing import idempotency, outbox
from plumbing.runtime import Runtime
from services.order_rules import can_cancel, still_cancellable
from services.orders import owned_order

MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class BuyAgainResult:
    cart: Cart
    lines: list[CartLine]
    # The order's lines that could not go into the cart, priced in `currency_code`.
    unavailable: list[OrderLineItem]
    currency_code: str


class NothingAvailable(ServiceError):
    """buyAgain's refusal when no line can go into a cart; says which lines."""

    def __init__(self, lines: list[OrderLineItem], currency_code: str) -> None:
        super().__init__(
            ErrorCode.NOT_ALLOWED_IN_STATE, "None of these items are available.", ["orderId"]
        )
        self.lines = lines
        self.currency_code = currency_code


def checkout_url(rt: Runtime, cart: Cart) -> str:
    # The template may name the cart `{cart_id}` or `{token}`; both are the public token.
    return rt.settings.checkout_url_template.format_map(
        {"storefront_url": rt.settings.storefront_url, "cart_id": cart.token, "token": cart.token}
    )


async def _lines_with_availability(
    session: AsyncSession, order_id: int
) -> list[tuple[OrderLineItem, bool]]:
    """Each line of the order, and whether its variant can still be bought (one query)."""
    rows = await session.execute(
        select(OrderLineItem, col(ProductVariant.available), col(Product.active))
        .outerjoin(ProductVariant, col(ProductVariant.id) == col(OrderLineItem.variant_id))
        .outerjoin(Product, col(Product.id) == col(ProductVariant.product_id))
        .where(col(OrderLineItem.order_id) == order_id)
        .order_by(col(OrderLineItem.position), col(OrderLineItem.id))
    )
    return [(line, bool(available) and bool(active)) for line, available, active in rows.all()]


async def _rebuild(session: AsyncSession, result: dict[str, Any]) -> BuyAgainResult:
    """The result of a first call or a replay, from the ids the call stored."""
    cart = await session.get(Cart, result["cart_id"])
    assert cart is not None
    lines = await session.scalars(
        select(CartLine).where(col(CartLine.cart_id) == cart.id).order_by(col(CartLine.id))
    )
    unavailable = await session.scalars(
        select(OrderLineItem)
        .where(col(OrderLineItem.id).in_(result["unavailable_line_item_ids"]))
        .order_by(col(OrderLineItem.position), col(OrderLineItem.id))
    )
    return BuyAgainResult(
        cart=cart,
        lines=list(lines),
        unavailable=list(unavailable),
        currency_code=str(result["currency_code"]),
    )


async def buy_again(
    rt: Runtime,
    *,
    customer_id: int,
    order_id: int | None,
    actor: Actor,
    idempotency_key: str | None,
) -> BuyAgainResult:
    """A new cart with the order's variants and quantities, minus what can't be bought.

    Refuses (and creates nothing) when not a single line can be added. A replay
    with the same Idempotency-Key returns the first cart.
    """

    async def work(session: AsyncSession) -> dict[str, Any]:
        order = await owned_order(session, customer_id=customer_id, order_id=order_id)
        assert order.id is not None
        quantities: dict[int, int] = {}
        unavailable: list[OrderLineItem] = []
        for line, can_buy in await _lines_with_availability(session, order.id):
            if can_buy and line.variant_id is not None:
                # A variant bought on two lines becomes one cart line.
                quantities[line.variant_id] = quantities.get(line.variant_id, 0) + line.quantity
            else:
                unavailable.append(line)
        if not quantities:
            # Detached, the rows keep their values through the rollback that follows.
            for line in unavailable:
                session.expunge(line)
            raise NothingAvailable(unavailable, order.currency_code)
        cart = Cart(
            customer_id=customer_id,
            source_order_id=order.id,
            token=secrets.token_urlsafe(24),
            created_at=rt.clock.now(),
        )
        session.add(cart)
        await session.flush()
        assert cart.id is not None
        session.add_all(
            CartLine(cart_id=cart.id, variant_id=variant_id, quantity=quantity)
            for variant_id, quantity in quantities.items()
        )
        await session.flush()
        return {
            "cart_id": cart.id,
            "order_id": order.id,
            "currency_code": order.currency_code,
            "unavailable_line_item_ids": [line.id for line in unavailable],
        }

    result = await idempotency.run(
        rt,
        actor=actor,
        operation="buyAgain",
        key=idempotency_key,
        request={"order_id": order_id},
        work=work,
    )
    async with rt.db.read() as session:
        return await _rebuild(session, result)


def _reason(value: str | None) -> str | None:
    reason = refuse_control_characters((value or "").strip(), ["reason"], allow_newlines=True)
    if len(reason) > MAX_REASON_LENGTH:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Keep the reason to {limit} characters or fewer.", limit=MAX_REASON_LENGTH),
            ["reason"],
        )
    return reason or None


async def cancel_order(
    rt: Runtime,
    *,
    customer_id: int,
    order_id: int | None,
    reason: str | None,
    actor: Actor,
    idempotency_key: str | None,
) -> Order:
    """Cancel an open, unfulfilled order the merchant lets customers cancel.

    The UPDATE re-checks state and version, so of two concurrent cancels (two
    clicks, two replicas) exactly one succeeds and one event is written.
    """
    text = _reason(reason)

    async def work(session: AsyncSession) -> dict[str, Any]:
        order = await owned_order(session, customer_id=customer_id, order_id=order_id)
        settings = await session.get(CustomerAccountSettings, SHOP_ID)
        assert settings is not None
        if not can_cancel(order, settings):
            if not settings.order_cancellation_enabled:
                raise ServiceError(
                    ErrorCode.ACTION_DISABLED,
                    _("This store does not allow cancelling orders online."),
                )
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                _("This order can no longer be cancelled."),
                ["orderId"],
            )
        now = rt.clock.now()
        changed = await session.execute(
            update(Order)
            .where(
                col(Order.id) == order.id,
                col(Order.version) == order.version,
                still_cancellable(),
            )
            .values(
                status=OrderStatus.CANCELLED,
                cancelled_at=now,
                cancel_reason=text,
                version=col(Order.version) + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                _("This order can no longer be cancelled."),
                ["orderId"],
            )
        outbox.record(
            session,
            topic=Topic.ORDER_CANCELLED,
            actor=actor,
            customer_id=customer_id,
            payload={"order_id": order.id, "number": order.number, "reason": text},
            now=now,
        )
        return {"order_id": order.id}

    result = await idempotency.run(
        rt,
        actor=actor,
        operation="cancelOrder",
        key=idempotency_key,
        request={"order_id": order_id, "reason": text},
        work=work,
    )
    async with rt.db.read() as session:
        order = await session.get(Order, result["order_id"])
    assert order is not None
    return order
