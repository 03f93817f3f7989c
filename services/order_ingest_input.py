"""What a store sends when it reports a placed order, and its validation.

Every field at fault is reported at once, each with its path in the GraphQL
input (`["input", "lines", "2", "quantity"]`); nothing is written until the
whole order is valid. Amounts are in the order's one `currencyCode`, and they
must add up: each line's total is its unit price times its quantity, the
subtotal is the lines' sum, and the total is the subtotal less the discounts
plus shipping and tax.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

import pycountry

from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.validation import normalize_email, refuse_control_characters
from services.addresses import clean_address

MAX_LINES = 250
MAX_DISCOUNTS = 20
MAX_QUANTITY = 10_000
MAX_AMOUNT = Decimal("9999999999")
# A store's clock may run a little ahead of ours; an order from further ahead is a bug.
CLOCK_SKEW = timedelta(minutes=5)
_CURRENCY = re.compile(r"[A-Z]{3}")
_LAST4 = re.compile(r"[0-9]{4}")
ROOT = ("input",)

Path = tuple[str, ...]


@dataclass(frozen=True)
class LineInput:
    title: str
    quantity: int
    unit_price: Decimal
    total_price: Decimal
    sku: str | None = None
    variant_title: str | None = None


@dataclass(frozen=True)
class DiscountInput:
    title: str
    amount: Decimal
    code: str | None = None


@dataclass(frozen=True)
class OrderInput:
    store_order_id: str
    email: str
    placed_at: datetime
    currency_code: str
    lines: Sequence[LineInput]
    subtotal: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal
    number: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    discounts: Sequence[DiscountInput] = ()
    shipping_method_title: str | None = None
    shipping_address: Mapping[str, str | None] | None = None
    billing_address: Mapping[str, str | None] | None = None
    payment_brand: str | None = None
    payment_last4: str | None = None


@dataclass
class CleanOrder:
    """The order as it will be stored, and the digest a replay is compared by."""

    fields: OrderInput
    shipping_address: dict[str, str | None] | None = None
    billing_address: dict[str, str | None] | None = None
    digest: str = ""


def _at(*parts: str | int) -> list[str]:
    return [*ROOT, *(str(part) for part in parts)]


def _text(value: str | None, path: list[str], *, limit: int, required: bool = False) -> str | None:
    if value is not None:
        value = refuse_control_characters(value.strip(), path) or None
    if value is None:
        if required:
            raise ServiceError(ErrorCode.INVALID, "Required.", path)
        return None
    if len(value) > limit:
        raise ServiceError(ErrorCode.INVALID, f"Must be at most {limit} characters.", path)
    return value


def _amount(value: Decimal, path: list[str]) -> Decimal:
    if not value.is_finite() or value < 0:
        raise ServiceError(ErrorCode.INVALID, "Must be zero or more.", path)
    if value > MAX_AMOUNT:
        raise ServiceError(ErrorCode.INVALID, "Is too large.", path)
    if value != value.quantize(Decimal("0.0001")):
        raise ServiceError(ErrorCode.INVALID, "Use at most four decimal places.", path)
    return value


def _line(errors: FieldErrors, index: int, line: LineInput) -> None:
    with errors.check():
        _text(line.title, _at("lines", index, "title"), limit=200, required=True)
    with errors.check():
        _text(line.sku, _at("lines", index, "sku"), limit=100)
    with errors.check():
        _text(line.variant_title, _at("lines", index, "variantTitle"), limit=200)
    if not 1 <= line.quantity <= MAX_QUANTITY:
        message = f"Must be between 1 and {MAX_QUANTITY}."
        errors.add(ErrorCode.INVALID, message, _at("lines", index, "quantity"))
    with errors.check():
        _amount(line.unit_price, _at("lines", index, "unitPrice"))
    with errors.check():
        _amount(line.total_price, _at("lines", index, "totalPrice"))
    parts = [_at("lines", index, name) for name in ("quantity", "unitPrice", "totalPrice")]
    if (
        not any(errors.failed(part) for part in parts)
        and line.unit_price * line.quantity != line.total_price
    ):
        message = "Must equal unitPrice times quantity."
        errors.add(ErrorCode.INVALID, message, _at("lines", index, "totalPrice"))


def _any_under(errors: FieldErrors, name: str) -> bool:
    return any(error.field and error.field[1:2] == [name] for error in errors.errors)


def _totals(errors: FieldErrors, order: OrderInput) -> None:
    names = {
        "subtotal": order.subtotal,
        "shippingTotal": order.shipping_total,
        "taxTotal": order.tax_total,
        "total": order.total,
    }
    for name, value in names.items():
        with errors.check():
            _amount(value, _at(name))
    lines_ok = not _any_under(errors, "lines")
    lines_sum = sum((line.total_price for line in order.lines), Decimal(0))
    if lines_ok and not errors.failed(_at("subtotal")) and lines_sum != order.subtotal:
        message = "Must equal the sum of the lines' totals."
        errors.add(ErrorCode.INVALID, message, _at("subtotal"))
    discounts_ok = not _any_under(errors, "discounts")
    if discounts_ok and not any(errors.failed(_at(name)) for name in names):
        off = sum((discount.amount for discount in order.discounts), Decimal(0))
        if off > order.subtotal:
            errors.add(ErrorCode.INVALID, "Discounts exceed the subtotal.", _at("discounts"))
        elif order.subtotal - off + order.shipping_total + order.tax_total != order.total:
            message = "Must equal subtotal - discounts + shippingTotal + taxTotal."
            errors.add(ErrorCode.INVALID, message, _at("total"))


def clean_order(order: OrderInput, *, now: datetime) -> CleanOrder:
    """The validated order, or ServiceError(s) naming every field at fault."""
    errors = FieldErrors()
    clean = CleanOrder(fields=order)
    with errors.check():
        _text(order.store_order_id, _at("storeOrderId"), limit=100, required=True)
    with errors.check():
        _text(order.number, _at("number"), limit=30)
    email = order.email
    try:
        email = normalize_email(order.email)
    except ServiceError as error:
        errors.add(error.code, error.message, _at("email"))
    with errors.check():
        _text(order.first_name, _at("firstName"), limit=100)
    with errors.check():
        _text(order.last_name, _at("lastName"), limit=100)
    if order.placed_at.tzinfo is None:
        errors.add(ErrorCode.INVALID, "Give a time zone offset.", _at("placedAt"))
    elif order.placed_at > now + CLOCK_SKEW:
        errors.add(ErrorCode.INVALID, "Must not be in the future.", _at("placedAt"))
    if not _CURRENCY.fullmatch(order.currency_code) or (
        pycountry.currencies.get(alpha_3=order.currency_code) is None
    ):
        message = "Enter an ISO 4217 currency code, e.g. USD."
        errors.add(ErrorCode.INVALID, message, _at("currencyCode"))
    if not order.lines:
        errors.add(ErrorCode.INVALID, "An order has at least one line.", _at("lines"))
    elif len(order.lines) > MAX_LINES:
        errors.add(ErrorCode.INVALID, f"At most {MAX_LINES} lines.", _at("lines"))
    else:
        for index, line in enumerate(order.lines):
            _line(errors, index, line)
    if len(order.discounts) > MAX_DISCOUNTS:
        errors.add(ErrorCode.INVALID, f"At most {MAX_DISCOUNTS} discounts.", _at("discounts"))
    else:
        for index, discount in enumerate(order.discounts):
            with errors.check():
                _text(discount.title, _at("discounts", index, "title"), limit=200, required=True)
            with errors.check():
                _text(discount.code, _at("discounts", index, "code"), limit=100)
            with errors.check():
                _amount(discount.amount, _at("discounts", index, "amount"))
    _totals(errors, order)
    with errors.check():
        _text(order.shipping_method_title, _at("shippingMethodTitle"), limit=200)
    if order.shipping_address is not None:
        with errors.check():
            clean.shipping_address = clean_address(
                order.shipping_address, path=_at("shippingAddress")
            )
    if order.billing_address is not None:
        with errors.check():
            clean.billing_address = clean_address(order.billing_address, path=_at("billingAddress"))
    with errors.check():
        _text(order.payment_brand, _at("paymentBrand"), limit=40)
    if order.payment_last4 is not None and not _LAST4.fullmatch(order.payment_last4):
        errors.add(ErrorCode.INVALID, "Give the card's last four digits.", _at("paymentLast4"))
    errors.raise_any()
    clean.fields = replace(order, email=email)
    clean.digest = digest(clean.fields)
    return clean


def digest(order: OrderInput) -> str:
    """A fingerprint of what the store sent: equal for a replay, different for an edit."""
    data = asdict(order)
    data["placed_at"] = order.placed_at.isoformat()
    text = json.dumps(data, sort_keys=True, default=lambda value: str(Decimal(value).normalize()))
    return hashlib.sha256(text.encode()).hexdigest()
