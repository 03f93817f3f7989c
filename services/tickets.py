"""Support tickets: open one, reply, close; every change is reported to the merchant
through the outbox."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from domain.actors import Actor
from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.i18n import _
from domain.statuses import UNRESOLVED_TICKET_STATUSES, TicketAuthor, TicketStatus
from domain.topics import Topic
from domain.validation import refuse_control_characters
from models.base import select_rows
from models.customer import Customer
from models.order import Order
from models.shop import SHOP_ID, CustomerAccountSettings
from models.subscription import Subscription
from models.ticket import Ticket, TicketMessage
from plumbing import idempotency, outbox
from plumbing.pagination import Page, SortKey, keyset_page
from plumbing.runtime import Runtime

SUBJECT_MAX = 200
MESSAGE_MAX = 5000
# Abuse protection: a customer with this many unresolved tickets must close one first.
MAX_OPEN_TICKETS = 20


async def _require_support(session: AsyncSession) -> None:
    enabled = await session.scalar(
        select(col(CustomerAccountSettings.support_enabled)).where(
            col(CustomerAccountSettings.shop_id) == SHOP_ID
        )
    )
    if not enabled:
        raise ServiceError(
            ErrorCode.ACTION_DISABLED, _("Support requests are switched off for this store.")
        )


def _text(value: str, *, field: str, limit: int) -> str:
    # A message may span lines; the subject is one line.
    multiline = field == "message"
    value = refuse_control_characters(value.strip(), [field], allow_newlines=multiline)
    if not value:
        empty = _("Enter a subject.") if field == "subject" else _("Enter a message.")
        raise ServiceError(ErrorCode.INVALID, empty, [field])
    if len(value) > limit:
        raise ServiceError(
            ErrorCode.INVALID,
            _("The subject can be at most {limit} characters.", limit=limit)
            if field == "subject"
            else _("The message can be at most {limit} characters.", limit=limit),
            [field],
        )
    return value


def _ticket_not_found() -> ServiceError:
    return ServiceError(ErrorCode.NOT_FOUND, _("Ticket not found."), ["ticketId"])


def _event(
    session: AsyncSession, topic: Topic, ticket: Ticket, actor: Actor, now: Any, **extra: Any
) -> None:
    outbox.record(
        session,
        topic=topic,
        actor=actor,
        customer_id=ticket.customer_id,
        payload={"ticket_id": ticket.id, "number": ticket.number, **extra},
        now=now,
    )


async def ticket_page(
    rt: Runtime,
    *,
    customer_id: int,
    status: TicketStatus | None,
    first: int | None,
    after: str | None,
) -> Page[Ticket]:
    """A customer's tickets, newest first; raises InvalidCursor for a bad cursor."""
    stmt = select_rows(Ticket).where(col(Ticket.customer_id) == customer_id)
    if status is not None:
        stmt = stmt.where(col(Ticket.status) == status)
    async with rt.db.read() as session:
        return await keyset_page(
            session,
            stmt,
            keys=[
                SortKey(col(Ticket.created_at), descending=True),
                SortKey(col(Ticket.id), descending=True),
            ],
            row_key=lambda row: (row.created_at, row.id),
            first=first,
            after=after,
        )


