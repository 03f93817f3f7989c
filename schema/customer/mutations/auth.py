"""Passwordless login: request a code, verify it or redeem a link, log out."""

from __future__ import annotations

from datetime import datetime

import strawberry

from auth import login, sessions
from schema.common.errors import UserError, payload
from schema.customer.context import Info
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.customer import Customer


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


def _signed_in(issued: sessions.IssuedSession) -> dict[str, object]:
    return {
        "session": Session(token=issued.token, expires_at=issued.expires_at),
        "customer": Customer.from_row(issued.customer),
    }


@strawberry.type
class AuthMutations:
    @strawberry.mutation(
        description="Send a one-time login code (and sign-in link) by email, or by SMS to a "
        "US/Canadian number. Answers the same whether or not the address is known."
    )
    async def request_login_code(
        self, info: Info, input: RequestLoginCodeInput
    ) -> RequestLoginCodePayload:
        async def work() -> dict[str, object]:
            ctx = info.context
            deliveries = await login.request_login_code(
                ctx.rt,
                email=input.email,
                phone=input.phone,
                ip=ctx.client_ip,
                language=ctx.language,
            )
            ctx.deliveries.extend(deliveries)
            return {}

        return await payload(RequestLoginCodePayload, work())

    @strawberry.mutation(
        description="Exchange a login code for a session. An email without an account gets "
        "one (login or register)."
    )
    async def verify_login_code(
        self, info: Info, input: VerifyLoginCodeInput
    ) -> VerifyLoginCodePayload:
        async def work() -> dict[str, object]:
            ctx = info.context
            issued = await login.verify_login_code(
                ctx.rt,
                email=input.email,
                phone=input.phone,
                code=input.code,
                user_agent=ctx.user_agent,
                ip=ctx.client_ip,
            )
            return _signed_in(issued)

        return await payload(VerifyLoginCodePayload, work())

    @strawberry.mutation(description="Exchange a sign-in link's token for a session (single use).")
    async def redeem_magic_link(
        self, info: Info, input: RedeemMagicLinkInput
    ) -> VerifyLoginCodePayload:
        async def work() -> dict[str, object]:
            ctx = info.context
            issued = await login.redeem_magic_link(
                ctx.rt, token=input.token, user_agent=ctx.user_agent, ip=ctx.client_ip
            )
            return _signed_in(issued)

        return await payload(VerifyLoginCodePayload, work())

    @strawberry.mutation(
        description="End this session, or every session of the customer.",
        permission_classes=[IsAuthenticated],
    )
    async def logout(self, info: Info, input: LogoutInput | None = None) -> LogoutPayload:
        viewer = info.context.viewer
        assert viewer is not None
        await sessions.revoke(
            info.context.rt,
            viewer=viewer,
            all_sessions=bool(input and input.all_sessions),
        )
        return LogoutPayload(user_errors=[])
