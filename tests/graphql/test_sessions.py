"""Sessions (bearer, sliding, logout) and the sign-in link page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select

from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from models.auth import CustomerSession, MagicLink
from plumbing.runtime import Runtime
from tests import factories
from tests.support import GraphQLClient

ME = "{ me { email } }"
LOGOUT = (
    """mutation($all: Boolean) { logout(input: {allSessions: $all}) { userErrors { code } } }"""
)
REDEEM = """mutation($t: String!) { redeemMagicLink(input: {token: $t}) {
  session { token } customer { email } userErrors { code field } } }"""


def link_token(mailer: ConsoleEmailBackend) -> str:
    text = mailer.sent[-1].text
    url = next(word for word in text.split() if "/auth/magic-link?" in word)
    return parse_qs(urlsplit(url).query)["token"][0]


async def sessions_of(rt: Runtime) -> int:
    async with rt.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(CustomerSession)) or 0)


async def test_session_token_is_opaque_and_only_its_hash_is_stored(
    gql: GraphQLClient, rt: Runtime
) -> None:
    token = await factories.login(rt, await factories.customer(rt))
    assert len(token) >= 43  # 256 bits, base64url
    async with rt.db.read() as session:
        stored = (await session.scalars(select(CustomerSession.token_hash))).all()
    assert stored and token not in stored


async def test_a_missing_token_is_anonymous_and_a_bad_one_refused(gql: GraphQLClient) -> None:
    assert (await gql.data(ME))["me"] is None
    for headers in ({"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        assert (await gql.raw(ME, headers=headers)).status_code == 401


async def signed_out(gql: GraphQLClient, token: str) -> bool:
    """The token no longer opens a session: the API answers 401 (RFC 6750)."""
    response = await gql.raw(ME, token=token)
    return response.status_code == 401 and 'error="invalid_token"' in response.headers.get(
        "www-authenticate", ""
    )


async def test_sessions_slide_forward_with_use(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock
) -> None:
    token = await factories.login(rt, await factories.customer(rt, email="ada@example.com"))
    ttl_days = rt.settings.session_ttl / 86_400
    clock.advance(days=ttl_days * 0.75)
    assert (await gql.data(ME, token=token))["me"] == {"email": "ada@example.com"}
    clock.advance(days=ttl_days * 0.75)  # past the original expiry
    assert (await gql.data(ME, token=token))["me"] == {"email": "ada@example.com"}
    clock.advance(days=ttl_days + 1)  # unused for longer than the ttl
    assert await signed_out(gql, token)


async def test_logout_revokes_this_session_only(gql: GraphQLClient, rt: Runtime) -> None:
    customer = await factories.customer(rt)
    this, other = await factories.login(rt, customer), await factories.login(rt, customer)

    result = await gql.data(LOGOUT, {"all": False}, token=this)

    assert result["logout"]["userErrors"] == []
    assert await signed_out(gql, this)
    assert (await gql.data(ME, token=other))["me"] is not None


async def test_logout_everywhere_revokes_every_session_of_the_customer(
    gql: GraphQLClient, rt: Runtime
) -> None:
    customer, bystander = await factories.customer(rt), await factories.customer(rt)
    tokens = [await factories.login(rt, customer) for _ in range(3)]
    kept = await factories.login(rt, bystander)

    await gql.data(LOGOUT, {"all": True}, token=tokens[0])

    for token in tokens:
        assert await signed_out(gql, token)
    assert (await gql.data(ME, token=kept))["me"] is not None
    assert await sessions_of(rt) == 1


async def test_logout_needs_a_session(gql: GraphQLClient) -> None:
    body = await gql(LOGOUT, {"all": False})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_magic_link_expires(
    gql: GraphQLClient, rt: Runtime, clock: ManualClock, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(
        'mutation { requestLoginCode(input: {email: "ada@example.com"}) { userErrors { code } } }'
    )
    token = link_token(mailer)
    clock.advance(seconds=rt.settings.magic_link_ttl + 1)

    result = (await gql.data(REDEEM, {"t": token}))["redeemMagicLink"]

    assert result["userErrors"] == [{"code": "CODE_EXPIRED", "field": ["token"]}]
    assert await sessions_of(rt) == 0


async def test_magic_link_is_stored_hashed(
    gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(
        'mutation { requestLoginCode(input: {email: "ada@example.com"}) { userErrors { code } } }'
    )
    token = link_token(mailer)
    async with rt.db.read() as session:
        hashes = (await session.scalars(select(MagicLink.token_hash))).all()
    assert len(hashes) == 1 and token not in hashes[0]


@pytest.mark.parametrize("origin", ["https://evil.example", "null"])
async def test_link_page_refuses_a_post_from_another_site(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    rt: Runtime,
    mailer: ConsoleEmailBackend,
    origin: str,
) -> None:
    """Login CSRF: a page elsewhere posting its owner's link to sign the visitor in."""
    await gql.data(
        'mutation { requestLoginCode(input: {email: "ada@example.com"}) { userErrors { code } } }'
    )
    token = link_token(mailer)

    forged = await http.post("/auth/magic-link", data={"token": token}, headers={"Origin": origin})

    assert forged.status_code == 403
    assert "opened from your email" in forged.text
    assert await sessions_of(rt) == 0
    # The link itself is untouched and still signs in from our own page.
    own = await http.post(
        "/auth/magic-link", data={"token": token}, headers={"Origin": "http://testserver"}
    )
    assert own.status_code == 303


async def test_link_page_get_does_not_consume_and_post_signs_in_once(
    http: httpx.AsyncClient, gql: GraphQLClient, rt: Runtime, mailer: ConsoleEmailBackend
) -> None:
    await gql.data(
        'mutation { requestLoginCode(input: {email: "ada@example.com"}) { userErrors { code } } }'
    )
    token = link_token(mailer)

    # A mail scanner prefetches the link, twice.
    for _ in range(2):
        page = await http.get("/auth/magic-link", params={"token": token})
        assert page.status_code == 200
        assert '<form method="post"' in page.text and token in page.text
    assert await sessions_of(rt) == 0

    # Posted by the page's own form, as a browser does it.
    posted = await http.post(
        "/auth/magic-link", data={"token": token}, headers={"Origin": "http://testserver"}
    )
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.startswith("https://shop.example/account/authenticate#")
    session_token = parse_qs(urlsplit(location).fragment)["session_token"][0]
    assert (await gql.data(ME, token=session_token))["me"] == {"email": "ada@example.com"}
    assert posted.headers["cache-control"] == "no-store"

    replay = await http.post("/auth/magic-link", data={"token": token})
    assert replay.status_code == 400
    assert "not valid" in replay.text
    assert await sessions_of(rt) == 1
