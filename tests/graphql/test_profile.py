from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from models.auth import CustomerSession, LoginChallenge, MagicLink
from models.customer import Customer
from services.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

PROFILE = "id email phone firstName lastName language marketingConsent { email sms }"
ERRORS = "userErrors { code field message }"
UPDATE = f"""mutation($input: UpdateProfileInput!) {{
  updateProfile(input: $input) {{ customer {{ {PROFILE} }} {ERRORS} }} }}"""
REQUEST = f"""mutation($input: RequestEmailChangeInput!) {{
  requestEmailChange(input: $input) {{ {ERRORS} }} }}"""
CONFIRM = f"""mutation($input: ConfirmEmailChangeInput!) {{
  confirmEmailChange(input: $input) {{ customer {{ {PROFILE} }} {ERRORS} }} }}"""
CONSENT = f"""mutation($input: UpdateMarketingConsentInput!) {{
  updateMarketingConsent(input: $input) {{ customer {{ {PROFILE} }} {ERRORS} }} }}"""


async def viewer(rt: Runtime, **fields: Any) -> tuple[Customer, str]:
    row = await factories.customer(rt, **fields)
    return row, await factories.login(rt, row)


async def stored(rt: Runtime, row: Customer) -> dict[str, Any]:
    async with rt.db.read() as session:
        fresh = await session.get(Customer, row.id)
    assert fresh is not None
    return fresh.model_dump()


async def challenges(rt: Runtime) -> list[dict[str, Any]]:
    async with rt.db.read() as session:
        rows = (await session.scalars(select(LoginChallenge))).all()
    return [row.model_dump() for row in rows]


async def update(gql: GraphQLClient, token: str, **fields: Any) -> Any:
    return (await gql.data(UPDATE, {"input": fields}, token=token))["updateProfile"]


def codes(payload: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in payload["userErrors"]]


# --- updateProfile ---------------------------------------------------------------------------


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


# --- Email change ----------------------------------------------------------------------------


def code_from(mailer: Any, to: str) -> str:
    [mail] = [m for m in mailer.sent if m.to == to]
    match = re.search(r"\b(\d{6})\b", mail.text)
    assert match is not None
    return match[1]


async def test_email_change_end_to_end(gql, rt, mailer) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, email="ada@example.com")
    other_device = await factories.login(rt, row)
    await gql.data(
        'mutation { requestLoginCode(input: {email: "ada@example.com"}) { userErrors { code } } }'
    )
    mailer.sent.clear()

    requested = await gql.data(REQUEST, {"input": {"newEmail": " Ada@Lovelace.ORG "}}, token=token)
    code = code_from(mailer, "ada@lovelace.org")
    [notice] = [m for m in mailer.sent if m.to == "ada@example.com"]
    confirmed = await gql.data(CONFIRM, {"input": {"code": code}}, token=token)

    assert requested["requestEmailChange"]["userErrors"] == []
    assert code not in notice.subject + notice.text + notice.html
    assert "a***@lovelace.org" in notice.text
    assert confirmed["confirmEmailChange"]["userErrors"] == []
    assert confirmed["confirmEmailChange"]["customer"]["email"] == "ada@lovelace.org"
    assert (await gql.data("{ me { email } }", token=token))["me"] == {"email": "ada@lovelace.org"}
    assert (await gql.data("{ me { email } }", token=other_device))["me"] is None
    async with rt.db.read() as session:
        assert len((await session.scalars(select(CustomerSession))).all()) == 1
        assert (await session.scalars(select(MagicLink))).all() == []
        purposes = (await session.scalars(select(LoginChallenge.purpose))).all()
    assert purposes == ["email_change"]


async def test_email_change_mails_are_in_the_customers_language(gql, rt, mailer) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt, email="jean@example.com", language="fr-CA")

    await gql.data(REQUEST, {"input": {"newEmail": "jean@exemple.ca"}}, token=token)

    subjects = {m.to: m.subject for m in mailer.sent}
    assert "confirmer" in subjects["jean@exemple.ca"]
    assert "va changer" in subjects["jean@example.com"]


@pytest.mark.parametrize("new_email", ["not-an-email", "ADA@example.com "])
async def test_request_email_change_refuses_bad_or_same_address(gql, rt, mailer, new_email) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, email="ada@example.com")
    before = await stored(rt, row)

    data = await gql.data(REQUEST, {"input": {"newEmail": new_email}}, token=token)

    assert codes(data["requestEmailChange"]) == [("INVALID", ["newEmail"])]
    assert await challenges(rt) == [] and list(mailer.sent) == []
    assert await stored(rt, row) == before


async def test_email_change_requests_are_rate_limited(gql, rt, mailer) -> None:  # type: ignore[no-untyped-def]
    _, token = await viewer(rt)
    for n in range(rt.settings.login_codes_per_window):
        await gql.data(REQUEST, {"input": {"newEmail": f"new{n}@example.com"}}, token=token)
    before, sent = await challenges(rt), len(mailer.sent)

    data = await gql.data(REQUEST, {"input": {"newEmail": "late@example.com"}}, token=token)

    assert codes(data["requestEmailChange"]) == [("RATE_LIMITED", None)]
    assert await challenges(rt) == before and len(mailer.sent) == sent


