"""Login mutations."""

from __future__ import annotations

import strawberry

from auth import login, sessions
from auth.permissions import IsAuthenticated
from resolvers.errors import payload
from schema.auth import (
    LogoutInput,
    LogoutPayload,
    RedeemMagicLinkInput,
    RequestLoginCodeInput,
    RequestLoginCodePayload,
    Session,
    VerifyLoginCodeInput,
    VerifyLoginCodePayload,
)
from schema.context import Info
from schema.customer import Customer


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
            await login.request_login_code(
                info.context.rt, email=input.email, phone=input.phone, ip=info.context.client_ip
            )
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
