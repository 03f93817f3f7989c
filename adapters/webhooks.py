"""Webhook POSTs, signed per the Standard Webhooks specification (standardwebhooks).

Every answer comes back as a `WebhookResponse`, never an exception: a timeout, a
refused connection and a 500 are all one failed attempt for the delivery log.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

# Enough of a receiver's answer to tell what went wrong; the rest is not read.
EXCERPT_BYTES = 1_000
USER_AGENT = "customer-account-api-webhooks/1"


@dataclass(frozen=True)
class WebhookResponse:
    # None when no answer came (timeout, connection refused or reset).
    status_code: int | None
    duration_ms: int
    error: str | None = None
    excerpt: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(secret: str, msg_id: str, body: bytes, sent_at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for `body`."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, sent_at, body),
    }


class WebhookSender:
    def __init__(self, *, timeout: float) -> None:
        # The whole POST, not each step: a receiver trickling its answer cannot hold a
        # worker longer than this.
        self.timeout = timeout
        # One client for the process: its pool keeps receivers' connections open.
        self._client: httpx.AsyncClient | None = None

    async def post(self, url: str, *, secret: str, msg_id: str, body: bytes) -> WebhookResponse:
        if self._client is None:
            # Redirects are not followed: a receiver moves by updating its endpoint.
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        # The wall clock, not the scheduling clock: receivers refuse a timestamp more
        # than a few minutes from their own time (replay protection).
        sent_at = datetime.now(UTC)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signed_headers(secret, msg_id, body, sent_at),
        }
        started = time.monotonic()

        def elapsed() -> int:
            return round((time.monotonic() - started) * 1000)

        try:
            async with asyncio.timeout(self.timeout):
                async with self._client.stream("POST", url, content=body, headers=headers) as r:
                    excerpt = bytearray()
                    async for chunk in r.aiter_bytes():
                        excerpt += chunk
                        if len(excerpt) >= EXCERPT_BYTES:
                            break
        except TimeoutError:
            return WebhookResponse(None, elapsed(), f"no answer within {self.timeout:g} s")
        except httpx.HTTPError as failure:
            return WebhookResponse(None, elapsed(), f"{type(failure).__name__}: {failure}"[:500])
        text = excerpt[:EXCERPT_BYTES].decode("utf-8", errors="replace") or None
        refused = None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"
        return WebhookResponse(r.status_code, elapsed(), refused, text)

    async def aclose(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()
