"""Inputs and payloads of passwordless login."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.customer import Customer
from schema.errors import UserError


@strawberry.type(description="A logged-in session. Send the token as `Authorization: Bearer`.")
class Session:
    token: str = strawberry.field(description="Opaque bearer token; shown once, keep it secret.")
    expires_at: datetime = strawberry.field(
        description="When the session ends unless used; each use extends it."
    )


@strawberry.input(description="Where to send a login code: an email, or a US/Canadian phone.")
class RequestLoginCodeInput:
    email: str | None = strawberry.field(default=None, description="Email address.")
    phone: str | None = strawberry.field(
        default=None, description="US or Canadian phone number (codes by SMS)."
    )


@strawberry.input(description="A login code and where it was sent.")
class VerifyLoginCodeInput:
    email: str | None = strawberry.field(default=None, description="Email the code went to.")
    phone: str | None = strawberry.field(default=None, description="Phone the code went to.")
    code: str = strawberry.field(description="The code from the email or SMS.")


@strawberry.input(description="The token from a sign-in link.")
class RedeemMagicLinkInput:
    token: str = strawberry.field(description="The `token` parameter of the link.")


@strawberry.input(description="Which sessions to end.")
class LogoutInput:
    all_sessions: bool | None = strawberry.field(
        default=False, description="End every session of this customer, not just this one."
    )


@strawberry.type(
    description="Result of requestLoginCode: identical whether or not the address is known."
)
class RequestLoginCodePayload:
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="A new session, or why none was created.")
class VerifyLoginCodePayload:
    session: Session | None = strawberry.field(description="The new session.")
    customer: Customer | None = strawberry.field(description="The customer now logged in.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of logout.")
class LogoutPayload:
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")
