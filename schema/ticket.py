"""Support tickets: types, inputs and payloads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from models.ticket import Ticket as TicketRow
from models.ticket import TicketMessage as TicketMessageRow
from schema.errors import UserError
from schema.node import Node, to_global_id
from schema.pagination import PageInfo

if TYPE_CHECKING:
    from schema.order import Order


@strawberry.enum(description="Where a support ticket stands.")
class TicketStatus(Enum):
    OPEN = strawberry.enum_value("OPEN", description="Waiting for the support team.")
    PENDING = strawberry.enum_value(
        "PENDING", description="Answered by the support team; waiting for the customer."
    )
    CLOSED = strawberry.enum_value(
        "CLOSED", description="Resolved; a new question needs a new ticket."
    )


@strawberry.enum(description="Who wrote a ticket message.")
class TicketAuthor(Enum):
    CUSTOMER = strawberry.enum_value("CUSTOMER", description="The customer.")
    AGENT = strawberry.enum_value("AGENT", description="The store's support team.")


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
            author=TicketAuthor(row.author),
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
            status=TicketStatus(row.status),
            created_at=row.created_at,
            updated_at=row.updated_at,
            row=row,
        )

    @strawberry.field(description="The order the ticket is about; null if none or it is gone.")
    async def order(
        self, info: strawberry.Info
    ) -> Annotated[Order, strawberry.lazy("schema.order")] | None:
        from resolvers.ticket import ticket_order

        return await ticket_order(info, self.row)

    @strawberry.field(description="The conversation, oldest message first.")
    async def messages(self, info: strawberry.Info) -> list[TicketMessage]:
        from resolvers.ticket import ticket_messages

        return await ticket_messages(info, self.row)


@strawberry.type(description="One ticket in a page of tickets.")
class TicketEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this one.")
    node: Ticket = strawberry.field(description="The ticket.")


@strawberry.type(description="A page of the customer's tickets, newest first.")
class TicketConnection:
    edges: list[TicketEdge] = strawberry.field(description="The tickets of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the list.")


@strawberry.input(description="A new support request.")
class CreateTicketInput:
    subject: str = strawberry.field(description="What it is about; 1 to 200 characters.")
    message: str = strawberry.field(description="The first message; 1 to 5000 characters.")
    order_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the customer's orders the ticket is about."
    )
    subscription_id: strawberry.ID | None = strawberry.field(
        default=None, description="One of the customer's subscriptions the ticket is about."
    )


@strawberry.input(description="A message to add to a ticket.")
class ReplyToTicketInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket.")
    message: str = strawberry.field(description="The message; 1 to 5000 characters.")


@strawberry.input(description="A ticket the customer considers resolved.")
class CloseTicketInput:
    ticket_id: strawberry.ID = strawberry.field(description="The ticket.")


@strawberry.type(description="Result of createTicket.")
class CreateTicketPayload:
    ticket: Ticket | None = strawberry.field(description="The new ticket.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of replyToTicket.")
class ReplyToTicketPayload:
    ticket: Ticket | None = strawberry.field(description="The ticket with the new message.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of closeTicket.")
class CloseTicketPayload:
    ticket: Ticket | None = strawberry.field(description="The closed ticket.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")
