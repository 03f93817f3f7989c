"""What a subscription contains: add a product, change a quantity, remove, swap, change variant.

Every action runs through `subscriptions.change`, so the rule, the lines'
change, the version, the history entry and the outbox event are one
transaction, and a refusal anywhere leaves the lines as they were.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _
from domain.topics import Topic
from models.catalog import Product, ProductVariant
from models.subscription import Subscription, SubscriptionLine
from plumbing.runtime import Runtime
from services.subscription_pricing import cents
from services.subscription_rules import PortalAction
from services.subscriptions import Apply, Change, change

MIN_QUANTITY = 1
MAX_QUANTITY = 99
# More products than any box holds; a bound so a script cannot grow one order without end.
MAX_LINES = 25


def _line_not_found() -> ServiceError:
    return ServiceError(ErrorCode.NOT_FOUND, _("Product line not found."), ["lineId"])


def _variant_not_found() -> ServiceError:
    return ServiceError(ErrorCode.NOT_FOUND, _("Product not found."), ["variantId"])


def _check_quantity(quantity: int | None) -> int:
    if quantity is None or not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Choose a quantity from {min} to {max}.", min=MIN_QUANTITY, max=MAX_QUANTITY),
            ["quantity"],
        )
    return quantity


def _describe(line: SubscriptionLine) -> dict[str, Any]:
    return {
        "line_id": line.id,
        "variant_id": line.variant_id,
        "quantity": line.quantity,
        # Cents, as shown: PostgreSQL's column keeps four decimals, SQLite's whatever it got.
        "unit_price": str(cents(line.unit_price)),
        "one_time": line.one_time,
    }


async def _lines(ch: Change) -> list[SubscriptionLine]:
    rows = await ch.session.scalars(
        select(SubscriptionLine)
        .where(col(SubscriptionLine.subscription_id) == ch.sub.id)
        .order_by(col(SubscriptionLine.position), col(SubscriptionLine.id))
    )
    return list(rows.all())


async def _line(ch: Change, line_id: int | None) -> tuple[SubscriptionLine, list[SubscriptionLine]]:
    """One of this subscription's lines (NOT_FOUND otherwise), with all of them."""
    lines = await _lines(ch)
    for line in lines:
        if line_id is not None and line.id == line_id:
            return line, lines
    raise _line_not_found()


async def _sellable(ch: Change, variant_id: int | None) -> tuple[ProductVariant, Product]:
    """A variant that can be ordered now: it exists, is available, its product is active."""
    variant = None if variant_id is None else await ch.session.get(ProductVariant, variant_id)
    if variant is None:
        raise _variant_not_found()
    product = await ch.session.get(Product, variant.product_id)
    assert product is not None  # the foreign key cascades
    if not product.active:
        raise ServiceError(ErrorCode.INVALID, _("This product is no longer sold."), ["variantId"])
    if not variant.available:
        raise ServiceError(ErrorCode.INVALID, _("This product is out of stock."), ["variantId"])
    return variant, product


def _refuse_duplicate(
    lines: list[SubscriptionLine], line: SubscriptionLine, variant_id: int
) -> None:
    # Two lines of one variant and kind would show as one product twice; addProduct merges.
    if any(o.variant_id == variant_id and o.one_time == line.one_time for o in lines):
        raise ServiceError(
            ErrorCode.INVALID,
            _("This product is already on your subscription; change its quantity instead."),
            ["variantId"],
        )


async def _run(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    actor: Actor,
    action: PortalAction,
    apply: Apply,
) -> Subscription:
    return await change(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=action,
        topic=Topic.SUBSCRIPTION_LINES_CHANGED,
        apply=apply,
    )


