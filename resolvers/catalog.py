"""Catalogue resolvers: the product search connection, node fetchers, batch loads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError
from sqlmodel import col

from models.catalog import Product as ProductRow
from models.catalog import ProductVariant as VariantRow
from models.database import Database
from resolvers.batch import groups_by_key, rows_by_key
from resolvers.node import node_fetcher
from schema.catalog import Product, ProductConnection, ProductEdge, ProductVariant, shop_currency
from schema.context import Info
from schema.pagination import PageInfo
from services import catalog
from services.errors import ServiceError
from services.pagination import InvalidCursor, Page


async def products_by_id(db: Database, ids: Sequence[int]) -> list[ProductRow | None]:
    return await rows_by_key(db, ProductRow, col(ProductRow.id), ids)


async def variants_by_id(db: Database, ids: Sequence[int]) -> list[VariantRow | None]:
    return await rows_by_key(db, VariantRow, col(VariantRow.id), ids)


async def variants_by_product_id(db: Database, ids: Sequence[int]) -> list[list[VariantRow]]:
    return await groups_by_key(
        db,
        VariantRow,
        col(VariantRow.product_id),
        ids,
        col(VariantRow.position),
        col(VariantRow.id),
    )


def bad_input(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT"})


async def search_products(
    info: Info, query: str | None, first: int | None, after: str | None
) -> ProductConnection:
    try:
        # Page[Any]: PageInfo.from_page takes Page[object] and Page is invariant.
        page: Page[Any] = await info.context.loaders.run(
            catalog.search_products(info.context.rt, query=query, first=first, after=after)
        )
    except InvalidCursor as error:
        raise bad_input(str(error).capitalize()) from None
    except ServiceError as error:
        raise bad_input(error.message) from None
    return ProductConnection(
        edges=[
            ProductEdge(cursor=cursor, node=Product.from_row(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo.from_page(page),
    )


# Products are public catalogue data: any logged-in viewer may fetch an active one.
@node_fetcher("Product")
async def fetch_product(info: Info, pk: int) -> Product | None:
    row = await info.context.loaders.product_by_id.load(pk)
    return Product.from_row(row) if row is not None and row.active else None


@node_fetcher("ProductVariant")
async def fetch_variant(info: Info, pk: int) -> ProductVariant | None:
    row = await info.context.loaders.variant_by_id.load(pk)
    if row is None:
        return None
    product = await info.context.loaders.product_by_id.load(row.product_id)
    if product is None or not product.active:
        return None
    return ProductVariant.from_row(row, await shop_currency(info))
