"""What the next order will cost: lines, discounts and total, in exact decimals.

Pure functions over rows, shared by `Subscription.upcomingOrder` and by the
code that places the order, so what the portal shows is what is charged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from domain.statuses import DiscountKind
from models.merchant import DiscountCode
from models.subscription import SubscriptionLine

CENT = Decimal("0.01")
HUNDRED = Decimal("100")


def cents(value: Decimal) -> Decimal:
    """Rounded to the cent as a receipt is: halves up."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class AppliedDiscount:
    code: str
    title: str
    amount: Decimal


@dataclass(frozen=True)
class PricedOrder:
    lines: list[SubscriptionLine]
    subtotal: Decimal
    discounts: list[AppliedDiscount]
    total: Decimal


def discount_usable(code: DiscountCode, now: datetime) -> bool:
    """Still on offer: active and not expired (limits are counted when applying)."""
    return code.active and (code.expires_at is None or code.expires_at > now)


def price(
    lines: Sequence[SubscriptionLine], codes: Sequence[DiscountCode], now: datetime
) -> PricedOrder:
    """The order these lines and codes make.

    Codes apply in the order given, each to what is left; a code whose minimum
    the subtotal does not reach, or that has expired, takes nothing off and is
    not listed. Percentages round to the cent, halves up; no discount takes the
    total below zero.
    """
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
    subtotal = cents(subtotal)
    left = subtotal
    applied: list[AppliedDiscount] = []
    for code in codes:
        if not discount_usable(code, now):
            continue
        if code.min_subtotal is not None and subtotal < code.min_subtotal:
            continue
        if code.kind is DiscountKind.PERCENTAGE:
            off = cents(left * code.value / HUNDRED)
        else:
            off = cents(code.value)
        off = min(off, left)
        left -= off
        applied.append(AppliedDiscount(code=code.code, title=code.title, amount=off))
    return PricedOrder(lines=list(lines), subtotal=subtotal, discounts=applied, total=left)


def with_offer(unit_price: Decimal, percent_off: Decimal) -> Decimal:
    """A recurring line's price after a retention offer."""
    return cents(unit_price * (HUNDRED - percent_off) / HUNDRED)
