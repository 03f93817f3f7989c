"""requestEmailChange and confirmEmailChange: the mails, the code's rules, taken addresses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from models.auth import CustomerSession, LoginChallenge, MagicLink
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.profile_support import CONFIRM, REQUEST, codes, stored, viewer


async def challenges(rt: Runtime) -> list[dict[str, Any]]:
    async with rt.db.read() as session:
        rows = (await session.scalars(select(LoginChallenge))).all()
    return [row.model_dump() for row in rows]


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
    assert (await gql.raw("{ me { email } }", token=other_device)).status_code == 401
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
