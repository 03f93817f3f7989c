"""Outgoing email: a backend interface, the console and SMTP backends, and
Jinja2 templates rendered in the recipient's language."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from adapters.errors import DeliveryError
from domain.validation import language_chain

log = logging.getLogger("mail")

TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    # The templates ship with the code; compiled once, never re-checked on disk.
    auto_reload=False,
)


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str


def render_email(name: str, language: str | None, **context: Any) -> tuple[str, str, str]:
    """Subject, text and HTML of `email/<lang>/<name>.*`, falling back to English."""
    for lang in language_chain(language):
        try:
            subject = _env.get_template(f"email/{lang}/{name}.subject.txt").render(**context)
        except TemplateNotFound:
            continue
        text = _env.get_template(f"email/{lang}/{name}.txt").render(**context)
        html = _env.get_template(f"email/{lang}/{name}.html").render(**context)
        return subject.strip(), text, html
    raise TemplateNotFound(name)


def template_language(name: str, *preferences: str | None) -> str:
    """The first language of `preferences` (each with its base: `fr-CA`, `fr`) that has
    the template `name`, else English: the customer's language, then the shop's."""
    for preferred in preferences:
        if not preferred:
            continue
        # The chain ends in English for any language; here English is only a last resort.
        own = [preferred, preferred.split("-")[0]]
        for lang in [lang for lang in language_chain(preferred) if lang in own]:
            if (TEMPLATES / "email" / lang / f"{name}.subject.txt").is_file():
                return lang
    return "en"


def build_message(sender: str, email: OutgoingEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="customer-account.local")
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message


class EmailBackend(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...


class ConsoleEmailBackend:
    """Writes each message to the log and, as .eml, to the outbox folder."""

    def __init__(self, sender: str, outbox: Path | None) -> None:
        self.sender = sender
        self.outbox = outbox
        self.sent: deque[OutgoingEmail] = deque(maxlen=100)

    async def send(self, email: OutgoingEmail) -> None:
        self.sent.append(email)
        log.info("email to %s: %s\n%s", email.to, email.subject, email.text)
        if self.outbox is not None:
            self.outbox.mkdir(parents=True, exist_ok=True)
            path = self.outbox / f"{uuid.uuid4().hex}.eml"
            path.write_bytes(bytes(build_message(self.sender, email)))


class SmtpEmailBackend:
    """Delivers through an SMTP server named by `SMTP_URL` (smtp:// or smtps://).

    `timeout` bounds the whole delivery (connect, every reply, the data), not
    each step: a server answering every reply just under a per-step limit would
    otherwise hold a delivery for minutes.
    """

    def __init__(self, sender: str, url: str, timeout: float = 10) -> None:
        parts = urlsplit(url)
        self.sender = sender
        self.hostname = parts.hostname or "localhost"
        self.use_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.use_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    async def send(self, email: OutgoingEmail) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await aiosmtplib.send(
                    build_message(self.sender, email),
                    hostname=self.hostname,
                    port=self.port,
                    username=self.username,
                    password=self.password,
                    use_tls=self.use_tls,
                    # STARTTLS when the server offers it; plain for local relays that don't.
                    start_tls=None,
                    timeout=self.timeout,
                )
        except TimeoutError as error:
            raise DeliveryError(
                f"SMTP {self.hostname}:{self.port} gave no answer within {self.timeout:g} s"
            ) from error
        except (aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP {self.hostname}:{self.port} failed: {error!r}") from error


def render_template(to: str, template: str, language: str | None, **context: Any) -> OutgoingEmail:
    """The message `template` makes for `to`, in `language` (or English)."""
    subject, text, html = render_email(template, language, **context)
    return OutgoingEmail(to=to, subject=subject, text=text, html=html)