async def add_product(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    variant_id: int | None,
    quantity: int | None,
    one_time: bool,
    actor: Actor,
) -> Subscription:
    """Add a product for the next order only, or to every order. A line of the same
    variant and kind already there takes the quantity instead (at most 99 in all)."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        wanted = _check_quantity(quantity)
        variant, _product = await _sellable(ch, variant_id)
        lines = await _lines(ch)
        same = next(
            (o for o in lines if o.variant_id == variant.id and o.one_time == one_time), None
        )
        if same is not None:
            if same.quantity + wanted > MAX_QUANTITY:
                raise ServiceError(
                    ErrorCode.INVALID,
                    _(
                        "At most {max} of a product per order; "
                        "{count} already on the subscription.",
                        max=MAX_QUANTITY,
                        count=same.quantity,
                    ),
                    ["quantity"],
                )
            before = _describe(same)
            same.quantity += wanted
            return {"line": before}, {"line": _describe(same)}
        if len(lines) >= MAX_LINES:
            raise ServiceError(
                ErrorCode.INVALID,
                _(
                    "A subscription holds at most {count} products; remove one first.",
                    count=MAX_LINES,
                ),
                ["variantId"],
            )
        assert ch.sub.id is not None and variant.id is not None
        line = SubscriptionLine(
            subscription_id=ch.sub.id,
            variant_id=variant.id,
            quantity=wanted,
            unit_price=variant.price,
            one_time=one_time,
            position=max((o.position for o in lines), default=-1) + 1,
        )
        ch.session.add(line)
        await ch.session.flush()
        return {"line": None}, {"line": _describe(line)}

    return await _run(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.ADD_PRODUCT,
        apply=apply,
    )


async def update_line_quantity(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    line_id: int | None,
    quantity: int | None,
    actor: Actor,
) -> Subscription:
    """Set how many units of a line each order gets (1 to 99)."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        line, _variant = await _line(ch, line_id)
        wanted = _check_quantity(quantity)
        if wanted == line.quantity:
            raise ServiceError(ErrorCode.INVALID, _("This is already the quantity."), ["quantity"])
        before = _describe(line)
        line.quantity = wanted
        return {"line": before}, {"line": _describe(line)}

    return await _run(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.EDIT_LINES,
        apply=apply,
    )


async def remove_line(
    rt: Runtime, *, customer_id: int, subscription_id: int | None, line_id: int | None, actor: Actor
) -> Subscription:
    """Take a product off. The last recurring one stays: without it nothing recurs, and
    that is what cancelling is for."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        line, lines = await _line(ch, line_id)
        recurring = [o for o in lines if not o.one_time]
        if not line.one_time and len(recurring) == 1:
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                _("This is the last product of the subscription; cancel the subscription instead."),
                ["lineId"],
            )
        before = _describe(line)
        await ch.session.delete(line)
        return {"line": before}, {"line": None}

    return await _run(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.EDIT_LINES,
        apply=apply,
    )


async def _replace_variant(
    ch: Change, line_id: int | None, variant_id: int | None, *, same_product: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Point a line at another variant, at that variant's price."""
    line, lines = await _line(ch, line_id)
    variant, product = await _sellable(ch, variant_id)
    current = await ch.session.get(ProductVariant, line.variant_id)
    assert current is not None and variant.id is not None  # the foreign key restricts deletion
    if same_product:
        if variant.product_id != current.product_id:
            raise ServiceError(
                ErrorCode.INVALID,
                _("Choose a variant of the same product; to change product, swap it."),
                ["variantId"],
            )
        if variant.id == current.id:
            raise ServiceError(ErrorCode.INVALID, _("This is already the variant."), ["variantId"])
    else:
        if variant.product_id == current.product_id:
            raise ServiceError(
                ErrorCode.INVALID,
                _("Choose another product; to change size or flavour, change the variant."),
                ["variantId"],
            )
        if not product.swap_eligible:
            raise ServiceError(
                ErrorCode.INVALID, _("This product cannot be swapped in."), ["variantId"]
            )
    _refuse_duplicate(lines, line, variant.id)
    before = _describe(line)
    line.variant_id = variant.id
    line.unit_price = variant.price
    return {"line": before}, {"line": _describe(line)}


async def swap_product(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    line_id: int | None,
    variant_id: int | None,
    actor: Actor,
) -> Subscription:
    """Replace a line's product by an available variant of another, swap-eligible product."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        return await _replace_variant(ch, line_id, variant_id, same_product=False)

    return await _run(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.SWAP_PRODUCT,
        apply=apply,
    )


async def change_variant(
    rt: Runtime,
    *,
    customer_id: int,
    subscription_id: int | None,
    line_id: int | None,
    variant_id: int | None,
    actor: Actor,
) -> Subscription:
    """Another size, flavour or colour of the same product, at that variant's price."""

    async def apply(ch: Change) -> tuple[dict[str, Any], dict[str, Any]]:
        return await _replace_variant(ch, line_id, variant_id, same_product=True)

    return await _run(
        rt,
        customer_id=customer_id,
        subscription_id=subscription_id,
        actor=actor,
        action=PortalAction.CHANGE_VARIANT,
        apply=apply,
    )
