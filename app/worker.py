"""The worker: fixed pauses ended, getNow orders recovered, due subscriptions renewed,
customers notified, webhooks delivered, in a loop or once.

`python -m app worker` polls every WORKER_POLL_INTERVAL seconds; SIGTERM (or
SIGINT) lets the job in hand finish, then it exits 0. `--once` runs every job
until nothing is due and exits (cron, tests). `--check` prints the oldest due
item's age (renewals, fixed pauses, webhooks) as JSON and exits 1 when it is
older than WORKER_MAX_LAG.

Each job logs one JSON line: `job`, `job_id`, `outcome` (app/logs.py). Several
workers may run at once against PostgreSQL (rows are claimed with FOR UPDATE
SKIP LOCKED, see services/renewals.py); on SQLite run one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import uuid
from typing import Any

from plumbing.runtime import Runtime
from services.early_orders import oldest_stale, recover_stale
from services.notifications import claim_events, notify, oldest_unnotified
from services.renewal_outcomes import Outcome
from services.renewals import WORKER, claim_due, oldest_due_age, renew
from services.subscription_lifecycle import end_fixed_pauses
from services.upcoming_orders import announce_upcoming
from services.webhook_delivery import (
    Delivered,
    DeliveryClaim,
    claim_deliveries,
    deliver,
    plan_events,
)
from services.webhook_state import oldest_pending_age

log = logging.getLogger("worker")
# A bound on batches per pass, so a pass always ends and SIGTERM is heard.
MAX_BATCHES = 1_000
# Webhook POSTs in flight at once: a batch of slow receivers still ends well within
# WEBHOOK_LEASE (batch / WEBHOOK_CONCURRENCY * WEBHOOK_TIMEOUT).
WEBHOOK_CONCURRENCY = 8


def _job_line(job: str, job_id: str, outcome: str, **fields: Any) -> None:
    log.info(
        "%s %s", job, outcome, extra={"job": job, "job_id": job_id, "outcome": outcome, **fields}
    )


def _renewal_line(done: Outcome) -> None:
    fields: dict[str, Any] = {"subscription_id": done.subscription_id}
    if done.order_id is not None:
        fields["order_id"] = done.order_id
    if done.retry_on is not None:
        fields["retry_on"] = done.retry_on.isoformat()
    _job_line("renewal", done.job_id, done.outcome, **fields)


async def _end_pauses(rt: Runtime, batch: int) -> int:
    total = 0
    for _ in range(MAX_BATCHES):
        resumed = await end_fixed_pauses(rt, actor=WORKER, batch=batch)
        total += resumed
        if resumed < batch:
            break
    _job_line("end_fixed_pauses", uuid.uuid4().hex[:12], "done", count=total)
    return total


async def _early_orders(rt: Runtime, batch: int, stop: asyncio.Event) -> None:
    """getNow orders whose request died between charge and commit, finished."""
    for _ in range(MAX_BATCHES):
        recovered = await recover_stale(rt, batch)
        for done in recovered:
            fields: dict[str, Any] = {"subscription_id": done.subscription_id}
            if done.order_id is not None:
                fields["order_id"] = done.order_id
            _job_line("early_order", done.job_id, done.outcome, **fields)
        if len(recovered) < batch or stop.is_set():
            break


async def _renewals(rt: Runtime, batch: int, stop: asyncio.Event) -> list[Outcome]:
    done: list[Outcome] = []
    for _ in range(MAX_BATCHES):
        claimed = await claim_due(rt, batch)
        for item in claimed:
            if isinstance(item, Outcome):
                outcome = item
            else:
                try:
                    outcome = await renew(rt, item)
                except Exception:
                    # Left CHARGING: the next run after the stale delay reconciles it.
                    log.exception(
                        "renewal failed",
                        extra={"job": "renewal", "job_id": item.gateway_key, "outcome": "failed"},
                    )
                    continue
            _renewal_line(outcome)
            done.append(outcome)
        if len(claimed) < batch or stop.is_set():
            break
    return done


async def _announce_upcoming(rt: Runtime, batch: int) -> int:
    total = 0
    for _ in range(MAX_BATCHES):
        announced = await announce_upcoming(rt, batch)
        total += announced
        if announced < batch:
            break
    _job_line("upcoming_orders", uuid.uuid4().hex[:12], "done", count=total)
    return total


async def _notifications(rt: Runtime, batch: int, stop: asyncio.Event) -> None:
    for _ in range(MAX_BATCHES):
        claims, settled = await claim_events(rt, batch)
        for item in settled:
            _job_line("notification", f"event:{item.event_id}", item.outcome, topic=item.topic)
        for claim in claims:
            job_id = f"event:{claim.event_id}"
            try:
                done = await notify(rt, claim)
            except Exception:
                # Left claimed: sent by the next pass once its lease expires.
                log.exception(
                    "notification failed",
                    extra={"job": "notification", "job_id": job_id, "outcome": "failed"},
                )
                continue
            _job_line("notification", job_id, done.outcome, topic=done.topic)
        if len(claims) + len(settled) < batch or stop.is_set():
            break


def _webhook_line(done: Delivered) -> None:
    claim, response = done.claim, done.response
    fields: dict[str, Any] = {
        "topic": claim.topic,
        "event_id": claim.event_id,
        "endpoint_id": claim.endpoint_id,
        "attempt": claim.attempt,
    }
    if response is not None:
        fields.update(status_code=response.status_code, duration_ms=response.duration_ms)
        if response.error:
            fields["error"] = response.error
    _job_line("webhook", f"delivery:{claim.delivery_id}", done.outcome, **fields)


async def _deliver_one(rt: Runtime, claim: DeliveryClaim, slots: asyncio.Semaphore) -> None:
    async with slots:
        try:
            done = await deliver(rt, claim)
        except Exception:
            # Left claimed: sent again by the next pass once its lease expires.
            log.exception(
                "webhook failed",
                extra={
                    "job": "webhook",
                    "job_id": f"delivery:{claim.delivery_id}",
                    "outcome": "failed",
                },
            )
            return
    _webhook_line(done)


async def _webhooks(rt: Runtime, batch: int, stop: asyncio.Event) -> None:
    for _ in range(MAX_BATCHES):
        if await plan_events(rt, batch) < batch or stop.is_set():
            break
    slots = asyncio.Semaphore(WEBHOOK_CONCURRENCY)
    # Until nothing is claimable: a customer's next event becomes claimable only once
    # the one before it is done, so a short batch does not mean the end.
    for _ in range(MAX_BATCHES):
        claims = await claim_deliveries(rt, batch)
        await asyncio.gather(*(_deliver_one(rt, claim, slots) for claim in claims))
        if not claims or stop.is_set():
            break


async def run_once(rt: Runtime, stop: asyncio.Event | None = None) -> list[Outcome]:
    """Every job once, until nothing is due (or `stop` is set between jobs)."""
    stop = stop or asyncio.Event()
    batch = rt.settings.worker_batch_size
    # Pauses first: a pause ending today makes its subscription due today.
    await _end_pauses(rt, batch)
    if stop.is_set():
        return []
    # Before renewals: a recovered early order restarts its subscription's schedule.
    await _early_orders(rt, batch, stop)
    if stop.is_set():
        return []
    renewed = await _renewals(rt, batch, stop)
    # After renewals, so this pass's orders and declines are told at once.
    if not stop.is_set():
        await _announce_upcoming(rt, batch)
    if not stop.is_set():
        await _notifications(rt, batch, stop)
    # Last, so events this pass wrote (orders placed, declines) go out in it.
    if not stop.is_set():
        await _webhooks(rt, batch, stop)
    return renewed


async def run_forever(rt: Runtime, stop: asyncio.Event) -> None:
    """Pass after pass until `stop` is set; a failed pass is logged and retried."""
    while not stop.is_set():
        try:
            await run_once(rt, stop)
        except Exception:
            log.exception("worker pass failed", extra={"job": "pass", "outcome": "failed"})
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=rt.settings.worker_poll_interval)


async def check(rt: Runtime) -> tuple[dict[str, Any], bool]:
    """The oldest due item's age, and whether it is within WORKER_MAX_LAG.

    Due items: renewals and fixed pauses whose day has come, getNow claims left by a
    dead request past their recovery delay, outbox events not yet looked at for a
    notification, and webhook deliveries due.
    """
    now = rt.clock.now()
    renewal_age, renewals = await oldest_due_age(rt)
    stale_since, stale = await oldest_stale(rt)
    waiting_since, waiting = await oldest_unnotified(rt)
    webhooks_age, webhooks = await oldest_pending_age(rt)
    ages = [renewal_age, webhooks_age] + [
        max((now - since).total_seconds(), 0.0) for since in (stale_since, waiting_since) if since
    ]
    known = [age for age in ages if age is not None]
    age = max(known) if known else None
    limit = rt.settings.worker_max_lag
    healthy = age is None or age <= limit
    report = {
        "oldest_due_age_seconds": None if age is None else round(age),
        "due": renewals + stale + waiting + webhooks,
        "due_by_job": {
            "renewals_and_pauses": renewals,
            "early_orders": stale,
            "notifications": waiting,
            "webhooks": webhooks,
        },
        "max_lag_seconds": limit,
        "ok": healthy,
    }
    return report, healthy


async def serve_worker(rt: Runtime) -> None:
    """The loop of `python -m app worker`, stopping cleanly on SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("worker started")
    await run_forever(rt, stop)
    log.info("worker stopped")
