"""Passwordless login: request a code (email or US/CA SMS), verify it, or redeem a magic link.

`request_login_code` answers the same whether or not the address is known,
and its throttles count unknown addresses exactly like known ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Row, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from auth import challenges, rate_limit, sessions
from auth.tokens import keyed_hash, new_token
from domain.errors import ErrorCode, ServiceError
from domain.i18n import _, localize
from domain.statuses import ChallengePurpose
from domain.validation import normalize_email, parse_phone
from models.auth import MagicLink
from models.base import UTCDateTime
from models.customer import Customer
from models.shop import Shop
from plumbing.deliveries import Delivery, email_delivery, sms_delivery
from plumbing.runtime import Runtime


@dataclass(frozen=True)
class Identifier:
    kind: str  # "email" or "phone"
    value: str


def parse_identifier(email: str | None, phone: str | None) -> Identifier:
    if (email is None) == (phone is None):
        raise ServiceError(
            ErrorCode.INVALID, _("Give an email address or a phone number."), ["email"]
        )
    if email is not None:
        return Identifier("email", normalize_email(email))
    assert phone is not None
    parsed = parse_phone(phone)
    if not parsed.sms_capable:
        raise ServiceError(
            ErrorCode.INVALID,
            _("Codes by text message are available for US and Canadian numbers only."),
            ["phone"],
        )
    return Identifier("phone", parsed.e164)


# Statements of the login path, built once and run with parameters as plain
# Core on the transaction's connection: building a SQLAlchemy expression, and
# the ORM's bookkeeping around it, cost more CPU than PostgreSQL spends running it.
_CUSTOMERS = Customer.__table__  # type: ignore[attr-defined]
_LINKS = MagicLink.__table__  # type: ignore[attr-defined]
_CUSTOMER_BY = {
    kind: select(_CUSTOMERS.c.id, _CUSTOMERS.c.language).where(
        _CUSTOMERS.c[kind] == bindparam("value")
    )
    for kind in ("email", "phone")
}
_SHOP_NAME = select(Shop.__table__.c.name).limit(1)  # type: ignore[attr-defined]
_DROP_LINKS = delete(_LINKS).where(_LINKS.c.email == bindparam("p_email"))
_ADD_LINK = insert(_LINKS).values(
    token_hash=bindparam("p_token_hash"),
    email=bindparam("p_email"),
    created_at=bindparam("p_created_at", type_=UTCDateTime()),
    expires_at=bindparam("p_expires_at", type_=UTCDateTime()),
)


async def _customer_for(session: AsyncSession, ident: Identifier) -> Row[Any] | None:
    """The id and language of the account with this address or number."""
    conn = await session.connection()
    return (await conn.execute(_CUSTOMER_BY[ident.kind], {"value": ident.value})).first()


async def _shop_name(session: AsyncSession) -> str:
    conn = await session.connection()
    return (await conn.scalar(_SHOP_NAME)) or "our store"


async def request_login_code(
    rt: Runtime, *, email: str | None, phone: str | None, ip: str, language: str | None = None
) -> list[Delivery]:
    """Issue a code for the address or number; returns what to send once the
    reply is out (nothing for an unknown number). The code goes only by the
    channel asked for: an email request sends one email, a phone request one SMS.
    An address without an account yet is written to in `language`, the requester's."""
    ident = parse_identifier(email, phone)
    settings, now = rt.settings, rt.clock.now()
    # The client's IP first, then the address; a refusal rolls back both counts.
    per_ip = rate_limit.Limit(
        f"login-ip:{ip}", settings.login_requests_per_ip, settings.login_ip_window
    )
    per_address = rate_limit.Limit(
        f"login-code:{ident.value}", settings.login_codes_per_window, settings.login_code_window
    )
    async with rt.db.transaction() as session:
        refused = await rate_limit.first_refused(session, (per_ip, per_address), now=now)
        if refused is per_ip:
            raise ServiceError(
                ErrorCode.RATE_LIMITED, _("Too many requests. Try again in a few minutes.")
            )
        if refused is per_address:
            raise ServiceError(
                ErrorCode.RATE_LIMITED, _("Too many codes requested. Try again in a few minutes.")
            )
        customer = await _customer_for(session, ident)
        code = await challenges.issue(
            rt,
            session,
            purpose=ChallengePurpose.LOGIN,
            identifier=ident.value,
            customer_id=customer.id if customer else None,
        )
        shop_name = await _shop_name(session)
        if ident.kind == "phone":
            # An unknown number has nowhere to register, so nothing is sent. Its
            # challenge is still kept, so that wrong guesses run into the same
            # lockout and expiry as for a known number and reveal nothing; and
            # it costs the same statements, so its reply takes the same time.
            if customer is None:
                return []
            text = _("{code} is your {shop_name} login code.", code=code, shop_name=shop_name)
            body = localize(text, customer.language)
            return [sms_delivery(rt.sms, to=ident.value, body=body, kind="login code")]
        link = await issue_magic_link(rt, session, email=ident.value)
    return [
        email_delivery(
            rt.mailer,
            to=ident.value,
            template="login_code",
            language=customer.language if customer else language,
            code=code,
            shop_name=shop_name,
            magic_link=link,
            ttl_minutes=settings.login_code_ttl // 60,
            link_hours=settings.magic_link_ttl // 3600,
        )
    ]


