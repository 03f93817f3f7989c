"""Root query fields: me, node, shop."""

from __future__ import annotations

import strawberry

from models.shop import SHOP_ID
from resolvers.node import node_fetcher, resolve_node
from schema.context import Info
from schema.customer import Customer
from schema.node import Node
from schema.shop import Shop


async def load_shop(info: Info) -> Shop:
    loaders, settings = info.context.loaders, info.context.rt.settings
    shop = await loaders.shop_by_id.load(SHOP_ID)
    flags = await loaders.settings_by_shop_id.load(SHOP_ID)
    if shop is None or flags is None:
        raise RuntimeError("the shop is not set up: run `migrate` and `seed`")
    return Shop.from_rows(
        shop, flags, code_length=settings.login_code_length, code_ttl=settings.login_code_ttl
    )


@node_fetcher("Customer")
async def _customer_node(info: Info, pk: int) -> Customer | None:
    viewer = info.context.viewer
    if viewer is None or viewer.customer.id != pk:
        return None
    return Customer.from_row(viewer.customer)


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in customer; null without a valid session.")
    async def me(self, info: Info) -> Customer | None:
        viewer = info.context.viewer
        return None if viewer is None else Customer.from_row(viewer.customer)

    @strawberry.field(description="Any object the viewer owns, by global ID; null otherwise.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info, id)

    @strawberry.field(
        description="Public store information and which self-service actions the merchant enabled."
    )
    async def shop(self, info: Info) -> Shop:
        return await load_shop(info)
