"""Profile mutations: names, phone, language, email change, marketing consent.

Optional inputs default to UNSET so an omitted field (left unchanged) differs
from an explicit null (cleared, or refused where null makes no sense).
"""

from __future__ import annotations

from typing import Any

import strawberry

from models.customer import Customer as CustomerRow
from schema.common.errors import UserError, payload
from schema.customer.context import Info
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.customer import Customer
from services import profile


@strawberry.input(description="Profile fields to change; omitted fields stay as they are.")
class UpdateProfileInput:
    first_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Given name (at most 100 characters); null clears."
    )
    last_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Family name (at most 100 characters); null clears."
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Phone number, international or US format; stored as E.164. Null removes "
        "it, which also withdraws SMS marketing consent.",
    )
    language: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Preferred language, a supported BCP 47 tag (en, fr-CA...); cannot be null.",
    )


@strawberry.input(description="The address to move the account to.")
class RequestEmailChangeInput:
    new_email: str = strawberry.field(description="The new email address; a code is sent there.")


@strawberry.input(description="The code sent to the new email address.")
class ConfirmEmailChangeInput:
    code: str = strawberry.field(description="The code from the email.")


@strawberry.input(description="Marketing consent to change; omitted channels stay as they are.")
class UpdateMarketingConsentInput:
    email: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Marketing by email; cannot be null."
    )
    sms: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Marketing by text message; cannot be null. Agreeing needs a phone number.",
    )


@strawberry.type(description="Result of updateProfile.")
class UpdateProfilePayload:
    customer: Customer | None = strawberry.field(description="The customer as saved.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(
    description="Result of requestEmailChange: identical whether or not the new address is "
    "already used by another account."
)
class RequestEmailChangePayload:
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of confirmEmailChange.")
class ConfirmEmailChangePayload:
    customer: Customer | None = strawberry.field(description="The customer, with the new email.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of updateMarketingConsent.")
class UpdateMarketingConsentPayload:
    customer: Customer | None = strawberry.field(description="The customer as saved.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


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
            ctx = info.context
            deliveries = await profile.request_email_change(
                ctx.rt, customer_id=ctx.customer_id, new_email=input.new_email
            )
            ctx.deliveries.extend(deliveries)
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
