"""The store's catalogue, upserted by its own ids: products by `storeProductId`,
variants by SKU.

A product sent is the whole product: its listed variants are created or
updated, and its variants left out become unavailable (not deleted: orders and
subscriptions still name them). Every field at fault in the batch is reported
with its path, and nothing is written unless the whole batch is valid.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import col

from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.validation import refuse_control_characters
from models.catalog import Product, ProductVariant
from plumbing.runtime import Runtime

MAX_PRODUCTS = 100
MAX_VARIANTS = 100
_HANDLE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class VariantInput:
    sku: str
    title: str
    price: Decimal
    available: bool = True


@dataclass(frozen=True)
class ProductInput:
    store_product_id: str
    title: str
    variants: Sequence[VariantInput]
    handle: str | None = None
    image_url: str | None = None
    active: bool = True
    swap_eligible: bool = True
    upsell_eligible: bool = False


@dataclass
class Synced:
    product: Product
    variants: list[ProductVariant] = field(default_factory=list)


def _at(*parts: str | int) -> list[str]:
    return ["input", "products", *(str(part) for part in parts)]


def _text(value: str | None, path: list[str], limit: int) -> str:
    text = refuse_control_characters((value or "").strip(), path)
    if not text:
        raise ServiceError(ErrorCode.INVALID, "Required.", path)
    if len(text) > limit:
        raise ServiceError(ErrorCode.INVALID, f"Must be at most {limit} characters.", path)
    return text


def _check(products: Sequence[ProductInput]) -> None:
    errors = FieldErrors()
    if not products or len(products) > MAX_PRODUCTS:
        errors.add(ErrorCode.INVALID, f"Give 1 to {MAX_PRODUCTS} products.", ["input", "products"])
    seen_ids: set[str] = set()
    seen_skus: set[str] = set()
    for i, product in enumerate(products[:MAX_PRODUCTS]):
        with errors.check():
            store_id = _text(product.store_product_id, _at(i, "storeProductId"), 100)
            if store_id in seen_ids:
                raise ServiceError(ErrorCode.INVALID, "Sent twice.", _at(i, "storeProductId"))
            seen_ids.add(store_id)
        with errors.check():
            _text(product.title, _at(i, "title"), 200)
        if product.handle is not None and not (
            _HANDLE.fullmatch(product.handle) and len(product.handle) <= 200
        ):
            message = "Use lower-case letters, digits and single hyphens."
            errors.add(ErrorCode.INVALID, message, _at(i, "handle"))
        if product.image_url is not None and (
            not product.image_url.startswith("https://") or len(product.image_url) > 500
        ):
            errors.add(ErrorCode.INVALID, "Give an https URL.", _at(i, "imageUrl"))
        if not product.variants or len(product.variants) > MAX_VARIANTS:
            message = f"Give 1 to {MAX_VARIANTS} variants."
            errors.add(ErrorCode.INVALID, message, _at(i, "variants"))
        for j, variant in enumerate(product.variants[:MAX_VARIANTS]):
            with errors.check():
                sku = _text(variant.sku, _at(i, "variants", j, "sku"), 100)
                if sku in seen_skus:
                    raise ServiceError(
                        ErrorCode.INVALID, "Sent twice.", _at(i, "variants", j, "sku")
                    )
                seen_skus.add(sku)
            with errors.check():
                _text(variant.title, _at(i, "variants", j, "title"), 200)
            price = variant.price
            if not price.is_finite() or price < 0 or price != price.quantize(Decimal("0.01")):
                message = "Give an amount of zero or more, in cents at most."
                errors.add(ErrorCode.INVALID, message, _at(i, "variants", j, "price"))
    errors.raise_any()


def _handle(given: ProductInput, stored: Product | None) -> str:
    """The handle given, else the one it has, else one made from the store's id."""
    if given.handle is not None:
        return given.handle
    if stored is not None:
        return stored.handle
    return re.sub(r"[^a-z0-9]+", "-", f"p-{given.store_product_id.strip()}".lower()).strip("-")


async def upsert_products(rt: Runtime, products: Sequence[ProductInput]) -> list[Synced]:
    _check(products)
    store_ids = [p.store_product_id.strip() for p in products]
    skus = [v.sku.strip() for p in products for v in p.variants]
    async with rt.db.transaction() as session:
        existing = {
            row.store_product_id: row
            for row in await session.scalars(
                select(Product).where(col(Product.store_product_id).in_(store_ids))
            )
        }
        by_sku = {
            row.sku: row
            for row in await session.scalars(
                select(ProductVariant).where(col(ProductVariant.sku).in_(skus))
            )
        }
        chosen = [_handle(p, existing.get(p.store_product_id.strip())) for p in products]
        handles = {handle: i for i, handle in enumerate(chosen)}
        errors = FieldErrors()
        for holder in await session.scalars(
            select(Product).where(col(Product.handle).in_(list(handles)))
        ):
            i = handles[holder.handle]
            if holder.store_product_id != products[i].store_product_id.strip():
                message = "Another product has this handle."
                errors.add(ErrorCode.TAKEN, message, _at(i, "handle"))
        for i, given in enumerate(products):
            owner = existing.get(given.store_product_id.strip())
            for j, variant in enumerate(given.variants):
                row = by_sku.get(variant.sku.strip())
                if row is not None and (owner is None or row.product_id != owner.id):
                    message = "Another product has this SKU."
                    errors.add(ErrorCode.TAKEN, message, _at(i, "variants", j, "sku"))
        errors.raise_any()
        results: list[Synced] = []
        for given, handle in zip(products, chosen, strict=True):
            store_id = given.store_product_id.strip()
            product = existing.get(store_id) or Product(
                store_product_id=store_id, title="", handle=handle, created_at=rt.clock.now()
            )
            product.title = given.title.strip()
            product.handle = handle
            product.image_url = given.image_url
            product.active = given.active
            product.swap_eligible = given.swap_eligible
            product.upsell_eligible = given.upsell_eligible
            session.add(product)
            await session.flush()
            assert product.id is not None
            listed: list[ProductVariant] = []
            for position, variant in enumerate(given.variants):
                sku = variant.sku.strip()
                row = by_sku.get(sku) or ProductVariant(
                    product_id=product.id, sku=sku, title="", price=variant.price
                )
                row.title = variant.title.strip()
                row.price = variant.price
                row.available = variant.available
                row.position = position
                session.add(row)
                listed.append(row)
            others = await session.scalars(
                select(ProductVariant).where(
                    col(ProductVariant.product_id) == product.id,
                    col(ProductVariant.sku).not_in([v.sku.strip() for v in given.variants]),
                )
            )
            for gone in others:
                gone.available = False
            await session.flush()
            results.append(Synced(product=product, variants=listed))
    return results
