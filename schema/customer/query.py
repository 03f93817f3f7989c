"""Root query fields of the customer surface: me, node, shop."""

from __future__ import annotations

import strawberry

from schema.common.node import Node
from schema.customer.context import Info
from schema.customer.nodes import nodes
from schema.customer.types.customer import Customer
from schema.customer.types.shop import Shop, load_shop


@strawberry.type
class Query:
    @strawberry.field(description="The logged-in customer; null without a valid session.")
    def me(self, info: Info) -> Customer | None:
        viewer = info.context.viewer
        return None if viewer is None else Customer.from_row(viewer.customer)

    @strawberry.field(description="Any object the viewer owns, by global ID; null otherwise.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await nodes.resolve(info.context, id)  # type: ignore[no-any-return]

    @strawberry.field(
        description="Public store information and which self-service actions the merchant enabled."
    )
    async def shop(self, info: Info) -> Shop:
        return await load_shop(info.context)
