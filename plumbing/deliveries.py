"""Messages sent once the request that caused them has been answered.

A service that sends a code (login, email change) commits, then hands back
`Delivery` jobs instead of sending: the caller queues them on its request
context, and the app passes them to the process's `Courier` after the response
is written. So no reply waits for SMTP or an SMS provider (a slow or dead one
cannot slow logins), and no reply's timing tells whether a message was sent at
all, which would reveal whether an address or number has an account.

A job holds what it sends (a code's plaintext included) in memory only, until
it has run. The courier runs at most `limit` jobs at a time, logs a failure
as one line, and is drained when the process stops, so no accepted delivery
is dropped by a graceful shutdown.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from adapters.errors import DeliveryError
from adapters.mail import EmailBackend, render_template
from adapters.sms import OutgoingSms, SmsBackend

log = logging.getLogger("deliveries")


@dataclass(frozen=True)
class Delivery:
    """One message to send: what it is (for the log, never its content) and how."""

    kind: str
    send: Callable[[], Awaitable[None]]


class Courier:
    def __init__(self, *, limit: int) -> None:
        self._slots = asyncio.BoundedSemaphore(limit)
        self._running: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        """Jobs accepted and not yet finished (running or waiting for a slot)."""
        return len(self._running)

    def dispatch(
        self, deliveries: Iterable[Delivery], *, context: contextvars.Context | None = None
    ) -> None:
        """Start each job in the background; `context` (e.g. carrying the request id
        for the log) is the one the jobs run in."""
        for delivery in deliveries:
            task = asyncio.get_running_loop().create_task(self._run(delivery), context=context)
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _run(self, delivery: Delivery) -> None:
        async with self._slots:
            try:
                await delivery.send()
            except DeliveryError as error:
                # The outside world failing is expected: one line, no traceback.
                log.error("%s delivery failed: %s", delivery.kind, error)
            except Exception:
                # Anything else is a fault in this code: in full.
                log.exception("%s delivery failed", delivery.kind)

    async def drain(self) -> None:
        """Wait for every accepted job, those accepted meanwhile included."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)


def email_delivery(
    mailer: EmailBackend, *, to: str, template: str, language: str | None, **context: Any
) -> Delivery:
    """The email `template` makes, rendered when it is sent (after the reply)."""

    async def send() -> None:
        await mailer.send(render_template(to, template, language, **context))

    return Delivery(f"email ({template})", send)


def sms_delivery(sms: SmsBackend, *, to: str, body: str, kind: str) -> Delivery:
    async def send() -> None:
        await sms.send(OutgoingSms(to=to, body=body))

    return Delivery(f"sms ({kind})", send)
