"""Everything a service needs from the outside world, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapters.clock import Clock
from adapters.gateway import BuiltinTestGateway, PaymentGateway
from adapters.mail import ConsoleEmailBackend, EmailBackend, SmtpEmailBackend
from adapters.sms import ConsoleSmsBackend, DisabledSmsBackend, HttpSmsBackend, SmsBackend
from adapters.webhooks import WebhookSender
from models.availability import Timeouts
from models.database import Database
from plumbing.deliveries import Courier

if TYPE_CHECKING:
    from config import Settings


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    mailer: EmailBackend
    sms: SmsBackend
    secret: bytes
    gateway: PaymentGateway
    # Sends what requests leave to deliver once they are answered.
    courier: Courier
    # Posts the merchant's webhooks (the worker's job).
    webhooks: WebhookSender


def database_timeouts(settings: Settings) -> Timeouts:
    return Timeouts(
        connect=settings.database_connect_timeout,
        checkout=settings.database_pool_timeout,
        statement=settings.database_statement_timeout,
    )


def build_runtime(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    mailer: EmailBackend | None = None,
    sms: SmsBackend | None = None,
    gateway: PaymentGateway | None = None,
) -> Runtime:
    if mailer is None:
        if settings.email_backend == "smtp" and settings.smtp_url:
            mailer = SmtpEmailBackend(
                settings.email_from, settings.smtp_url, timeout=settings.smtp_timeout
            )
        else:
            mailer = ConsoleEmailBackend(settings.email_from, settings.var_dir / "outbox")
    if sms is None:
        if settings.sms_backend == "http" and settings.sms_url and settings.sms_from:
            sms = HttpSmsBackend(settings.sms_url, settings.sms_from, timeout=settings.sms_timeout)
        elif settings.sms_backend == "console":
            sms = ConsoleSmsBackend()
        else:
            sms = DisabledSmsBackend()
    clock = clock or Clock()
    return Runtime(
        settings=settings,
        db=db or Database(settings.resolved_database_url, timeouts=database_timeouts(settings)),
        clock=clock,
        mailer=mailer,
        sms=sms,
        secret=settings.secret(),
        # The one gateway of the process; production adapters plug in here.
        gateway=gateway or BuiltinTestGateway(clock),
        courier=Courier(limit=settings.delivery_concurrency),
        webhooks=WebhookSender(timeout=settings.webhook_timeout),
    )
