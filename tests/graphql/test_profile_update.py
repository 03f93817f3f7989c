"""updateProfile: trimming, clearing, phones, refusals; every profile mutation needs a session."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.graphql.profile_support import (
    CONFIRM,
    CONSENT,
    ERRORS,
    PROFILE,
    REQUEST,
    codes,
    stored,
    viewer,
)
from tests.support import GraphQLClient

UPDATE = f"""mutation($input: UpdateProfileInput!) {{
  updateProfile(input: $input) {{ customer {{ {PROFILE} }} {ERRORS} }} }}"""


async def update(gql: GraphQLClient, token: str, **fields: Any) -> Any:
    return (await gql.data(UPDATE, {"input": fields}, token=token))["updateProfile"]


async def test_update_profile_trims_and_leaves_omitted_fields(gql, rt) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, first_name="Ada", last_name="Byron", phone="+14155550123")

    result = await update(gql, token, lastName="  Lovelace ", language="fr-ca")

    assert result["userErrors"] == []
    customer = result["customer"]
    assert (customer["firstName"], customer["lastName"]) == ("Ada", "Lovelace")
    assert (customer["phone"], customer["language"]) == ("+14155550123", "fr-CA")
    assert (await stored(rt, row))["last_name"] == "Lovelace"


async def test_explicit_null_clears_names_and_phone(gql, rt) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, first_name="Ada", last_name="Byron", phone="+14155550123")

    result = await update(gql, token, firstName=None, lastName="   ", phone=None)

    customer = result["customer"]
    assert (customer["firstName"], customer["lastName"], customer["phone"]) == (None, None, None)
    saved = await stored(rt, row)
    assert (saved["first_name"], saved["last_name"], saved["phone"]) == (None, None, None)


async def test_removing_the_phone_withdraws_sms_consent(gql, rt, clock) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, phone="+14155550123", marketing_sms=True, marketing_email=True)

    await update(gql, token, phone=None)

    saved = await stored(rt, row)
    assert saved["marketing_sms"] is False
    assert saved["marketing_sms_updated_at"] == clock.now()
    assert saved["marketing_sms_source"] == "customer_account"
    assert (saved["marketing_email"], saved["marketing_email_updated_at"]) == (True, None)


@pytest.mark.parametrize(
    ("given", "e164"),
    [("(415) 555-0123", "+14155550123"), ("+44 20 7946 0321", "+442079460321")],
)
async def test_phone_is_stored_in_e164(gql, rt, given, e164) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt)

    result = await update(gql, token, phone=given)

    assert result["customer"]["phone"] == e164
    assert (await stored(rt, row))["phone"] == e164


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"firstName": "x" * 101}, "firstName"),
        ({"lastName": "y" * 101}, "lastName"),
        ({"phone": "555"}, "phone"),
        ({"phone": "not a phone"}, "phone"),
        ({"language": "klingon"}, "language"),
        ({"language": None}, "language"),
    ],
)
async def test_update_profile_refuses_invalid_values(gql, rt, fields, field) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, first_name="Ada", phone="+14155550123")
    before = await stored(rt, row)

    result = await update(gql, token, **{"lastName": "Hopper", **fields})

    assert result["customer"] is None
    assert codes(result) == [("INVALID", [field])]
    assert await stored(rt, row) == before


async def test_a_phone_of_another_account_is_taken(gql, rt) -> None:  # type: ignore[no-untyped-def]
    other = await factories.customer(rt, phone="+14155550123")
    row, token = await viewer(rt, first_name="Ada")
    before = [await stored(rt, row), await stored(rt, other)]

    result = await update(gql, token, firstName="Grace", phone="415-555-0123")

    assert codes(result) == [("TAKEN", ["phone"])]
    assert [await stored(rt, row), await stored(rt, other)] == before


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (UPDATE, {"firstName": "Eve"}),
        (REQUEST, {"newEmail": "eve@example.com"}),
        (CONFIRM, {"code": "123456"}),
        (CONSENT, {"email": True}),
    ],
)
async def test_profile_mutations_need_a_session(gql, rt, mailer, query, variables) -> None:  # type: ignore[no-untyped-def]
    row = await factories.customer(rt)
    before = await stored(rt, row)

    body = await gql(query, {"input": variables})

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await stored(rt, row) == before and list(mailer.sent) == []