async def issue_magic_link(rt: Runtime, session: AsyncSession, *, email: str) -> str:
    """A single-use sign-in link, in the caller's transaction; a new one replaces any earlier
    link for the address. Login and the worker's notifications use it."""
    token = new_token()
    now = rt.clock.now()
    conn = await session.connection()
    await conn.execute(_DROP_LINKS, {"p_email": email})
    await conn.execute(
        _ADD_LINK,
        {
            "p_token_hash": keyed_hash(rt.secret, "magic-link", token),
            "p_email": email,
            "p_created_at": now,
            "p_expires_at": now + timedelta(seconds=rt.settings.magic_link_ttl),
        },
    )
    return f"{rt.settings.public_url}/auth/magic-link?{urlencode({'token': token})}"


async def _get_or_create_customer(rt: Runtime, session: AsyncSession, email: str) -> Customer:
    """Login or register: insert, and on a unique-email race take the winner's row."""
    customer = await session.scalar(select(Customer).where(col(Customer.email) == email))
    if customer is not None:
        return customer
    now = rt.clock.now()
    try:
        async with session.begin_nested():
            customer = Customer(email=email, created_at=now, updated_at=now)
            session.add(customer)
    except IntegrityError:
        customer = await session.scalar(select(Customer).where(col(Customer.email) == email))
        if customer is None:
            raise
    return customer


async def verify_login_code(
    rt: Runtime,
    *,
    email: str | None,
    phone: str | None,
    code: str,
    user_agent: str | None,
    ip: str,
) -> sessions.IssuedSession:
    ident = parse_identifier(email, phone)
    if not code.strip().isdigit() or len(code.strip()) > 8:
        raise ServiceError(ErrorCode.CODE_INVALID, _("That code is not valid."), ["code"])
    # One transaction: count the attempt, consume the code, open the session.
    async with rt.db.transaction() as session:
        outcome = await challenges.redeem(
            rt,
            session,
            purpose=ChallengePurpose.LOGIN,
            identifier=ident.value,
            code=code,
            needs_customer=ident.kind == "phone",
        )
        if isinstance(outcome, challenges.Redeemed):
            if outcome.customer_id is not None:
                customer = await session.get(Customer, outcome.customer_id)
            else:  # an email without an account: login or register
                customer = await _get_or_create_customer(rt, session, ident.value)
            if customer is None:  # deleted since the code was sent
                raise ServiceError(ErrorCode.CODE_INVALID, _("That code is not valid."), ["code"])
            return await sessions.issue(
                rt, session, customer=customer, user_agent=user_agent, ip_address=ip
            )
    # Raised after the commit: the attempt (and the failure) stay counted.
    raise outcome


async def redeem_magic_link(
    rt: Runtime, *, token: str, user_agent: str | None, ip: str
) -> sessions.IssuedSession:
    token_hash = keyed_hash(rt.secret, "magic-link", token.strip())
    now = rt.clock.now()
    async with rt.db.transaction() as session:
        email = await session.scalar(
            update(MagicLink)
            .where(
                col(MagicLink.token_hash) == token_hash,
                col(MagicLink.consumed_at).is_(None),
                col(MagicLink.expires_at) > now,
            )
            .values(consumed_at=now)
            .returning(col(MagicLink.email))
        )
        if email is None:
            link = await session.scalar(
                select(MagicLink).where(col(MagicLink.token_hash) == token_hash)
            )
            if link is not None and link.consumed_at is None:
                raise ServiceError(
                    ErrorCode.CODE_EXPIRED, _("This sign-in link has expired."), ["token"]
                )
            raise ServiceError(
                ErrorCode.CODE_INVALID, _("This sign-in link is not valid."), ["token"]
            )
        customer = await _get_or_create_customer(rt, session, email)
        return await sessions.issue(
            rt, session, customer=customer, user_agent=user_agent, ip_address=ip
        )