async def test_an_address_of_another_account_is_taken_only_at_confirmation(gql, rt, mailer) -> None:  # type: ignore[no-untyped-def]
    await factories.customer(rt, email="grace@example.com")
    row, token = await viewer(rt, email="ada@example.com")
    other_device = await factories.login(rt, row)

    requested = await gql.data(REQUEST, {"input": {"newEmail": "grace@example.com"}}, token=token)
    code = code_from(mailer, "grace@example.com")
    before = (await stored(rt, row), await challenges(rt))
    confirmed = await gql.data(CONFIRM, {"input": {"code": code}}, token=token)

    assert requested["requestEmailChange"]["userErrors"] == []
    assert codes(confirmed["confirmEmailChange"]) == [("TAKEN", None)]
    assert confirmed["confirmEmailChange"]["customer"] is None
    after_row, after_challenges = await stored(rt, row), await challenges(rt)
    assert after_row == before[0]
    # Only the attempt counter moved: the code was not consumed.
    assert [{**c, "attempts": 0} for c in after_challenges] == [
        {**c, "attempts": 0} for c in before[1]
    ]
    assert after_challenges[0]["consumed_at"] is None
    assert (await gql.data("{ me { email } }", token=other_device))["me"] is not None


async def test_a_wrong_code_is_refused(gql, rt, mailer) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt)
    await gql.data(REQUEST, {"input": {"newEmail": "new@example.com"}}, token=token)
    wrong = "000000" if code_from(mailer, "new@example.com") != "000000" else "111111"
    before = await stored(rt, row)

    results = [
        (await gql.data(CONFIRM, {"input": {"code": c}}, token=token))["confirmEmailChange"]
        for c in (wrong, "abc")
    ]

    assert [codes(r) for r in results] == [[("CODE_INVALID", ["code"])]] * 2
    assert await stored(rt, row) == before


async def test_an_expired_code_is_refused(gql, rt, mailer, clock) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt)
    await gql.data(REQUEST, {"input": {"newEmail": "new@example.com"}}, token=token)
    code = code_from(mailer, "new@example.com")
    clock.advance(seconds=rt.settings.login_code_ttl + 1)
    before = await stored(rt, row)

    data = await gql.data(CONFIRM, {"input": {"code": code}}, token=token)

    assert codes(data["confirmEmailChange"]) == [("CODE_EXPIRED", ["code"])]
    assert await stored(rt, row) == before


async def test_too_many_wrong_codes_lock_the_right_one(gql, rt, mailer) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt)
    await gql.data(REQUEST, {"input": {"newEmail": "new@example.com"}}, token=token)
    code = code_from(mailer, "new@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(rt.settings.login_max_attempts):
        await gql.data(CONFIRM, {"input": {"code": wrong}}, token=token)
    before = await stored(rt, row)

    data = await gql.data(CONFIRM, {"input": {"code": code}}, token=token)

    assert codes(data["confirmEmailChange"]) == [("TOO_MANY_ATTEMPTS", ["code"])]
    assert await stored(rt, row) == before


async def test_a_new_request_replaces_the_previous_code(gql, rt, mailer, clock) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt)
    await gql.data(REQUEST, {"input": {"newEmail": "first@example.com"}}, token=token)
    first = code_from(mailer, "first@example.com")
    await gql.data(REQUEST, {"input": {"newEmail": "second@example.com"}}, token=token)
    second = code_from(mailer, "second@example.com")

    old = await gql.data(CONFIRM, {"input": {"code": first}}, token=token)
    new = await gql.data(CONFIRM, {"input": {"code": second}}, token=token)

    if first != second:
        assert codes(old["confirmEmailChange"]) == [("CODE_INVALID", ["code"])]
    assert new["confirmEmailChange"]["customer"]["email"] == "second@example.com"
    assert (await stored(rt, row))["email"] == "second@example.com"


# --- Marketing consent -----------------------------------------------------------------------


async def test_consent_timestamps_move_only_for_changed_channels(gql, rt, clock) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, phone="+14155550123")
    start = clock.now()

    first = await gql.data(CONSENT, {"input": {"email": True}}, token=token)
    clock.advance(minutes=5)
    second = await gql.data(CONSENT, {"input": {"email": True, "sms": True}}, token=token)

    assert first["updateMarketingConsent"]["customer"]["marketingConsent"] == {
        "email": True,
        "sms": False,
    }
    assert second["updateMarketingConsent"]["customer"]["marketingConsent"] == {
        "email": True,
        "sms": True,
    }
    saved = await stored(rt, row)
    assert (saved["marketing_email_updated_at"], saved["marketing_email_source"]) == (
        start,
        "customer_account",
    )
    assert saved["marketing_sms_updated_at"] == start + timedelta(minutes=5)
    assert saved["marketing_sms_source"] == "customer_account"


async def test_omitted_channels_are_unchanged(gql, rt) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt, marketing_email=True)
    before = await stored(rt, row)

    data = await gql.data(CONSENT, {"input": {}}, token=token)

    assert data["updateMarketingConsent"]["customer"]["marketingConsent"]["email"] is True
    assert await stored(rt, row) == before


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"email": None}, ("INVALID", ["email"])),
        ({"email": True, "sms": None}, ("INVALID", ["sms"])),
        ({"email": True, "sms": True}, ("NOT_ALLOWED_IN_STATE", ["sms"])),
    ],
)
async def test_consent_refusals_change_nothing(gql, rt, given, expected) -> None:  # type: ignore[no-untyped-def]
    row, token = await viewer(rt)
    before = await stored(rt, row)

    data = await gql.data(CONSENT, {"input": given}, token=token)

    assert codes(data["updateMarketingConsent"]) == [expected]
    assert await stored(rt, row) == before


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

    body = await gql(query, {"input": variables}, token="not-a-session")

    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await stored(rt, row) == before and list(mailer.sent) == []
