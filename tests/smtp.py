"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import re
import socket
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _SlowSMTP(SMTP):
    """aiosmtpd's server, waiting `server.delay` seconds before each reply."""

    def __init__(self, server: SmtpServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = server

    async def push(self, status: Any) -> None:
        if self.owner.delay:
            await asyncio.sleep(self.owner.delay)
        await super().push(status)


class _Controller(Controller):
    def __init__(self, server: SmtpServer, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.server_ = server

    def factory(self) -> SMTP:
        return _SlowSMTP(self.server_, self.handler, **self.SMTP_kwargs)


class SmtpServer:
    """`delay`: seconds before each reply (the greeting included); set it to stand
    in for a slow server, or for one that never answers, and back to 0 to heal it."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = _free_port()
        self.delay = 0.0
        self.controller = _Controller(self, self.inbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Message]:
        return self.inbox.messages

    async def wait_for(self, to: str, count: int = 1, seconds: float = 5) -> list[Message]:
        """Messages addressed to `to`, once at least `count` have arrived."""
        for _ in range(int(seconds / 0.02)):
            found = [m for m in self.messages if m["To"] == to]
            if len(found) >= count:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"no email to {to} within {seconds}s")


def text_part(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


def code_in(message: Message) -> str:
    match = re.search(r"\b(\d{4,8})\b", text_part(message))
    assert match, "no code in the email"
    return match.group(1)


def link_token_in(message: Message) -> str:
    match = re.search(r"/auth/magic-link\?token=([A-Za-z0-9_\-]+)", text_part(message))
    assert match, "no sign-in link in the email"
    return match.group(1)
