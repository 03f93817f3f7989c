"""Throttles kept in the database, and replies that never reveal whether an address is known."""

from __future__ import annotations

import asyncio

import pytest

from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

REQUEST = """mutation($email: String) {
  requestLoginCode(input: {email: $email}) { userErrors { code field message } }
}"""
VERIFY = """mutation($email: String, $code: String!) {
  verifyLoginCode(input: {email: $email, code: $code}) { session { token } userErrors { code } }
}"""


async def test_known_and_unknown_addresses_get_identical_replies(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.customer(rt, email="known@example.com")

    known = await gql.raw(REQUEST, {"email": "known@example.com"})
    unknown = await gql.raw(REQUEST, {"email": "unknown@example.com"})

    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert known.json()["data"] == {"requestLoginCode": {"userErrors": []}}


async def test_codes_per_address_are_limited_per_window(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock, mailer: ConsoleEmailBackend
) -> None:
    limit = rt.settings.login_codes_per_window
    for _ in range(limit):
        body = await gql.data(REQUEST, {"email": "ada@example.com"})
        assert body["requestLoginCode"]["userErrors"] == []

    refused = await gql.data(REQUEST, {"email": "ada@example.com"})

    assert refused["requestLoginCode"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert len(mailer.sent) == limit
    # Another address is not affected, and the window passes.
    assert (await gql.data(REQUEST, {"email": "bob@example.com"}))["requestLoginCode"][
        "userErrors"
    ] == []
    clock.advance(seconds=rt.settings.login_code_window)
    assert (await gql.data(REQUEST, {"email": "ada@example.com"}))["requestLoginCode"][
        "userErrors"
    ] == []


async def test_a_throttled_unknown_address_looks_like_a_throttled_known_one(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.customer(rt, email="known@example.com")
    for _ in range(rt.settings.login_codes_per_window):
        await gql.raw(REQUEST, {"email": "known@example.com"})
        await gql.raw(REQUEST, {"email": "unknown@example.com"})

    known = await gql.raw(REQUEST, {"email": "known@example.com"})
    unknown = await gql.raw(REQUEST, {"email": "unknown@example.com"})

    assert known.content == unknown.content
    assert known.json()["data"]["requestLoginCode"]["userErrors"][0]["code"] == "RATE_LIMITED"


@pytest.mark.parametrize("settings_overrides", [{"login_requests_per_ip": 4}])
async def test_requests_per_client_ip_are_limited(
    gql: GraphQLClient, mailer: ConsoleEmailBackend
) -> None:
    for n in range(4):
        body = await gql.data(REQUEST, {"email": f"user{n}@example.com"})
        assert body["requestLoginCode"]["userErrors"] == []

    refused = await gql.data(REQUEST, {"email": "user9@example.com"})

    assert refused["requestLoginCode"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert len(mailer.sent) == 4


@pytest.mark.parametrize(
    "settings_overrides", [{"login_failures_per_day": 3, "login_codes_per_window": 10}]
)
async def test_failed_verifications_per_account_per_day_are_limited(
    gql: GraphQLClient, clock: ManualClock, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(REQUEST, {"email": "ada@example.com"})
    for _ in range(3):
        result = await gql.data(VERIFY, {"email": "ada@example.com", "code": "000000"})
        assert result["verifyLoginCode"]["userErrors"][0]["code"] in ("CODE_INVALID",)
    # Even a brand-new, correct code is refused for the rest of the day.
    await gql.data(REQUEST, {"email": "ada@example.com"})
    code = next(m for m in reversed(mailer.sent)).subject.split()[0]

    refused = await gql.data(VERIFY, {"email": "ada@example.com", "code": code})

    assert refused["verifyLoginCode"] == {
        "session": None,
        "userErrors": [{"code": "RATE_LIMITED"}],
    }
    clock.advance(days=1)
    allowed = await gql.data(VERIFY, {"email": "ada@example.com", "code": code})
    assert allowed["verifyLoginCode"]["userErrors"] == [{"code": "CODE_EXPIRED"}]


@pytest.mark.parametrize(
    "settings_overrides", [{"login_requests_per_ip": 2, "trust_proxy_headers": True}]
)
async def test_behind_a_proxy_the_ip_limit_counts_the_address_the_proxy_saw(
    gql: GraphQLClient, mailer: ConsoleEmailBackend
) -> None:
    """The client writes the left of X-Forwarded-For; our proxy appends the right."""
    answers = []
    for n in range(4):
        forwarded = {"X-Forwarded-For": f"10.0.0.{n}, 198.51.100.7"}
        body = await gql.data(REQUEST, {"email": f"user{n}@example.com"}, headers=forwarded)
        answers.append([e["code"] for e in body["requestLoginCode"]["userErrors"]])
    other = await gql.data(
        REQUEST, {"email": "user9@example.com"}, headers={"X-Forwarded-For": "198.51.100.8"}
    )

    assert answers == [[], [], ["RATE_LIMITED"], ["RATE_LIMITED"]]
    assert other["requestLoginCode"]["userErrors"] == []
    assert len(mailer.sent) == 3


async def test_no_burst_across_a_window_boundary(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock, mailer: ConsoleEmailBackend
) -> None:
    """3 per 10 minutes holds for any 10 minutes: 3 codes at 15:09:54 leave no room at
    15:10:06 (a clock-aligned window would have opened at 15:10:00)."""
    limit, window = rt.settings.login_codes_per_window, rt.settings.login_code_window
    clock.advance(seconds=window - 6)
    for _ in range(limit):
        body = await gql.data(REQUEST, {"email": "ada@example.com"})
        assert body["requestLoginCode"]["userErrors"] == []

    clock.advance(seconds=12)
    across = await gql.data(REQUEST, {"email": "ada@example.com"})
    clock.advance(seconds=window - 12 - 1)
    just_before = await gql.data(REQUEST, {"email": "ada@example.com"})
    clock.advance(seconds=1)  # a full window after the first code
    after = await gql.data(REQUEST, {"email": "ada@example.com"})

    assert across["requestLoginCode"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert just_before["requestLoginCode"]["userErrors"][0]["code"] == "RATE_LIMITED"
    assert after["requestLoginCode"]["userErrors"] == []
    assert len(mailer.sent) == limit + 1


async def test_refused_requests_do_not_lengthen_the_wait(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    window = rt.settings.login_code_window
    for _ in range(rt.settings.login_codes_per_window):
        await gql.data(REQUEST, {"email": "ada@example.com"})
    for _ in range(5):
        clock.advance(seconds=window // 10)
        refused = await gql.data(REQUEST, {"email": "ada@example.com"})
        assert refused["requestLoginCode"]["userErrors"][0]["code"] == "RATE_LIMITED"

    clock.advance(seconds=window - 5 * (window // 10))
    allowed = await gql.data(REQUEST, {"email": "ada@example.com"})

    assert allowed["requestLoginCode"]["userErrors"] == []


async def test_parallel_requests_never_pass_the_limit(
    gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend
) -> None:
    limit = rt.settings.login_codes_per_window

    bodies = await asyncio.gather(
        *(gql.data(REQUEST, {"email": "ada@example.com"}) for _ in range(20))
    )

    codes = [[e["code"] for e in b["requestLoginCode"]["userErrors"]] for b in bodies]
    assert codes.count([]) == limit
    assert codes.count(["RATE_LIMITED"]) == 20 - limit
    assert len(mailer.sent) == limit
