"""Support tickets and their conversation."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models.order import Order as OrderRow
from models.subscription import Subscription as SubscriptionRow
from models.ticket import Ticket as TicketRow
from models.ticket import TicketMessage as TicketMessageRow
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.enums import TicketAuthor, TicketStatus
from schema.common.node import Node
from schema.common.pagination import PageInfo
from schema.customer.context import Info
from schema.customer.nodes import nodes
from schema.customer.types.order import Order
from schema.customer.types.subscription import Subscription
from services.access import can_read


@strawberry.type(description="One message in a ticket's conversation.")
class TicketMessage:
    id: strawberry.ID = strawberry.field(description="The message's global ID.")
    author: TicketAuthor = strawberry.field(description="Who wrote it.")
    body: str = strawberry.field(description="The message, as plain text.")
    created_at: datetime = strawberry.field(description="When it was sent.")

    @classmethod
    def from_row(cls, row: TicketMessageRow) -> TicketMessage:
        assert row.id is not None
        return cls(
            id=to_global_id("TicketMessage", row.id),
            author=row.author,
            body=row.body,
            created_at=row.created_at,
        )


@strawberry.type(description="A support request and its conversation with the store.")
class Ticket(Node):
    number: str = strawberry.field(description='Human-friendly reference, e.g. "T-000042".')
    subject: str = strawberry.field(description="What the ticket is about.")
    status: TicketStatus = strawberry.field(description="Where the ticket stands.")
    created_at: datetime = strawberry.field(description="When it was opened.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    row: strawberry.Private[TicketRow]

    @classmethod
    def from_row(cls, row: TicketRow) -> Ticket:
        assert row.id is not None
        return cls(
            id=to_global_id("Ticket", row.id),
            number=row.number,
            subject=row.subject,
            status=row.status,
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )

    @strawberry.field(description="The order the ticket is about; null if none or it is gone.")
    async def order(self, info: Info) -> Order | None:
        if self.row.order_id is None:
            return None
        row = await info.context.loaders.order_by_id.load(self.row.order_id)
        return (
            Order.from_row(row)
            if row is not None and can_read(info.context.actor, OrderRow, row)
            else None
        )

    @strawberry.field(
        description="The subscription the ticket is about; null if none or it is gone."
    )
    async def subscription(self, info: Info) -> Subscription | None:
        if self.row.subscription_id is None:
            return None
        row = await info.context.loaders.subscription_by_id.load(self.row.subscription_id)
        return (
            Subscription.from_row(row)
            if row is not None and can_read(info.context.actor, SubscriptionRow, row)
            else None
        )

    @strawberry.field(description="The conversation, oldest message first.")
    async def messages(self, info: Info) -> list[TicketMessage]:
        assert self.row.id is not None
        rows = await info.context.loaders.ticket_messages_by_ticket_id.load(self.row.id)
        return [TicketMessage.from_row(row) for row in rows]


@strawberry.type(description="One ticket in a page of tickets.")
class TicketEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this one.")
    node: Ticket = strawberry.field(description="The ticket.")


@strawberry.type(description="A page of the customer's tickets, newest first.")
class TicketConnection:
    edges: list[TicketEdge] = strawberry.field(description="The tickets of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


async def _ticket_node(ctx: RequestContext, row: TicketRow) -> Ticket:
    return Ticket.from_row(row)


nodes.register(
    "Ticket", model=TicketRow, loader=lambda loaders: loaders.ticket_by_id, wrap=_ticket_node
)
