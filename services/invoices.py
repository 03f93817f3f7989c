"""Signed, short-lived invoice links, and what the printable invoice shows.

A link token is `base64url(order id | expiry | HMAC)`: no table to clean up and
nothing to look up before the signature is checked. Anyone holding the link
can open it until it expires (an hour by default), like a download link in an
email, so the page carries `no-store` and `noindex`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from models.customer import Customer
from models.order import Order, OrderDiscount, OrderLineItem
from models.shop import SHOP_ID, Shop
from plumbing.runtime import Runtime

# order id (unsigned 64-bit), expiry (unix seconds, unsigned 64-bit)
_PAYLOAD = struct.Struct(">QQ")
# 128 bits of HMAC-SHA256 are plenty against forgery and keep the link short.
_MAC_BYTES = 16


def _mac(rt: Runtime, payload: bytes) -> bytes:
    # The purpose prefix keeps these MACs from ever matching another token's.
    return hmac.new(rt.secret, b"invoice-link:" + payload, hashlib.sha256).digest()[:_MAC_BYTES]


def invoice_token(rt: Runtime, order_id: int, *, now: datetime | None = None) -> str:
    expires = (now or rt.clock.now()) + timedelta(seconds=rt.settings.invoice_link_ttl)
    payload = _PAYLOAD.pack(order_id, int(expires.timestamp()))
    return base64.urlsafe_b64encode(payload + _mac(rt, payload)).decode().rstrip("=")


def invoice_url(rt: Runtime, order_id: int) -> str:
    return f"{rt.settings.public_url}/invoices/{invoice_token(rt, order_id)}"


def verify_invoice_token(rt: Runtime, token: str) -> int | None:
    """The order id of a genuine, unexpired token; None for anything else."""
    if not token or len(token) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != _PAYLOAD.size + _MAC_BYTES:
        return None
    payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
    if not hmac.compare_digest(mac, _mac(rt, payload)):
        return None
    order_id, expires = _PAYLOAD.unpack(payload)
    if expires <= rt.clock.now().timestamp():
        return None
    return int(order_id)


@dataclass(frozen=True)
class InvoiceView:
    """Everything the printable invoice shows, read in one go."""

    shop_name: str
    time_zone: str
    language: str
    order: Order
    lines: list[OrderLineItem]
    discounts: list[OrderDiscount]

    @property
    def discount_total(self) -> Decimal:
        return sum((d.amount for d in self.discounts), Decimal("0"))

    @property
    def shipping_address(self) -> dict[str, Any] | None:
        return self.order.shipping_address

    @property
    def billing_address(self) -> dict[str, Any] | None:
        return self.order.billing_address


async def load_invoice(rt: Runtime, *, order_id: int) -> InvoiceView | None:
    async with rt.db.read() as session:
        row = (
            await session.execute(
                select(Order, col(Customer.language))
                .join(Customer, col(Customer.id) == col(Order.customer_id))
                .where(col(Order.id) == order_id)
            )
        ).first()
        if row is None:
            return None
        order, language = row
        shop = await session.get(Shop, SHOP_ID)
        lines = await session.scalars(
            select(OrderLineItem)
            .where(col(OrderLineItem.order_id) == order_id)
            .order_by(col(OrderLineItem.position), col(OrderLineItem.id))
        )
        discounts = await session.scalars(
            select(OrderDiscount)
            .where(col(OrderDiscount.order_id) == order_id)
            .order_by(col(OrderDiscount.id))
        )
        return InvoiceView(
            shop_name=shop.name if shop else "",
            time_zone=shop.time_zone if shop else "UTC",
            language=language or "en",
            order=order,
            lines=list(lines),
            discounts=list(discounts),
        )
