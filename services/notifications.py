"""Notifications: the outbox's events told to their customers, each once, by any number of workers.

Three steps, so no transaction is open while SMTP or the SMS provider is called:

1. **Claim** (one short transaction, a batch): events not yet notified whose lease is
   free or expired, locked FOR UPDATE SKIP LOCKED so workers share them. Each gets a
   random claim and a lease (`NOTIFICATION_LEASE`). Events of topics nothing tells the
   customer about are marked notified there and then; `delivered_at` stays for the
   merchant's webhooks, so no event is lost to them.
2. **Send**: one short transaction reads what the message shows and issues its
   single-use sign-in link (`auth.login.issue_magic_link`); then, outside it, the email.
3. **Mark** the event notified, on its claim only, right after the email: a worker whose
   lease expired (it was presumed dead) cannot mark what another worker now holds.

A worker that dies between sending and marking leaves the claim to expire; the next one
sends the email again. That window (one UPDATE after SMTP's reply) is the only way a
customer gets an email twice. The SMS goes after the mark, so it is sent at most once.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from adapters.errors import DeliveryError
from adapters.mail import OutgoingEmail, render_template
from adapters.sms import OutgoingSms
from auth.login import issue_magic_link
from domain.i18n import first_offered, localize
from domain.topics import Topic
from domain.validation import parse_phone
from models.customer import Customer
from models.events import OutboxEvent
from models.shop import SHOP_ID, Shop
from plumbing.runtime import Runtime
from services.notification_messages import KINDS, format_day

log = logging.getLogger("worker")
# Claims of one event before it is given up (an address that bounces every time).
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class NotificationClaim:
    event_id: int
    topic: Topic
    customer_id: int | None
    payload: dict[str, Any]
    claim: str
    until: datetime


@dataclass(frozen=True)
class Notified:
    """One event's outcome: `sent`, `nothing_to_send`, `no_notification` (a topic without
    one), `failed` (retried once its lease expires), `given_up`, `lease_expired` (not sent:
    held too long), or `sent_lease_lost` (sent, but the lease ran out during the send)."""

    event_id: int
    topic: str
    outcome: str


@dataclass(frozen=True)
class Message:
    email: OutgoingEmail
    sms: OutgoingSms | None


async def claim_events(rt: Runtime, batch: int) -> tuple[list[NotificationClaim], list[Notified]]:
    """Step 1: up to `batch` events claimed, and those settled without sending."""
    now = rt.clock.now()
    token = uuid.uuid4().hex
    until = now + timedelta(seconds=rt.settings.notification_lease)
    events = OutboxEvent.__table__  # type: ignore[attr-defined]
    async with rt.db.transaction() as session:
        rows = (
            await session.execute(
                select(events.c.id, events.c.topic, events.c.customer_id, events.c.payload)
                .add_columns(events.c.notify_attempts)
                .where(
                    events.c.notified_at.is_(None),
                    or_(
                        events.c.notify_claimed_until.is_(None),
                        events.c.notify_claimed_until <= now,
                    ),
                )
                .order_by(events.c.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            )
        ).all()
        settled = [
            Notified(row.id, row.topic, "no_notification")
            for row in rows
            if row.topic not in KINDS or row.customer_id is None
        ]
        settled += [
            Notified(row.id, row.topic, "given_up")
            for row in rows
            if row.topic in KINDS and row.customer_id and row.notify_attempts >= MAX_ATTEMPTS
        ]
        done = {item.event_id for item in settled}
        claims = [
            NotificationClaim(row.id, row.topic, row.customer_id, row.payload, token, until)
            for row in rows
            if row.id not in done
        ]
        if done:
            await session.execute(
                update(events).where(events.c.id.in_(done)).values(notified_at=now)
            )
        if claims:
            await session.execute(
                update(events)
                .where(events.c.id.in_([c.event_id for c in claims]))
                .values(
                    notify_claim=token,
                    notify_claimed_until=until,
                    notify_attempts=events.c.notify_attempts + 1,
                )
            )
    return claims, settled


def _sms_to(customer: Customer) -> str | None:
    """The customer's number, when they agreed to texts and it can receive ours (US/CA)."""
    if not customer.marketing_sms or not customer.phone:
        return None
    parsed = parse_phone(customer.phone)
    return parsed.e164 if parsed.sms_capable else None


async def _compose(rt: Runtime, session: AsyncSession, claim: NotificationClaim) -> Message | None:
    kind = KINDS[claim.topic]
    customer = await session.get(Customer, claim.customer_id)
    if customer is None:
        return None
    assert customer.id is not None
    facts = await kind.build(session, customer.id, claim.payload)
    if facts is None:
        return None
    shop = await session.get(Shop, SHOP_ID)
    shop_name = shop.name if shop else "our store"
    language = first_offered(customer.language, shop.locale if shop else None)
    shown = {k: format_day(v, language) if isinstance(v, date) else v for k, v in facts.items()}
    link = await issue_magic_link(rt, session, email=customer.email)
    context = {"shop_name": shop_name, "first_name": customer.first_name, "magic_link": link}
    email = render_template(customer.email, kind.template, language, **context, **shown)
    sms = None
    number = _sms_to(customer)
    if kind.sms is not None and number is not None:
        text = localize(kind.sms.msgid, language)
        sms = OutgoingSms(
            to=number,
            body=text.format(shop_name=shop_name, link=link, day=shown.get("next_order_date")),
        )
    return Message(email, sms)


async def _mark(rt: Runtime, claim: NotificationClaim) -> bool:
    """Step 3: notified, if the claim is still ours."""
    async with rt.db.transaction() as session:
        marked = await session.execute(
            update(OutboxEvent)
            .where(
                col(OutboxEvent.id) == claim.event_id,
                col(OutboxEvent.notify_claim) == claim.claim,
                col(OutboxEvent.notified_at).is_(None),
            )
            .values(notified_at=rt.clock.now(), notify_claim=None)
            .execution_options(synchronize_session=False)
        )
    return bool(marked.rowcount == 1)  # type: ignore[attr-defined]


async def notify(rt: Runtime, claim: NotificationClaim) -> Notified:
    """Steps 2 and 3 for one claimed event."""

    def outcome(name: str) -> Notified:
        return Notified(claim.event_id, claim.topic.value, name)

    async with rt.db.transaction() as session:
        message = await _compose(rt, session, claim)
    if message is None:
        await _mark(rt, claim)
        return outcome("nothing_to_send")
    if rt.clock.now() >= claim.until:
        # Held too long (a stalled process): another worker may have it now.
        return outcome("lease_expired")
    try:
        await rt.mailer.send(message.email)
    except DeliveryError as error:
        # Left claimed: the next pass after the lease sends it again.
        log.error("notification email failed: %s", error)
        return outcome("failed")
    kept = await _mark(rt, claim)
    if message.sms is not None:
        try:
            await rt.sms.send(message.sms)
        except DeliveryError as error:
            log.error("notification SMS failed: %s", error)
    return outcome("sent" if kept else "sent_lease_lost")


async def oldest_unnotified(rt: Runtime) -> tuple[datetime | None, int]:
    """When the oldest event not yet looked at was written, and how many wait."""
    events = OutboxEvent.__table__  # type: ignore[attr-defined]
    async with rt.db.read() as session:
        oldest, count = (
            await session.execute(
                select(func.min(events.c.created_at), func.count()).where(
                    events.c.notified_at.is_(None)
                )
            )
        ).one()
    return oldest, int(count)
