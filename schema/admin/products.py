"""The store's catalogue: `upsertProducts`, the `products` query, and their types."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry

from domain.scopes import Scope
from resolvers.ids import to_global_id
from schema.admin.context import Info
from schema.admin.permissions import requires
from schema.common.errors import UserError, payload
from schema.common.money import money
from services.merchant_reads import products_by_store_id
from services.product_sync import ProductInput, VariantInput, upsert_products

MAX_LOOKUP = 100


@strawberry.type(description="A variant of a product, as the catalogue sells it.")
class ProductVariant:
    id: strawberry.ID = strawberry.field(description="Global ID of the variant.")
    sku: str | None = strawberry.field(description="The store's SKU.")
    title: str = strawberry.field(description="Variant title.")
    price: Decimal = strawberry.field(description="Price in the shop's currency.")
    available: bool = strawberry.field(description="Whether it can be bought.")

    @classmethod
    def from_row(cls, row: Any) -> ProductVariant:
        return cls(
            id=to_global_id("ProductVariant", row.id),
            sku=row.sku,
            title=row.title,
            # Written the same on every backend (PostgreSQL answers 9.5000).
            price=money(row.price, "").amount,
            available=row.available,
        )


@strawberry.type(description="A product of the catalogue.")
class Product:
    id: strawberry.ID = strawberry.field(description="Global ID of the product.")
    store_product_id: str | None = strawberry.field(description="The store's own id.")
    title: str = strawberry.field(description="Product title.")
    handle: str = strawberry.field(description="URL handle.")
    image_url: str | None = strawberry.field(description="Image URL.")
    active: bool = strawberry.field(description="False once archived: off the catalogue.")
    swap_eligible: bool = strawberry.field(
        description="May replace another product on a subscription."
    )
    upsell_eligible: bool = strawberry.field(description="Offered as a subscription add-on.")
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Any) -> Product:
        return cls(
            id=to_global_id("Product", row.id),
            store_product_id=row.store_product_id,
            title=row.title,
            handle=row.handle,
            image_url=row.image_url,
            active=row.active,
            swap_eligible=row.swap_eligible,
            upsell_eligible=row.upsell_eligible,
            pk=row.id,
        )

    @strawberry.field(description="Its variants, in position order.")
    async def variants(self, info: Info) -> list[ProductVariant]:
        rows = await info.context.loaders.variants_by_product_id.load(self.pk)
        return [ProductVariant.from_row(row) for row in rows]


@strawberry.input(description="A variant, identified by its SKU.")
class ProductVariantInput:
    sku: str = strawberry.field(description="The store's SKU; unique in the catalogue.")
    title: str = strawberry.field(description="Variant title.")
    price: Decimal = strawberry.field(description="Price in the shop's currency.")
    available: bool = strawberry.field(default=True, description="Whether it can be bought.")


@strawberry.input(
    name="ProductInput", description="A whole product: variants left out become unavailable."
)
class ProductUpsertInput:
    store_product_id: str = strawberry.field(description="The store's own id of the product.")
    title: str = strawberry.field(description="Product title.")
    variants: list[ProductVariantInput] = strawberry.field(description="1 to 100 variants.")
    handle: str | None = strawberry.field(
        default=None, description="URL handle; one is made from the store's id if absent."
    )
    image_url: str | None = strawberry.field(default=None, description="Image URL (https).")
    active: bool = strawberry.field(default=True, description="False archives it.")
    swap_eligible: bool = strawberry.field(
        default=True, description="May replace another product on a subscription."
    )
    upsell_eligible: bool = strawberry.field(
        default=False, description="Offered as a subscription add-on."
    )


@strawberry.input(description="Products to create or update.")
class UpsertProductsInput:
    products: list[ProductUpsertInput] = strawberry.field(description="1 to 100 products.")


@strawberry.type(description="The products as stored, or why the batch was refused.")
class UpsertProductsPayload:
    products: list[Product] = strawberry.field(
        default_factory=list, description="The products, in the order sent."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type
class ProductQuery:
    @strawberry.field(
        description=f"Products by the store's own ids (at most {MAX_LOOKUP}), in that order; "
        "unknown ids are left out.",
        permission_classes=[requires(Scope.PRODUCTS_WRITE)],
    )
    async def products(self, info: Info, store_product_ids: list[str]) -> list[Product]:
        rows = await products_by_store_id(info.context.rt, store_product_ids[:MAX_LOOKUP])
        return [Product.from_row(row) for row in rows]


@strawberry.type
class ProductMutations:
    @strawberry.mutation(
        description="Create or update products by the store's ids, and their variants by SKU. "
        "The batch is written whole or not at all.",
        permission_classes=[requires(Scope.PRODUCTS_WRITE)],
    )
    async def upsert_products(
        self, info: Info, input: UpsertProductsInput
    ) -> UpsertProductsPayload:
        async def work() -> dict[str, object]:
            given = [
                ProductInput(
                    store_product_id=p.store_product_id,
                    title=p.title,
                    variants=[
                        VariantInput(sku=v.sku, title=v.title, price=v.price, available=v.available)
                        for v in p.variants
                    ],
                    handle=p.handle,
                    image_url=p.image_url,
                    active=p.active,
                    swap_eligible=p.swap_eligible,
                    upsell_eligible=p.upsell_eligible,
                )
                for p in input.products
            ]
            synced = await upsert_products(info.context.rt, given)
            return {"products": [Product.from_row(each.product) for each in synced]}

        return await payload(UpsertProductsPayload, work())
