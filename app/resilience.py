"""Each request's database scope and deadline, and the 503 when the database is out of reach.

Without it an unreachable database showed as a 500 text page (the session check
fails before GraphQL runs), as a 200 with `INTERNAL_SERVER_ERROR` (a resolver
failed), or as a hang; a client or load balancer could not tell "retry shortly"
from "broken". Now all of them are one JSON 503 with `Retry-After`.
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.availability import DatabaseUnavailable, record_faults
from models.database import Database

log = logging.getLogger("http")

# Long enough for a failover or a restart of the database, short enough that a
# storefront retrying once does not give up on the customer.
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_CODE = "SERVICE_UNAVAILABLE"


async def send_unavailable(scope: Scope, send: Send, message: str) -> None:
    """The JSON 503: GraphQL's error shape, a stable code and the request id to quote."""
    request_id = scope.get("state", {}).get("request_id", "-")
    body = orjson.dumps(
        {
            "data": None,
            "errors": [
                {
                    "message": message,
                    "extensions": {"code": UNAVAILABLE_CODE, "requestId": request_id},
                }
            ],
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class DatabaseScopeMiddleware:
    """One read connection per request (every read, the session check included,
    shares it until the response is done), a deadline for the whole request,
    and a 503 instead of whatever the request would have answered when it met
    an unreachable database."""

    def __init__(self, app: ASGIApp, *, db: Database, deadline: float) -> None:
        self.app = app
        self.db = db
        self.deadline = deadline

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answered = False  # a response start went out, the app's or ours
        replaced = False  # the app's response is dropped, ours went instead

        async def guarded_send(message: Message) -> None:
            nonlocal answered, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                answered = True
                # GraphQL answers 200 with the resolver's error in the body; a
                # 503 of the app's own (readiness) is already the right answer.
                if faults and message["status"] != 503:
                    replaced = True
                    await send_unavailable(scope, send, _UNAVAILABLE)
                    return
            await send(message)

        with record_faults() as faults:
            timer = asyncio.timeout(self.deadline)
            try:
                async with timer, self.db.request_scope() as shared:
                    loop = asyncio.get_running_loop()
                    # With the cancellation, so reads shielded from it end too.
                    abandon = loop.call_later(self.deadline, shared.abandon)
                    try:
                        await self.app(scope, receive, guarded_send)
                    finally:
                        abandon.cancel()
            except DatabaseUnavailable:
                # Raised outside GraphQL (the session check, a page); already logged.
                if not answered:
                    await send_unavailable(scope, send, _UNAVAILABLE)
            except TimeoutError:
                if not timer.expired():
                    raise
                log.warning("request cancelled at its %s s deadline", self.deadline)
                if not answered:
                    await send_unavailable(scope, send, _TOO_SLOW)
            except Exception:
                if answered or not faults:
                    raise
                # Whatever the app made of the outage, the client learns it was one.
                await send_unavailable(scope, send, _UNAVAILABLE)


_UNAVAILABLE = "The service is temporarily unavailable; retry shortly."
_TOO_SLOW = "The service could not answer in time; retry shortly."
