"""The catalogue: products and variants, as pickers and order lines show them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import strawberry

from models.catalog import Product as ProductRow
from models.catalog import ProductVariant as VariantRow
from models.shop import SHOP_ID
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.money import Money, money
from schema.common.node import Node
from schema.common.pagination import PageInfo
from schema.customer.context import Info
from schema.customer.nodes import nodes


async def shop_currency(ctx: RequestContext) -> str:
    """Catalogue prices are in the shop's currency (one cached load per request)."""
    shop = await ctx.loaders.shop_by_id.load(SHOP_ID)
    return shop.currency_code if shop is not None else "USD"


@strawberry.type(description="One purchasable version of a product (size, grind, ...).")
class ProductVariant(Node):
    title: str = strawberry.field(description='Variant name, e.g. "12 oz / Whole bean".')
    sku: str | None = strawberry.field(description="Stock keeping unit, if the merchant set one.")
    price: Money = strawberry.field(description="Current price in the shop's currency.")
    available: bool = strawberry.field(description="In stock and for sale right now.")
    row: strawberry.Private[VariantRow]

    @classmethod
    def from_row(cls, row: VariantRow, currency: str) -> ProductVariant:
        assert row.id is not None
        return cls(
            id=to_global_id("ProductVariant", row.id),
            title=row.title,
            sku=row.sku,
            price=money(row.price, currency),
            available=row.available,
            row=row,
        )

    @classmethod
    async def many(
        cls, ctx: RequestContext, rows: Sequence[VariantRow | None]
    ) -> list[ProductVariant]:
        """Wrap rows (skipping missing ones) with the shop's currency."""
        currency = await shop_currency(ctx)
        return [cls.from_row(row, currency) for row in rows if row is not None]

    @strawberry.field(description="The product this is a variant of.")
    async def product(self, info: Info) -> Product:
        row = await info.context.loaders.product_by_id.load(self.row.product_id)
        # The foreign key cascades, so a variant's product always exists.
        assert row is not None
        return Product.from_row(row)


@strawberry.type(description="A product in the store's catalogue.")
class Product(Node):
    title: str = strawberry.field(description="Product name.")
    handle: str = strawberry.field(description="URL slug on the storefront.")
    image_url: str | None = strawberry.field(description="Main product image.")
    row: strawberry.Private[ProductRow]

    @classmethod
    def from_row(cls, row: ProductRow) -> Product:
        assert row.id is not None
        return cls(
            id=to_global_id("Product", row.id),
            title=row.title,
            handle=row.handle,
            image_url=row.image_url,
            row=row,
        )

    @strawberry.field(description="The product's variants, in the merchant's order.")
    async def variants(self, info: Info) -> list[ProductVariant]:
        assert self.row.id is not None
        rows, currency = await asyncio.gather(
            info.context.loaders.variants_by_product_id.load(self.row.id),
            shop_currency(info.context),
        )
        return [ProductVariant.from_row(row, currency) for row in rows]


@strawberry.type(description="A product in a page of search results.")
class ProductEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this product.")
    node: Product = strawberry.field(description="The product.")


@strawberry.type(description="A page of catalogue search results.")
class ProductConnection:
    edges: list[ProductEdge] = strawberry.field(description="The products on this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the results.")


# Archived products (and their variants) leave the catalogue, though old orders keep them.
async def _product_node(ctx: RequestContext, row: ProductRow) -> Product | None:
    return Product.from_row(row) if row.active else None


async def _variant_node(ctx: RequestContext, row: VariantRow) -> ProductVariant | None:
    product = await ctx.loaders.product_by_id.load(row.product_id)
    if product is None or not product.active:
        return None
    return ProductVariant.from_row(row, await shop_currency(ctx))


nodes.register(
    "Product", model=ProductRow, loader=lambda loaders: loaders.product_by_id, wrap=_product_node
)
nodes.register(
    "ProductVariant",
    model=VariantRow,
    loader=lambda loaders: loaders.variant_by_id,
    wrap=_variant_node,
)
