"""Profile mutations: names, phone, language, email change, marketing consent."""

from __future__ import annotations

from typing import Any

import strawberry

from auth.permissions import IsAuthenticated
from models.customer import Customer as CustomerRow
from resolvers.errors import payload
from schema.context import Info
from schema.customer import Customer
from schema.profile import (
    ConfirmEmailChangeInput,
    ConfirmEmailChangePayload,
    RequestEmailChangeInput,
    RequestEmailChangePayload,
    UpdateMarketingConsentInput,
    UpdateMarketingConsentPayload,
    UpdateProfileInput,
    UpdateProfilePayload,
)
from services import profile


def given(input: object, *names: str) -> dict[str, Any]:
    """The fields the client sent (null included), leaving out the omitted ones."""
    values = {name: getattr(input, name) for name in names}
    return {name: value for name, value in values.items() if value is not strawberry.UNSET}


def _saved(info: Info, row: CustomerRow) -> dict[str, object]:
    assert row.id is not None
    # Later fields of the same request must see the row as saved.
    info.context.loaders.customer_by_id.prime(row.id, row, force=True)
    return {"customer": Customer.from_row(row)}


@strawberry.type
class ProfileMutations:
    @strawberry.mutation(
        description="Change names, phone or language. Omitted fields are unchanged; null "
        "clears a name or the phone. A phone used by another account is refused (TAKEN).",
        permission_classes=[IsAuthenticated],
    )
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UpdateProfilePayload:
        async def work() -> dict[str, object]:
            row = await profile.update_profile(
                info.context.rt,
                customer_id=info.context.customer_id,
                changes=given(input, "first_name", "last_name", "phone", "language"),
            )
            return _saved(info, row)

        return await payload(UpdateProfilePayload, work())

    @strawberry.mutation(
        description="Send a confirmation code to a new email address (and a notice to the "
        "current one). Confirm with confirmEmailChange.",
        permission_classes=[IsAuthenticated],
    )
    async def request_email_change(
        self, info: Info, input: RequestEmailChangeInput
    ) -> RequestEmailChangePayload:
        async def work() -> dict[str, object]:
            await profile.request_email_change(
                info.context.rt, customer_id=info.context.customer_id, new_email=input.new_email
            )
            return {}

        return await payload(RequestEmailChangePayload, work())

    @strawberry.mutation(
        description="Switch to the new email address with the code sent there. Every other "
        "session of the customer is signed out; this one stays.",
        permission_classes=[IsAuthenticated],
    )
    async def confirm_email_change(
        self, info: Info, input: ConfirmEmailChangeInput
    ) -> ConfirmEmailChangePayload:
        async def work() -> dict[str, object]:
            viewer = info.context.viewer
            assert viewer is not None
            row = await profile.confirm_email_change(
                info.context.rt,
                customer_id=info.context.customer_id,
                keep_session_id=viewer.session_id,
                code=input.code,
            )
            return _saved(info, row)

        return await payload(ConfirmEmailChangePayload, work())

    @strawberry.mutation(
        description="Agree to or withdraw from marketing by email or SMS; omitted channels "
        "are unchanged. SMS needs a phone number on the profile.",
        permission_classes=[IsAuthenticated],
    )
    async def update_marketing_consent(
        self, info: Info, input: UpdateMarketingConsentInput
    ) -> UpdateMarketingConsentPayload:
        async def work() -> dict[str, object]:
            row = await profile.update_marketing_consent(
                info.context.rt,
                customer_id=info.context.customer_id,
                changes=given(input, "email", "sms"),
            )
            return _saved(info, row)

        return await payload(UpdateMarketingConsentPayload, work())