async def create_ticket(
    rt: Runtime,
    *,
    customer_id: int,
    subject: str,
    message: str,
    order_id: int | None,
    subscription_id: int | None,
    actor: Actor,
    idempotency_key: str | None = None,
) -> Ticket:
    """Open a ticket with the customer's first message.

    `order_id` / `subscription_id`: None when not given; any id the customer does
    not own (0 for a malformed one) is NOT_FOUND.
    """

    async def work(session: AsyncSession) -> dict[str, Any]:
        await _require_support(session)
        # Every field at fault in one answer.
        errors = FieldErrors()
        clean_subject = body = ""
        with errors.check():
            clean_subject = _text(subject, field="subject", limit=SUBJECT_MAX)
        with errors.check():
            body = _text(message, field="message", limit=MESSAGE_MAX)
        if order_id is not None:
            owned = await session.scalar(
                select(col(Order.id)).where(
                    col(Order.id) == order_id, col(Order.customer_id) == customer_id
                )
            )
            if owned is None:
                errors.add(ErrorCode.NOT_FOUND, _("Order not found."), ["orderId"])
        if subscription_id is not None:
            owned = await session.scalar(
                select(col(Subscription.id)).where(
                    col(Subscription.id) == subscription_id,
                    col(Subscription.customer_id) == customer_id,
                )
            )
            if owned is None:
                errors.add(ErrorCode.NOT_FOUND, _("Subscription not found."), ["subscriptionId"])
        errors.raise_any()
        # Serialises a customer's ticket creation so the open-ticket cap holds on PostgreSQL.
        await session.execute(
            select(col(Customer.id)).where(col(Customer.id) == customer_id).with_for_update()
        )
        open_count = await session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(
                col(Ticket.customer_id) == customer_id,
                col(Ticket.status).in_(UNRESOLVED_TICKET_STATUSES),
            )
        )
        if (open_count or 0) >= MAX_OPEN_TICKETS:
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                _(
                    "You have {count} open tickets; close one before opening another.",
                    count=MAX_OPEN_TICKETS,
                ),
            )
        now = rt.clock.now()
        ticket = Ticket(
            customer_id=customer_id,
            # Placeholder until the id is known; replaced before the transaction ends.
            number=f"new-{uuid.uuid4().hex[:24]}",
            subject=clean_subject,
            status=TicketStatus.OPEN,
            order_id=order_id,
            subscription_id=subscription_id,
            created_at=now,
            updated_at=now,
        )
        session.add(ticket)
        await session.flush()
        assert ticket.id is not None
        ticket.number = f"T-{ticket.id:06d}"
        session.add(
            TicketMessage(
                ticket_id=ticket.id, author=TicketAuthor.CUSTOMER, body=body, created_at=now
            )
        )
        _event(
            session,
            Topic.TICKET_CREATED,
            ticket,
            actor,
            now,
            subject=clean_subject,
            order_id=order_id,
            subscription_id=subscription_id,
        )
        await session.flush()
        return {"ticket_id": ticket.id}

    request = {
        "subject": subject,
        "message": message,
        "order_id": order_id,
        "subscription_id": subscription_id,
    }
    result = await idempotency.run(
        rt,
        actor=actor,
        operation="createTicket",
        key=idempotency_key,
        request=request,
        work=work,
    )
    async with rt.db.read() as session:
        row = await session.get(Ticket, int(result["ticket_id"]))
    assert row is not None  # tickets are never deleted while their customer exists
    return row


async def _change_status(
    session: AsyncSession,
    *,
    customer_id: int,
    ticket_id: int | None,
    status: TicketStatus,
    now: Any,
    closed_message: str,
) -> Ticket:
    """Set the status unless the ticket is closed; NOT_FOUND / NOT_ALLOWED_IN_STATE otherwise.

    One conditional UPDATE, so a concurrent close cannot be overwritten by a reply.
    """
    if ticket_id is None:
        raise _ticket_not_found()
    mine = (col(Ticket.id) == ticket_id, col(Ticket.customer_id) == customer_id)
    changed = await session.scalar(
        update(Ticket)
        .where(*mine, col(Ticket.status) != TicketStatus.CLOSED)
        .values(status=status, updated_at=now)
        .returning(col(Ticket.id))
    )
    if changed is None:
        if await session.scalar(select(col(Ticket.id)).where(*mine)) is None:
            raise _ticket_not_found()
        raise ServiceError(ErrorCode.NOT_ALLOWED_IN_STATE, closed_message, ["ticketId"])
    ticket = await session.get(Ticket, ticket_id, populate_existing=True)
    assert ticket is not None
    return ticket


async def reply_to_ticket(
    rt: Runtime, *, customer_id: int, ticket_id: int | None, message: str, actor: Actor
) -> Ticket:
    """Add the customer's message; a ticket the support team answered is open again."""
    async with rt.db.transaction() as session:
        await _require_support(session)
        body = _text(message, field="message", limit=MESSAGE_MAX)
        now = rt.clock.now()
        ticket = await _change_status(
            session,
            customer_id=customer_id,
            ticket_id=ticket_id,
            status=TicketStatus.OPEN,
            now=now,
            closed_message="This ticket is closed; open a new one if you need more help.",
        )
        assert ticket.id is not None
        reply = TicketMessage(
            ticket_id=ticket.id, author=TicketAuthor.CUSTOMER, body=body, created_at=now
        )
        session.add(reply)
        await session.flush()
        _event(session, Topic.TICKET_REPLIED, ticket, actor, now, message_id=reply.id)
    return ticket


async def close_ticket(
    rt: Runtime, *, customer_id: int, ticket_id: int | None, actor: Actor
) -> Ticket:
    async with rt.db.transaction() as session:
        await _require_support(session)
        now = rt.clock.now()
        ticket = await _change_status(
            session,
            customer_id=customer_id,
            ticket_id=ticket_id,
            status=TicketStatus.CLOSED,
            now=now,
            closed_message="This ticket is already closed.",
        )
        _event(session, Topic.TICKET_CLOSED, ticket, actor, now)
    return ticket
