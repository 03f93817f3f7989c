"""The customer's own profile: names, phone, language, email address and
marketing consent.

An email change is proven by a code sent to the new address (the old one only
gets a notice), and signs out every other device once confirmed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth import challenges, rate_limit, sessions
from domain.actors import Actor
from domain.errors import ErrorCode, FieldErrors, ServiceError
from domain.i18n import _
from domain.statuses import ChallengePurpose
from domain.topics import Topic
from domain.validation import (
    normalize_email,
    normalize_language,
    parse_phone,
    refuse_control_characters,
)
from models.auth import LoginChallenge, MagicLink
from models.customer import Customer
from models.shop import Shop
from plumbing import outbox
from plumbing.deliveries import Delivery, email_delivery
from plumbing.runtime import Runtime

# How a consent change is recorded when the customer makes it here.
CONSENT_SOURCE = "customer_account"
CONSENT_CHANNELS = ("email", "sms")
NAME_MAX_LENGTH = 100


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _clean_profile(changes: Mapping[str, str | None]) -> dict[str, str | None]:
    """The changes validated; every field at fault is reported at once."""
    errors = FieldErrors()
    values: dict[str, str | None] = {}
    for name in ("first_name", "last_name"):
        if name in changes:
            with errors.check():
                value = (changes[name] or "").strip() or None
                if value is not None:
                    refuse_control_characters(value, [_camel(name)])
                if value is not None and len(value) > NAME_MAX_LENGTH:
                    raise ServiceError(
                        ErrorCode.INVALID,
                        _("Must be at most {limit} characters.", limit=NAME_MAX_LENGTH),
                        [_camel(name)],
                    )
                values[name] = value
    if "phone" in changes:
        with errors.check():
            raw = (changes["phone"] or "").strip()
            values["phone"] = parse_phone(raw, field="phone").e164 if raw else None
    if "language" in changes:
        with errors.check():
            language = changes["language"]
            if language is None:
                raise ServiceError(ErrorCode.INVALID, _("Choose a language."), ["language"])
            values["language"] = normalize_language(language)
    errors.raise_any()
    return values


async def _customer_for_update(session: AsyncSession, customer_id: int) -> Customer:
    # Locked so that concurrent edits each see the other's result (consent
    # timestamps must only move when a value really changes).
    customer = await session.get(Customer, customer_id, with_for_update=True)
    if customer is None:
        raise ServiceError(ErrorCode.NOT_FOUND, _("Customer not found."))
    return customer


def _record_updated(
    session: AsyncSession, customer: Customer, changed: list[str], now: datetime
) -> None:
    """`customer.updated` for the merchant side, naming the fields that changed."""
    assert customer.id is not None
    outbox.record(
        session,
        topic=Topic.CUSTOMER_UPDATED,
        actor=Actor.customer(customer.id),
        customer_id=customer.id,
        payload={"customer_id": customer.id, "changed": changed},
        now=now,
    )


def record_consent(
    customer: Customer, channel: str, value: bool, *, now: datetime, source: str
) -> bool:
    """Set one channel's consent, stamping when and how only if it changed."""
    if getattr(customer, f"marketing_{channel}") == value:
        return False
    setattr(customer, f"marketing_{channel}", value)
    setattr(customer, f"marketing_{channel}_updated_at", now)
    setattr(customer, f"marketing_{channel}_source", source)
    return True


async def update_profile(
    rt: Runtime, *, customer_id: int, changes: Mapping[str, str | None]
) -> Customer:
    """Apply `changes` (keys among first_name, last_name, phone, language).

    A missing key leaves the field as it is; None clears it (language cannot be
    cleared). Removing the phone also withdraws SMS marketing consent, which
    needs a number to mean anything.
    """
    values = _clean_profile(changes)
    async with rt.db.transaction() as session:
        customer = await _customer_for_update(session, customer_id)
        now = rt.clock.now()
        changed = []
        for name, value in values.items():
            if getattr(customer, name) != value:
                setattr(customer, name, value)
                changed.append(name)
        if (
            "phone" in values
            and customer.phone is None
            and record_consent(customer, "sms", False, now=now, source=CONSENT_SOURCE)
        ):
            changed.append("marketing_sms")
        if changed:
            customer.updated_at = now
            _record_updated(session, customer, changed, now)
        try:
            # The unique index decides who owns a number, so two accounts
            # claiming it at once cannot both win.
            async with session.begin_nested():
                await session.flush()
        except IntegrityError:
            raise ServiceError(
                ErrorCode.TAKEN, _("That phone number is used by another account."), ["phone"]
            ) from None
    return customer


async def _shop_name(session: AsyncSession) -> str:
    return await session.scalar(select(col(Shop.name)).limit(1)) or "our store"


