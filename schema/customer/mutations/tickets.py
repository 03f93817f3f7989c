"""Support tickets: open one, reply, close."""

from __future__ import annotations

from typing import Any

import strawberry

from models.ticket import Ticket as TicketRow
from resolvers.ids import decode_optional_id
from schema.common.errors import UserError, payload
from schema.customer.context import Info
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.ticket import Ticket
from services import tickets


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


def _changed(info: Info, row: TicketRow) -> dict[str, Any]:
    # An earlier field of the same document may have loaded the conversation before this write.
    info.context.loaders.ticket_messages_by_ticket_id.clear_all()
    return {"ticket": Ticket.from_row(row)}


@strawberry.type
class TicketMutations:
    @strawberry.mutation(
        description="Open a support ticket with a first message, optionally about an order. "
        "Honours the `Idempotency-Key` header.",
        permission_classes=[IsAuthenticated],
    )
    async def create_ticket(self, info: Info, input: CreateTicketInput) -> CreateTicketPayload:
        async def work() -> dict[str, Any]:
            row = await tickets.create_ticket(
                info.context.rt,
                customer_id=info.context.customer_id,
                subject=input.subject,
                message=input.message,
                order_id=decode_optional_id(input.order_id, "Order"),
                subscription_id=decode_optional_id(input.subscription_id, "Subscription"),
                actor=info.context.signed_in_actor,
                idempotency_key=info.context.idempotency_key,
            )
            return _changed(info, row)

        return await payload(CreateTicketPayload, work())

    @strawberry.mutation(
        description="Add a message to a ticket; a ticket waiting for the customer is open "
        "again. A closed ticket cannot be replied to: open a new one.",
        permission_classes=[IsAuthenticated],
    )
    async def reply_to_ticket(self, info: Info, input: ReplyToTicketInput) -> ReplyToTicketPayload:
        async def work() -> dict[str, Any]:
            row = await tickets.reply_to_ticket(
                info.context.rt,
                customer_id=info.context.customer_id,
                ticket_id=decode_optional_id(input.ticket_id, "Ticket"),
                message=input.message,
                actor=info.context.signed_in_actor,
            )
            return _changed(info, row)

        return await payload(ReplyToTicketPayload, work())

    @strawberry.mutation(
        description="Close a ticket the customer considers resolved.",
        permission_classes=[IsAuthenticated],
    )
    async def close_ticket(self, info: Info, input: CloseTicketInput) -> CloseTicketPayload:
        async def work() -> dict[str, Any]:
            row = await tickets.close_ticket(
                info.context.rt,
                customer_id=info.context.customer_id,
                ticket_id=decode_optional_id(input.ticket_id, "Ticket"),
                actor=info.context.signed_in_actor,
            )
            return _changed(info, row)

        return await payload(CloseTicketPayload, work())
