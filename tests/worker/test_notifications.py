"""Notifications sent once by racing workers, a dead worker's lease taken over, no event lost."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from adapters.clock import ManualClock
from adapters.mail import SmtpEmailBackend
from adapters.sms import ConsoleSmsBackend
from app.worker import run_once
from domain.actors import Actor
from domain.topics import Topic
from models.events import OutboxEvent
from models.ticket import TicketMessage
from plumbing import outbox
from plumbing.runtime import Runtime
from services.notifications import MAX_ATTEMPTS, claim_events, notify
from tests import factories
from tests.smtp import SmtpServer, link_token_in, text_part
from tests.worker.support import set_card_reference

WORKERS = 4 if os.environ.get("TEST_DATABASE_URL") else 2
EVENTS = 40


@pytest.fixture
def settings_overrides() -> dict[str, object]:
    # Small batches, so racing workers take turns over many claims.
    return {"worker_batch_size": 5}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailer(smtp: SmtpServer) -> SmtpEmailBackend:  # replaces the console backend
    return SmtpEmailBackend("Test Store <store@example.com>", smtp.url, timeout=5)


async def _event(rt: Runtime, topic: Topic, customer_id: int, **payload: object) -> int:
    async with rt.db.transaction() as session:
        event = outbox.record(
            session,
            topic=topic,
            actor=Actor.system("test"),
            customer_id=customer_id,
            payload=dict(payload),
            now=rt.clock.now(),
        )
        await session.flush()
        assert event.id is not None
        return event.id


async def _message_ids(rt: Runtime, ticket_id: int) -> list[int]:
    async with rt.db.read() as session:
        rows = await session.scalars(
            select(TicketMessage.id)
            .where(col(TicketMessage.ticket_id) == ticket_id)
            .order_by(col(TicketMessage.id))
        )
        return [row for row in rows if row is not None]


async def _events(rt: Runtime) -> list[OutboxEvent]:
    async with rt.db.read() as session:
        return list(await session.scalars(select(OutboxEvent).order_by(col(OutboxEvent.id))))


async def test_racing_workers_send_each_notification_once(rt: Runtime, smtp: SmtpServer) -> None:
    # given: 40 cancelled orders to tell 40 customers about
    for n in range(EVENTS):
        who = await factories.customer(rt, email=f"race{n}@example.com")
        assert who.id is not None
        await _event(rt, Topic.ORDER_CANCELLED, who.id, order_id=n, number=f"#{1000 + n}")

    # when: two workers (four on PostgreSQL) run at once
    await asyncio.gather(*(run_once(rt) for _ in range(WORKERS)))

    # then: one email per customer, every event notified
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        f"race{n}@example.com" for n in range(EVENTS)
    )
    events = await _events(rt)
    assert all(e.notified_at is not None for e in events)
    assert all(e.notify_attempts == 1 for e in events)


async def test_a_claim_whose_lease_expired_is_sent_by_the_next_worker(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer
) -> None:
    # given: a worker claimed the event, then died before sending it
    who = await factories.customer(rt, email="lease@example.com")
    assert who.id is not None
    await _event(rt, Topic.ORDER_CANCELLED, who.id, order_id=1, number="#1001")
    [dead], _ = await claim_events(rt, 5)

    # when: another worker runs while the lease holds, then after it ran out
    await run_once(rt)
    held = list(smtp.messages)
    clock.advance(seconds=rt.settings.notification_lease)
    await run_once(rt)

    # then: nothing while held; once after; the stalled worker, waking, sends nothing
    assert held == []
    [message] = await smtp.wait_for("lease@example.com")
    assert "#1001" in message["Subject"]
    late = await notify(rt, dead)
    assert late.outcome == "lease_expired"
    [event] = await _events(rt)
    assert event.notified_at is not None
    assert event.notify_attempts == 2
    assert len(smtp.messages) == 1


async def test_an_event_no_notification_needs_is_kept_for_the_merchant_side(
    rt: Runtime, smtp: SmtpServer
) -> None:
    # given: a skip (no email) and a customer's own ticket reply (no email either)
    who = await factories.customer(rt, email="quiet@example.com")
    assert who.id is not None
    ticket = await factories.ticket(rt, who)
    await _event(rt, Topic.SUBSCRIPTION_SKIPPED, who.id, subscription_id=1)
    [own] = await _message_ids(rt, ticket.id)
    await _event(rt, Topic.TICKET_REPLIED, who.id, ticket_id=ticket.id, message_id=own)

    await run_once(rt)

    # then: no email; both events are still there, notified, planned for webhooks
    assert smtp.messages == []
    events = await _events(rt)
    assert [e.topic for e in events] == [Topic.SUBSCRIPTION_SKIPPED, Topic.TICKET_REPLIED]
    # (the webhooks job planned them too: notifications never take an event from it)
    assert all(e.notified_at is not None and e.webhooks_planned_at is not None for e in events)
    assert [e.payload["subscription_id"] for e in events[:1]] == [1]


async def test_an_agents_reply_is_emailed_with_a_link_back(rt: Runtime, smtp: SmtpServer) -> None:
    who = await factories.customer(rt, email="asked@example.com")
    assert who.id is not None
    ticket = await factories.ticket(
        rt, who, messages=[("CUSTOMER", "Where is it?"), ("AGENT", "On its way, see you soon.")]
    )
    _, agent = await _message_ids(rt, ticket.id)
    await _event(rt, Topic.TICKET_REPLIED, who.id, ticket_id=ticket.id, message_id=agent)

    await run_once(rt)

    [message] = await smtp.wait_for("asked@example.com")
    assert message["Subject"] == f"New reply on your request {ticket.number}"
    assert "On its way, see you soon." in text_part(message)
    assert link_token_in(message)


async def test_a_declined_card_is_emailed_and_texted_with_a_link_to_update_it(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer, sms: ConsoleSmsBackend
) -> None:
    who = await factories.customer(
        rt, email="declined@example.com", phone="+16475550100", marketing_sms=True
    )
    card = await factories.payment_method(rt, who)
    await set_card_reference(rt, card, "card_test_declines_1")
    await factories.subscription(rt, who, next_order_date=clock.now().date(), payment_method=card)

    await run_once(rt)

    [message] = await smtp.wait_for("declined@example.com")
    assert message["Subject"] == "Your payment to Test Store was declined"
    body = text_part(message)
    retry = clock.now().date() + timedelta(days=1)
    assert f"We will try again on {retry:%B} {retry.day}, {retry.year}." in body
    assert "Update my card:" in body
    [text] = list(sms.sent)
    assert text.to == "+16475550100"
    assert f"/auth/magic-link?token={link_token_in(message)}" in text.body


async def test_the_merchants_notice_days_win_and_a_moved_date_is_not_announced(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer
) -> None:
    # given: the merchant announces orders 5 days ahead
    await factories.set_flags(rt, upcoming_order_notice_days=5)
    today = clock.now().date()
    five = await factories.customer(rt, email="five@example.com")
    three = await factories.customer(rt, email="three@example.com")
    await factories.subscription(rt, five, next_order_date=today + timedelta(days=5))
    await factories.subscription(rt, three, next_order_date=today + timedelta(days=3))

    await run_once(rt)

    assert [m["To"] for m in smtp.messages] == ["five@example.com"]


async def _refuse(server: object, session: object, envelope: object) -> str:
    return "554 Transaction failed"


def _refusing(smtp: SmtpServer, refuse: bool) -> None:
    """The real server answers every message with a permanent refusal, or accepts again."""
    if refuse:
        smtp.inbox.handle_DATA = _refuse  # type: ignore[method-assign]
    else:
        del smtp.inbox.handle_DATA


async def test_a_refused_email_is_retried_after_its_lease_then_given_up(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer
) -> None:
    # given: an event to send, and the SMTP server refusing mail
    who = await factories.customer(rt, email="bounce@example.com")
    assert who.id is not None
    await _event(rt, Topic.ORDER_CANCELLED, who.id, order_id=1, number="#1001")
    _refusing(smtp, True)

    # when: a pass fails, and the next pass within the lease leaves it alone
    await run_once(rt)
    await run_once(rt)
    [event] = await _events(rt)
    assert (event.notified_at, event.notify_attempts) == (None, 1)

    # then: after the lease it is tried again, until MAX_ATTEMPTS claims, then given up
    for _ in range(MAX_ATTEMPTS):
        clock.advance(seconds=rt.settings.notification_lease)
        await run_once(rt)
    [event] = await _events(rt)
    assert event.notify_attempts == MAX_ATTEMPTS
    assert event.notified_at is not None
    assert event.webhooks_planned_at is not None
    assert smtp.messages == []


async def test_a_refused_email_is_sent_once_the_server_is_back(
    rt: Runtime, clock: ManualClock, smtp: SmtpServer
) -> None:
    who = await factories.customer(rt, email="later@example.com")
    assert who.id is not None
    await _event(rt, Topic.ORDER_CANCELLED, who.id, order_id=1, number="#1001")
    _refusing(smtp, True)
    await run_once(rt)

    _refusing(smtp, False)
    clock.advance(seconds=rt.settings.notification_lease)
    await run_once(rt)

    [message] = await smtp.wait_for("later@example.com")
    assert "#1001" in message["Subject"]
    [event] = await _events(rt)
    assert (event.notified_at is not None, event.notify_attempts) == (True, 2)
