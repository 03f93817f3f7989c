"""Support tickets: loaders, the node fetcher, `Customer.tickets`, edges and mutations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import strawberry
from graphql import GraphQLError
from sqlmodel import col

from auth.permissions import IsAuthenticated
from models.ticket import Ticket as TicketRow
from models.ticket import TicketMessage as TicketMessageRow
from resolvers.batch import groups_by_key, rows_by_key
from resolvers.errors import payload
from resolvers.node import node_fetcher
from schema.context import Info
from schema.node import decode_id
from schema.pagination import PageInfo
from schema.ticket import (
    CloseTicketInput,
    CloseTicketPayload,
    CreateTicketInput,
    CreateTicketPayload,
    ReplyToTicketInput,
    ReplyToTicketPayload,
    Ticket,
    TicketConnection,
    TicketEdge,
    TicketMessage,
    TicketStatus,
)
from services import tickets
from services.pagination import InvalidCursor, Page

if TYPE_CHECKING:
    from models.database import Database
    from schema.order import Order


async def batch_tickets(db: Database, ids: Sequence[int]) -> list[TicketRow | None]:
    return await rows_by_key(db, TicketRow, col(TicketRow.id), ids)


async def batch_ticket_messages(
    db: Database, ticket_ids: Sequence[int]
) -> list[list[TicketMessageRow]]:
    return await groups_by_key(
        db,
        TicketMessageRow,
        col(TicketMessageRow.ticket_id),
        ticket_ids,
        col(TicketMessageRow.created_at),
        col(TicketMessageRow.id),
    )


@node_fetcher("Ticket")
async def fetch_ticket(info: Info, pk: int) -> Ticket | None:
    row = await info.context.loaders.ticket_by_id.load(pk)
    if row is None or row.customer_id != info.context.customer_id:
        return None
    return Ticket.from_row(row)


async def ticket_messages(info: Info, ticket: TicketRow) -> list[TicketMessage]:
    assert ticket.id is not None
    rows = await info.context.loaders.ticket_messages_by_ticket_id.load(ticket.id)
    return [TicketMessage.from_row(row) for row in rows]


async def ticket_order(info: Info, ticket: TicketRow) -> Order | None:
    from schema.order import Order

    if ticket.order_id is None:
        return None
    row = await info.context.loaders.order_by_id.load(ticket.order_id)
    # Only the customer's own orders are ever linked; checked again for the ownership rule.
    if row is None or row.customer_id != ticket.customer_id:
        return None
    return Order.from_row(row)


async def tickets_of(
    info: Info, customer_id: int, first: int | None, after: str | None, status: TicketStatus | None
) -> TicketConnection:
    """`Customer.tickets`: newest first, optionally one status only."""
    try:
        page: Page[Any] = await info.context.loaders.run(
            tickets.ticket_page(
                info.context.rt,
                customer_id=customer_id,
                status=None if status is None else status.name,
                first=first,
                after=after,
            )
        )
    except InvalidCursor:
        raise GraphQLError("Invalid cursor", extensions={"code": "BAD_USER_INPUT"}) from None
    for row in page.items:
        assert row.id is not None
        info.context.loaders.ticket_by_id.prime(row.id, row)
    return TicketConnection(
        edges=[
            TicketEdge(cursor=cursor, node=Ticket.from_row(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo.from_page(page),
    )


def _pk(value: strawberry.ID | None, type_name: str) -> int | None:
    """None when not given; a malformed or foreign-type ID becomes 0, which no row has,
    so it answers NOT_FOUND exactly like a missing one."""
    if value is None:
        return None
    return decode_id(value, type_name) or 0


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
                order_id=_pk(input.order_id, "Order"),
                # No subscription exists yet, so any subscriptionId answers NOT_FOUND
                # on ["subscriptionId"]; the service says so once they do.
                subscription_id=_pk(input.subscription_id, "Subscription"),
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
                ticket_id=_pk(input.ticket_id, "Ticket"),
                message=input.message,
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
                ticket_id=_pk(input.ticket_id, "Ticket"),
            )
            return _changed(info, row)

        return await payload(CloseTicketPayload, work())