def mask_email(email: str) -> str:
    """`jane@example.com` -> `j***@example.com`: recognisable, not harvestable."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


async def request_email_change(rt: Runtime, *, customer_id: int, new_email: str) -> list[Delivery]:
    """Issue a code for the new address; returns the code's email to it and a
    notice to the current one, to send once the reply is out.

    An address that belongs to another account is answered the same way (no
    enumeration); confirming then reports TAKEN to whoever holds its code.
    """
    new = normalize_email(new_email, field="newEmail")
    settings = rt.settings
    limit = rate_limit.Limit(
        f"email-change:{customer_id}", settings.login_codes_per_window, settings.login_code_window
    )
    async with rt.db.transaction() as session:
        customer = await session.get(Customer, customer_id)
        if customer is None:
            raise ServiceError(ErrorCode.NOT_FOUND, _("Customer not found."))
        if new == customer.email:
            raise ServiceError(
                ErrorCode.INVALID, _("That is already your email address."), ["newEmail"]
            )
        if not await rate_limit.admit(session, limit, now=rt.clock.now()):
            raise ServiceError(
                ErrorCode.RATE_LIMITED, _("Too many codes requested. Try again in a few minutes.")
            )
        # Keyed by the customer, so a new request replaces the previous code.
        code = await challenges.issue(
            rt,
            session,
            purpose=ChallengePurpose.EMAIL_CHANGE,
            identifier=str(customer_id),
            customer_id=customer_id,
            payload=new,
        )
        shop_name = await _shop_name(session)

    # Sent once the code is committed, so a delivered code always works.
    return [
        email_delivery(
            rt.mailer,
            to=new,
            template="email_change_code",
            language=customer.language,
            code=code,
            shop_name=shop_name,
            new_email=new,
            ttl_minutes=settings.login_code_ttl // 60,
        ),
        email_delivery(
            rt.mailer,
            to=customer.email,
            template="email_change_notice",
            language=customer.language,
            shop_name=shop_name,
            masked_email=mask_email(new),
        ),
    ]


async def confirm_email_change(
    rt: Runtime, *, customer_id: int, keep_session_id: int, code: str
) -> Customer:
    """Switch to the address the code was sent to; other devices are signed out."""
    code = code.strip()
    if not code.isdigit() or len(code) > 8:
        raise ServiceError(ErrorCode.CODE_INVALID, _("That code is not valid."), ["code"])
    async with rt.db.transaction() as session:
        outcome = await challenges.redeem(
            rt,
            session,
            purpose=ChallengePurpose.EMAIL_CHANGE,
            identifier=str(customer_id),
            code=code,
        )
        if isinstance(outcome, challenges.Redeemed):
            return await _switch_email(rt, session, outcome, customer_id, keep_session_id)
    # Raised after the commit: the attempt (and the failure) stay counted.
    raise outcome


async def _switch_email(
    rt: Runtime,
    session: AsyncSession,
    redeemed: challenges.Redeemed,
    customer_id: int,
    keep_session_id: int,
) -> Customer:
    new_email = redeemed.payload
    if new_email is None or redeemed.customer_id != customer_id:
        raise ServiceError(ErrorCode.CODE_INVALID, _("That code is not valid."), ["code"])
    customer = await _customer_for_update(session, customer_id)
    old_email = customer.email
    customer.email = new_email
    customer.updated_at = rt.clock.now()
    _record_updated(session, customer, ["email"], customer.updated_at)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        # Raised inside the transaction: the code stays unused.
        raise ServiceError(
            ErrorCode.TAKEN, _("That email address is used by another account.")
        ) from None
    await sessions.revoke_others(session, customer_id=customer_id, keep_session_id=keep_session_id)
    # Codes and sign-in links already mailed to the old address stop working.
    await session.execute(
        delete(LoginChallenge).where(
            col(LoginChallenge.purpose) == ChallengePurpose.LOGIN,
            col(LoginChallenge.identifier) == old_email,
        )
    )
    await session.execute(delete(MagicLink).where(col(MagicLink.email) == old_email))
    return customer


async def update_marketing_consent(
    rt: Runtime, *, customer_id: int, changes: Mapping[str, bool | None]
) -> Customer:
    """Set consent per channel ("email", "sms"); a missing key is left unchanged."""
    errors = FieldErrors()
    for channel in CONSENT_CHANNELS:
        if channel in changes and changes[channel] is None:
            errors.add(ErrorCode.INVALID, _("Choose true or false."), [channel])
    errors.raise_any()
    async with rt.db.transaction() as session:
        customer = await _customer_for_update(session, customer_id)
        if changes.get("sms") and not customer.phone:
            raise ServiceError(
                ErrorCode.NOT_ALLOWED_IN_STATE,
                _("Add a phone number to your profile before agreeing to text messages."),
                ["sms"],
            )
        now = rt.clock.now()
        changed = [
            f"marketing_{channel}"
            for channel in CONSENT_CHANNELS
            if channel in changes
            and record_consent(
                customer, channel, bool(changes[channel]), now=now, source=CONSENT_SOURCE
            )
        ]
        if changed:
            customer.updated_at = now
            _record_updated(session, customer, changed, now)
    return customer
