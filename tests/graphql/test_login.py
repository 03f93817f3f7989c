"""Login codes: expiry, single use, lockout, replacement, SMS rules, storage."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from sqlalchemy import select

from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from adapters.sms import ConsoleSmsBackend
from models.auth import LoginChallenge
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

REQUEST = """mutation($email: String, $phone: String) {
  requestLoginCode(input: {email: $email, phone: $phone}) { userErrors { code field } }
}"""
VERIFY = """mutation($email: String, $phone: String, $code: String!) {
  verifyLoginCode(input: {email: $email, phone: $phone, code: $code}) {
    session { token } customer { email } userErrors { code field }
  }
}"""


def last_code(mailer: ConsoleEmailBackend, to: str) -> str:
    message = next(m for m in reversed(mailer.sent) if m.to == to)
    return message.subject.split()[0]


async def verify(gql: GraphQLClient, code: str, email: str = "ada@example.com") -> dict:
    return (await gql.data(VERIFY, {"email": email, "code": code}))["verifyLoginCode"]


async def challenge(rt: Runtime, identifier: str) -> LoginChallenge | None:
    async with rt.db.read() as session:
        return await session.scalar(
            select(LoginChallenge).where(LoginChallenge.identifier == identifier)
        )


def wrong(code: str) -> str:
    return str((int(code) + 1) % 10 ** len(code)).zfill(len(code))


async def test_code_expires_after_its_ttl(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    code = last_code(mailer, "ada@example.com")
    clock.advance(seconds=rt.settings.login_code_ttl)

    result = await verify(gql, code)

    assert result["session"] is None
    assert result["userErrors"] == [{"code": "CODE_EXPIRED", "field": ["code"]}]


async def test_code_works_until_just_before_expiry(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    clock.advance(seconds=rt.settings.login_code_ttl - 1)
    assert (await verify(gql, last_code(mailer, "ada@example.com")))["session"] is not None


async def test_code_is_single_use(gql: GraphQLClient, mailer: ConsoleEmailBackend) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    code = last_code(mailer, "ada@example.com")
    assert (await verify(gql, code))["session"] is not None

    again = await verify(gql, code)

    assert again["session"] is None
    assert again["userErrors"] == [{"code": "CODE_INVALID", "field": ["code"]}]


async def test_a_new_request_replaces_the_previous_code(
    gql: GraphQLClient, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    first = last_code(mailer, "ada@example.com")
    await gql.data(REQUEST, {"email": "ada@example.com"})
    second = last_code(mailer, "ada@example.com")
    if first == second:  # one in 10^6: the replacement is still a new challenge
        pytest.skip("the random codes collided")

    assert (await verify(gql, first))["userErrors"][0]["code"] == "CODE_INVALID"
    assert (await verify(gql, second))["session"] is not None


async def test_lockout_after_max_failures_refuses_even_the_right_code(
    gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    code = last_code(mailer, "ada@example.com")
    for _ in range(rt.settings.login_max_attempts):
        result = await verify(gql, wrong(code))
        assert result["userErrors"] == [{"code": "CODE_INVALID", "field": ["code"]}]

    locked = await verify(gql, code)

    assert locked["session"] is None
    assert locked["userErrors"] == [{"code": "TOO_MANY_ATTEMPTS", "field": ["code"]}]
    # A fresh code starts a fresh count.
    await gql.data(REQUEST, {"email": "ada@example.com"})
    assert (await verify(gql, last_code(mailer, "ada@example.com")))["session"] is not None


async def test_parallel_wrong_guesses_are_counted_exactly(
    gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    code = last_code(mailer, "ada@example.com")

    results = await asyncio.gather(*(verify(gql, wrong(code)) for _ in range(50)))

    codes = sorted(r["userErrors"][0]["code"] for r in results)
    max_attempts = rt.settings.login_max_attempts
    assert codes.count("CODE_INVALID") == max_attempts
    assert codes.count("TOO_MANY_ATTEMPTS") == 50 - max_attempts
    stored = await challenge(rt, "ada@example.com")
    assert stored is not None and stored.attempts == max_attempts
    assert (await verify(gql, code))["userErrors"][0]["code"] == "TOO_MANY_ATTEMPTS"


async def test_code_is_stored_only_as_a_keyed_hash(
    gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    code = last_code(mailer, "ada@example.com")
    stored = await challenge(rt, "ada@example.com")
    assert stored is not None
    assert code not in stored.code_hash
    assert len(stored.code_hash) == 64
    assert stored.code_hash != hashlib.sha256(code.encode()).hexdigest()


@pytest.mark.parametrize("settings_overrides", [{"login_code_length": 4}])
async def test_code_length_is_configurable(gql: GraphQLClient, mailer: ConsoleEmailBackend) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    code = last_code(mailer, "ada@example.com")
    assert len(code) == 4 and code.isdigit()
    shop = await gql.data("{ shop { settings { loginCodeLength loginCodeTtlSeconds } } }")
    assert shop["shop"]["settings"] == {"loginCodeLength": 4, "loginCodeTtlSeconds": 600}


async def test_a_phone_request_sends_one_sms_and_no_email(
    gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend, sms: ConsoleSmsBackend
) -> None:
    await factories.customer(rt, email="ada@example.com", phone="+14155550123")

    await gql.data(REQUEST, {"phone": "(415) 555-0123"})

    [text] = list(sms.sent)
    assert text.to == "+14155550123"
    assert list(mailer.sent) == []
    code = text.body.split()[0]
    result = (await gql.data(VERIFY, {"phone": "+1 415 555 0123", "code": code}))["verifyLoginCode"]
    assert result["customer"] == {"email": "ada@example.com"}


async def test_an_email_request_sends_one_email_and_no_sms(
    gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend, sms: ConsoleSmsBackend
) -> None:
    """A customer with a Canadian (SMS-capable) phone on file asks by email."""
    await factories.customer(rt, email="jean@example.com", phone="+15145550188")

    await gql.data(REQUEST, {"email": "jean@example.com"})

    assert list(sms.sent) == []
    assert [m.to for m in mailer.sent] == ["jean@example.com"]
    code = last_code(mailer, "jean@example.com")
    assert (await verify(gql, code, "jean@example.com"))["customer"] == {
        "email": "jean@example.com"
    }


async def test_other_countries_never_get_sms(
    gql: GraphQLClient, rt: Runtime, sms: ConsoleSmsBackend, mailer: ConsoleEmailBackend
) -> None:
    await factories.customer(rt, email="uk@example.com", phone="+447911123456")

    await gql.data(REQUEST, {"email": "uk@example.com"})
    by_phone = await gql.data(REQUEST, {"phone": "+447911123456"})

    assert list(sms.sent) == []
    assert [m.to for m in mailer.sent] == ["uk@example.com"]
    assert by_phone["requestLoginCode"]["userErrors"] == [{"code": "INVALID", "field": ["phone"]}]


async def test_unknown_phone_gets_the_same_answer_and_nothing_is_sent(
    gql: GraphQLClient, rt: Runtime, sms: ConsoleSmsBackend, mailer: ConsoleEmailBackend
) -> None:
    await factories.customer(rt, email="ada@example.com", phone="+14155550123")
    known = await gql.raw(REQUEST, {"phone": "+14155550123"})
    unknown = await gql.raw(REQUEST, {"phone": "+14155550199"})
    assert known.content == unknown.content
    assert [s.to for s in sms.sent] == ["+14155550123"]
    assert list(mailer.sent) == []


async def test_wrong_guesses_answer_alike_for_known_and_unknown_phones(
    gql: GraphQLClient, rt: Runtime
) -> None:
    """Verification must not reveal whether a number belongs to an account."""
    await factories.customer(rt, email="ada@example.com", phone="+14155550123")

    async def guesses(phone: str) -> list[str]:
        await gql.data(REQUEST, {"phone": phone})
        answers = []
        for _ in range(rt.settings.login_max_attempts + 1):
            body = await gql.data(VERIFY, {"phone": phone, "code": "000000"})
            answers.append(body["verifyLoginCode"]["userErrors"][0]["code"])
        return answers

    known, unknown = await guesses("+14155550123"), await guesses("+14155550199")

    assert known == unknown == ["CODE_INVALID"] * 5 + ["TOO_MANY_ATTEMPTS"]


async def test_bad_input_is_refused_with_a_field(gql: GraphQLClient) -> None:
    cases = [
        ({}, ["email"]),
        ({"email": "ada@example.com", "phone": "+14155550123"}, ["email"]),
        ({"email": "not-an-email"}, ["email"]),
        ({"phone": "12"}, ["phone"]),
    ]
    for variables, field in cases:
        result = await gql.data(REQUEST, variables)
        assert result["requestLoginCode"]["userErrors"] == [{"code": "INVALID", "field": field}]


async def test_verify_with_a_malformed_code_is_code_invalid(gql: GraphQLClient) -> None:
    result = await verify(gql, "abc")
    assert result["userErrors"] == [{"code": "CODE_INVALID", "field": ["code"]}]
