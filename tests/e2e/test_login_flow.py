"""The passwordless login flow end to end: real HTTP, real SMTP delivery."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from adapters.mail import SmtpEmailBackend
from models.customer import Customer
from plumbing.runtime import Runtime
from tests import factories
from tests.smtp import SmtpServer, code_in, link_token_in, text_part
from tests.support import GraphQLClient

REQUEST = """mutation($email: String, $phone: String) {
  requestLoginCode(input: {email: $email, phone: $phone}) { userErrors { code field message } }
}"""
VERIFY = """mutation($email: String, $phone: String, $code: String!) {
  verifyLoginCode(input: {email: $email, phone: $phone, code: $code}) {
    session { token expiresAt } customer { email } userErrors { code field }
  }
}"""


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailer(smtp: SmtpServer) -> SmtpEmailBackend:  # replaces the console backend
    return SmtpEmailBackend("Test Store <store@example.com>", smtp.url, timeout=5)


async def test_code_by_email_logs_in_an_existing_customer(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    await factories.customer(rt, email="ada@example.com", first_name="Ada")

    sent = await gql.data(REQUEST, {"email": "Ada@Example.com"})
    assert sent["requestLoginCode"]["userErrors"] == []
    [message] = await smtp.wait_for("ada@example.com")
    assert "login code" in message["Subject"]
    code = code_in(message)
    assert len(code) == rt.settings.login_code_length

    result = (await gql.data(VERIFY, {"email": "ada@example.com", "code": code}))["verifyLoginCode"]
    assert result["userErrors"] == []
    assert result["customer"] == {"email": "ada@example.com"}
    me = await gql.data("{ me { email firstName } }", token=result["session"]["token"])
    assert me["me"] == {"email": "ada@example.com", "firstName": "Ada"}


async def test_first_login_registers_the_email(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    await gql.data(REQUEST, {"email": "new@example.com"})
    code = code_in((await smtp.wait_for("new@example.com"))[0])

    result = (await gql.data(VERIFY, {"email": "new@example.com", "code": code}))["verifyLoginCode"]

    assert result["customer"] == {"email": "new@example.com"}
    async with rt.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Customer)) == 1


async def test_email_is_in_the_customers_language(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    await factories.customer(rt, email="jean@example.com", language="fr-CA")
    await gql.data(REQUEST, {"email": "jean@example.com"})
    [message] = await smtp.wait_for("jean@example.com")
    assert "code de connexion" in message["Subject"]
    assert "Votre code" in text_part(message)


async def test_magic_link_from_the_email_signs_in_once(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    await factories.customer(rt, email="ada@example.com")
    await gql.data(REQUEST, {"email": "ada@example.com"})
    token = link_token_in((await smtp.wait_for("ada@example.com"))[0])
    redeem = """mutation($t: String!) { redeemMagicLink(input: {token: $t}) {
        session { token } customer { email } userErrors { code field } } }"""

    first = (await gql.data(redeem, {"t": token}))["redeemMagicLink"]
    second = (await gql.data(redeem, {"t": token}))["redeemMagicLink"]

    assert first["customer"] == {"email": "ada@example.com"}
    assert second == {
        "session": None,
        "customer": None,
        "userErrors": [{"code": "CODE_INVALID", "field": ["token"]}],
    }
