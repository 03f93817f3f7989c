"""Inputs and payloads of the profile mutations.

Optional inputs default to UNSET so an omitted field (left unchanged) differs
from an explicit null (cleared, or refused where null makes no sense).
"""

from __future__ import annotations

import strawberry

from schema.customer import Customer
from schema.errors import UserError


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
