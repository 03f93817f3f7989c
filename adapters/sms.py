"""Outgoing SMS. Only US and Canadian numbers are ever sent to."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from adapters.errors import DeliveryError

log = logging.getLogger("sms")


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str


class SmsBackend(Protocol):
    async def send(self, sms: OutgoingSms) -> None: ...

    async def aclose(self) -> None:
        """Release connections; called once the process has sent its last message."""


class ConsoleSmsBackend:
    """Writes each message to the log (the development and test backend)."""

    def __init__(self) -> None:
        self.sent: deque[OutgoingSms] = deque(maxlen=100)

    async def send(self, sms: OutgoingSms) -> None:
        self.sent.append(sms)
        log.info("sms to %s: %s", sms.to, sms.body)

    async def aclose(self) -> None:
        pass


class DisabledSmsBackend:
    """Drops messages: for stores that log in by email only."""

    async def send(self, sms: OutgoingSms) -> None:
        log.debug("sms backend disabled; message to %s dropped", sms.to)

    async def aclose(self) -> None:
        pass


class SmsDeliveryError(DeliveryError):
    """The provider refused or could not be reached; the caller logs it."""


class HttpSmsBackend:
    """Posts to a Twilio-style messages endpoint: form fields To, From and Body,
    HTTP Basic auth from the URL's user and password.

    Twilio, SignalWire and most providers' compatibility endpoints accept this;
    e.g. SMS_URL=https://ACxxx:token@api.twilio.com/2010-04-01/Accounts/ACxxx/Messages.json
    """

    def __init__(self, url: str, sender: str, *, timeout: float = 10) -> None:
        parts = urlsplit(url)
        self.auth = (
            (unquote(parts.username or ""), unquote(parts.password or ""))
            if parts.username
            else None
        )
        # The credentials travel in the Authorization header, never in the URL.
        netloc = parts.hostname or ""
        if parts.port:
            netloc = f"{netloc}:{parts.port}"
        self.url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        self.sender = sender
        # The whole request, not each step: a provider trickling its answer
        # cannot hold a delivery longer than this.
        self.timeout = timeout
        # One client for the process: building one loads the CA bundle (milliseconds
        # of CPU), and its pool keeps the provider's connection open between messages.
        self._client: httpx.AsyncClient | None = None

    async def send(self, sms: OutgoingSms) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, auth=self.auth)
        try:
            async with asyncio.timeout(self.timeout):
                response = await self._client.post(
                    self.url, data={"To": sms.to, "From": self.sender, "Body": sms.body}
                )
        except TimeoutError as error:
            raise SmsDeliveryError(
                f"SMS provider gave no answer within {self.timeout:g} s"
            ) from error
        except httpx.HTTPError as error:
            raise SmsDeliveryError(f"SMS provider unreachable: {error!r}") from error
        if response.status_code >= 300:
            raise SmsDeliveryError(
                f"SMS provider answered {response.status_code}: {response.text[:300]}"
            )

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
