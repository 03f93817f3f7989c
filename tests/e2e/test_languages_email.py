"""Emails in Spanish and German through a real SMTP server, sent in the shop's name."""

from __future__ import annotations

from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import Message

import pytest

from adapters.mail import SmtpEmailBackend
from plumbing.runtime import Runtime
from tests import factories
from tests.graphql.profile_support import REQUEST as EMAIL_CHANGE
from tests.smtp import SmtpServer, code_in, text_part
from tests.support import GraphQLClient

LOGIN = """mutation($email: String) {
  requestLoginCode(input: {email: $email}) { userErrors { code field message } }
}"""


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.controller.start()
    yield server
    server.controller.stop()


@pytest.fixture
def mailer(smtp: SmtpServer, rt_settings_sender: str) -> SmtpEmailBackend:
    return SmtpEmailBackend(rt_settings_sender, smtp.url, timeout=5)


@pytest.fixture
def rt_settings_sender() -> str:
    # EMAIL_FROM's default: an address without a display name.
    return "no-reply@example.com"


def html_part(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/html"]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(part.get_content_charset() or "utf-8")


def header(value: str) -> str:
    return str(make_header(decode_header(value)))


async def test_a_spanish_login_code_email(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    await factories.customer(rt, email="lucia@example.com", language="es")

    await gql.data(LOGIN, {"email": "lucia@example.com"})

    [message] = await smtp.wait_for("lucia@example.com")
    code = code_in(message)
    assert header(message["Subject"]) == f"{code} es tu código de acceso a Test Store"
    body = text_part(message)
    assert f"Tu código de acceso a Test Store es {code}." in body
    assert "Caduca en 10 minutos y solo se puede usar una vez." in body
    html = html_part(message)
    assert '<html lang="es">' in html
    assert "Iniciar sesión en Test Store" in html


async def test_a_new_address_gets_its_code_in_the_browsers_language(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    await gql.data(LOGIN, {"email": "neu@example.com"}, headers={"Accept-Language": "de-DE"})

    [message] = await smtp.wait_for("neu@example.com")
    assert header(message["Subject"]) == f"{code_in(message)} ist Ihr Anmeldecode für Test Store"


async def test_a_german_email_change_code(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    row = await factories.customer(rt, email="jonas@example.com", language="de")
    token = await factories.login(rt, row)

    await gql.data(EMAIL_CHANGE, {"input": {"newEmail": "jonas@beispiel.de"}}, token=token)

    [code_mail] = await smtp.wait_for("jonas@beispiel.de")
    code = code_in(code_mail)
    assert header(code_mail["Subject"]) == (
        f"{code} ist Ihr Code zur Bestätigung Ihrer neuen E-Mail-Adresse bei Test Store"
    )
    body = text_part(code_mail)
    assert "Sie möchten jonas@beispiel.de für Ihr Konto bei Test Store verwenden." in body
    assert f"Geben Sie diesen Code zur Bestätigung ein: {code}" in body
    [notice] = await smtp.wait_for("jonas@example.com")
    assert (
        header(notice["Subject"]) == "Die E-Mail-Adresse Ihres Kontos bei Test Store wird geändert"
    )


async def test_the_sender_defaults_to_the_shops_name(
    gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
) -> None:
    await factories.customer(rt, email="ada@example.com")

    await gql.data(LOGIN, {"email": "ada@example.com"})

    [message] = await smtp.wait_for("ada@example.com")
    assert header(message["From"]) == "Test Store <no-reply@example.com>"


class TestANamedSender:
    @pytest.fixture
    def rt_settings_sender(self) -> str:
        return "Ada's Beans <beans@example.com>"

    async def test_a_sender_named_in_the_setting_is_kept(
        self, gql: GraphQLClient, rt: Runtime, smtp: SmtpServer
    ) -> None:
        await factories.customer(rt, email="ada@example.com")

        await gql.data(LOGIN, {"email": "ada@example.com"})

        [message] = await smtp.wait_for("ada@example.com")
        assert header(message["From"]) == "Ada's Beans <beans@example.com>"
