"""Outgoing SMS. Only US and Canadian numbers are ever sent to."""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol

log = logging.getLogger("sms")


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str


class SmsBackend(Protocol):
    async def send(self, sms: OutgoingSms) -> None: ...


class ConsoleSmsBackend:
    """Writes each message to the log (the development and test backend)."""

    def __init__(self) -> None:
        self.sent: deque[OutgoingSms] = deque(maxlen=100)

    async def send(self, sms: OutgoingSms) -> None:
        self.sent.append(sms)
        log.info("sms to %s: %s", sms.to, sms.body)


class DisabledSmsBackend:
    """Drops messages: for stores that log in by email only."""

    async def send(self, sms: OutgoingSms) -> None:
        log.debug("sms backend disabled; message to %s dropped", sms.to)
