"""What each outbox topic tells the customer: its template, the facts it shows, its SMS.

A builder reads what the message needs, in the transaction that issues its sign-in
link, and answers None when there is nothing to say any more (a ticket reply written
by the customer, an upcoming order whose date has since moved).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from domain.i18n import Message, _
from domain.statuses import SubscriptionStatus, TicketAuthor
from domain.topics import Topic
from models.subscription import Subscription
from models.ticket import Ticket, TicketMessage

Facts = dict[str, Any]
Builder = Callable[[AsyncSession, int, dict[str, Any]], Awaitable[Facts | None]]


def format_day(day: date, language: str) -> str:
    """The day as the language writes it in full: "November 24, 2026", "24 novembre 2026"."""
    return format_date(day, "long", locale=Locale.parse(language, sep="-"))


@dataclass(frozen=True)
class Kind:
    """One notification: its template and builder, and its SMS text (if it has one),
    translated from the catalogs with `{shop_name}`, `{day}` and `{link}` filled in."""

    template: str
    build: Builder
    sms: Message | None = None


async def _subscription(
    session: AsyncSession, customer_id: int, payload: dict[str, Any]
) -> Subscription | None:
    sub = await session.get(Subscription, payload.get("subscription_id"))
    return sub if sub is not None and sub.customer_id == customer_id else None


async def _created(
    session: AsyncSession, customer_id: int, payload: dict[str, Any]
) -> Facts | None:
    sub = await _subscription(session, customer_id, payload)
    if sub is None:
        return None
    return {"next_order_date": sub.next_order_date}


async def _upcoming(
    session: AsyncSession, customer_id: int, payload: dict[str, Any]
) -> Facts | None:
    sub = await _subscription(session, customer_id, payload)
    order_date = date.fromisoformat(payload["order_date"])
    # Moved, skipped, paused or cancelled since it was announced: the news is stale.
    if sub is None or sub.status is not SubscriptionStatus.ACTIVE:
        return None
    if sub.next_order_date != order_date:
        return None
    return {"next_order_date": order_date}


async def _order_placed(
    session: AsyncSession, customer_id: int, payload: dict[str, Any]
) -> Facts | None:
    sub = await _subscription(session, customer_id, payload)
    if sub is None or "number" not in payload:
        return None
    return {
        "order_number": payload["number"],
        "total": f"{payload.get('total', '')} {sub.currency_code}".strip(),
        "next_order_date": sub.next_order_date,
    }


async def _declined(
    session: AsyncSession, customer_id: int, payload: dict[str, Any]
) -> Facts | None:
    sub = await _subscription(session, customer_id, payload)
    if sub is None:
        return None
    retry = payload.get("retry_on")
    return {
        "retry_on": date.fromisoformat(retry) if retry else None,
        "past_due": sub.status is SubscriptionStatus.PAST_DUE,
    }


async def _order_cancelled(
    session: AsyncSession, customer_id: int, payload: dict[str, Any]
) -> Facts | None:
    if "number" not in payload:
        return None
    return {"order_number": payload["number"]}


async def _ticket_replied(
    session: AsyncSession, customer_id: int, payload: dict[str, Any]
) -> Facts | None:
    # The event is written for every reply; only the support team's is news to the customer.
    message = await session.get(TicketMessage, payload.get("message_id"))
    if message is None or message.author is not TicketAuthor.AGENT:
        return None
    ticket = await session.get(Ticket, message.ticket_id)
    if ticket is None or ticket.customer_id != customer_id:
        return None
    return {"ticket_number": ticket.number, "ticket_subject": ticket.subject, "reply": message.body}


KINDS: dict[Topic, Kind] = {
    Topic.SUBSCRIPTION_CREATED: Kind("subscription_created", _created),
    Topic.SUBSCRIPTION_UPCOMING_ORDER: Kind(
        "upcoming_order",
        _upcoming,
        sms=_("{shop_name}: your next order is on {day}. Change or skip it: {link}"),
    ),
    Topic.SUBSCRIPTION_ORDER_PLACED: Kind("order_placed", _order_placed),
    Topic.SUBSCRIPTION_PAYMENT_DECLINED: Kind(
        "payment_declined",
        _declined,
        sms=_("{shop_name}: your card was declined for your subscription. Update it: {link}"),
    ),
    Topic.ORDER_CANCELLED: Kind("order_cancelled", _order_cancelled),
    Topic.TICKET_REPLIED: Kind("ticket_replied", _ticket_replied),
}
KINDS[Topic.SUBSCRIPTION_PAST_DUE] = KINDS[Topic.SUBSCRIPTION_PAYMENT_DECLINED]
