"""Outgoing email: a backend interface, the console and SMTP backends, and
Jinja2 templates rendered in the recipient's language."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    select_autoescape,
)

from adapters.errors import DeliveryError
from domain.i18n import DEFAULT_LANGUAGE, translations

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
    extensions=["jinja2.ext.i18n"],
)
# `{% trans %}` blocks collapse their whitespace, as `pybabel extract` (babel.cfg) does.
_env.policies["ext.i18n.trimmed"] = True


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    # The sender's display name when `EMAIL_FROM` gives none (the shop's name).
    sender_name: str | None = None


def render_email(name: str, language: str | None, **context: Any) -> tuple[str, str, str]:
    """Subject, text and HTML of `email/<name>.*` in `language`'s catalog (English
    when it has none)."""
    chosen = language or DEFAULT_LANGUAGE
    gettext = translations(chosen)
    # Passed per render, never installed on the shared environment: the worker and
    # the API render in different languages at the same time.
    words = {
        "gettext": gettext.gettext,
        "ngettext": gettext.ngettext,
        "lang": chosen,
    }
    subject = _env.get_template(f"email/{name}.subject.txt").render(**context, **words)
    text = _env.get_template(f"email/{name}.txt").render(**context, **words)
    html = _env.get_template(f"email/{name}.html").render(**context, **words)
    return " ".join(subject.split()), text, html


def build_message(sender: str, email: OutgoingEmail) -> EmailMessage:
    message = EmailMessage()
    name, address = parseaddr(sender)
    if not name and email.sender_name:
        name = email.sender_name
    message["From"] = formataddr((name, address)) if name else address
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
    """The message `template` makes for `to`, in `language` (or English), sent in the
    name of the shop (`shop_name`) unless `EMAIL_FROM` names a sender."""
    subject, text, html = render_email(template, language, **context)
    sender_name = context.get("shop_name")
    return OutgoingEmail(
        to=to,
        subject=subject,
        text=text,
        html=html,
        sender_name=str(sender_name) if sender_name else None,
    )
