"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import re
import socket
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


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


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

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
