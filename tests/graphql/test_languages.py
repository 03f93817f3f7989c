"""userErrors, the sign-in page and the invoice in the caller's language: the customer's
own, else `Accept-Language`; a language without a catalog cannot be chosen."""

from __future__ import annotations

from typing import Any

import httpx

from plumbing.runtime import Runtime
from tests.graphql.profile_support import ERRORS, PROFILE, stored, viewer
from tests.graphql.test_invoice import invoice_url, path
from tests.support import GraphQLClient

UPDATE = f"""mutation($input: UpdateProfileInput!) {{
  updateProfile(input: $input) {{ customer {{ {PROFILE} }} {ERRORS} }} }}"""
LOGIN = """mutation($email: String, $phone: String) {
  requestLoginCode(input: {email: $email, phone: $phone}) { userErrors { code field message } }
}"""


async def update(gql: GraphQLClient, token: str, **fields: Any) -> Any:
    return (await gql.data(UPDATE, {"input": fields}, token=token))["updateProfile"]


async def test_a_french_customers_user_errors_are_in_french(
    gql: GraphQLClient, rt: Runtime
) -> None:
    row, token = await viewer(rt, language="fr", first_name="Amélie")

    result = await update(gql, token, firstName="Jeanne", phone="not a phone", language="es-MX")

    assert result["customer"] is None
    assert result["userErrors"] == [
        {
            "code": "INVALID",
            "field": ["phone"],
            "message": "Saisissez un numéro de téléphone valide.",
        },
        {
            "code": "INVALID",
            "field": ["language"],
            "message": "La langue doit être l'une des suivantes\u00a0: "
            "en, en-US, en-GB, en-CA, de, es, fr, fr-CA.",
        },
    ]
    saved = await stored(rt, row)
    assert (saved["first_name"], saved["phone"], saved["language"]) == ("Amélie", None, "fr")


async def test_the_customers_language_wins_over_accept_language(
    gql: GraphQLClient, rt: Runtime
) -> None:
    _row, token = await viewer(rt, language="fr-CA")

    result = await gql.data(
        UPDATE,
        {"input": {"language": None}},
        token=token,
        headers={"Accept-Language": "de"},
    )

    [error] = result["updateProfile"]["userErrors"]
    assert error == {"code": "INVALID", "field": ["language"], "message": "Choisissez une langue."}


async def test_an_anonymous_request_is_answered_in_its_accept_language(
    gql: GraphQLClient, rt: Runtime
) -> None:
    german = await gql.data(
        LOGIN, {"email": "not an email"}, headers={"Accept-Language": "de-AT,de;q=0.9,en;q=0.5"}
    )
    spanish = await gql.data(LOGIN, {"email": "x@"}, headers={"Accept-Language": "it, es;q=0.8"})
    english = await gql.data(LOGIN, {"email": "x@"}, headers={"Accept-Language": "it, pt"})
    plain = await gql.data(LOGIN, {"email": "x@"})

    def error(data: Any) -> Any:
        [only] = data["requestLoginCode"]["userErrors"]
        return only

    assert error(german) == {
        "code": "INVALID",
        "field": ["email"],
        "message": "Geben Sie eine gültige E-Mail-Adresse ein.",
    }
    assert error(spanish)["message"] == "Introduce una dirección de correo electrónico válida."
    assert error(english)["message"] == "Enter a valid email address."
    assert error(plain)["message"] == "Enter a valid email address."


async def test_placeholders_are_filled_in_the_translation(gql: GraphQLClient, rt: Runtime) -> None:
    _row, token = await viewer(rt, language="de")

    result = await update(gql, token, firstName="x" * 300)

    assert result["userErrors"] == [
        {"code": "INVALID", "field": ["firstName"], "message": "Höchstens 100 Zeichen."}
    ]


async def test_a_language_without_a_catalog_cannot_be_chosen(
    gql: GraphQLClient, rt: Runtime
) -> None:
    row, token = await viewer(rt, language="en")

    for refused in ("it", "pt-BR", "de-CH", "xx"):
        result = await update(gql, token, language=refused)
        assert result["customer"] is None
        [error] = result["userErrors"]
        assert (error["code"], error["field"]) == ("INVALID", ["language"])
        assert (await stored(rt, row))["language"] == "en"

    for chosen, kept in (("de", "de"), ("ES", "es"), ("fr_ca", "fr-CA")):
        result = await update(gql, token, language=chosen)
        assert result["userErrors"] == []
        assert result["customer"]["language"] == kept


async def test_the_sign_in_page_speaks_the_browsers_language(http: httpx.AsyncClient) -> None:
    french = await http.get(
        "/auth/magic-link", params={"token": "abc"}, headers={"Accept-Language": "fr-CA,fr"}
    )
    german = await http.post(
        "/auth/magic-link", data={"token": "forged"}, headers={"Accept-Language": "de"}
    )
    english = await http.get("/auth/magic-link")

    assert '<html lang="fr-CA">' in french.text
    assert "Continuez vers votre compte." in french.text
    assert "Se connecter" in french.text
    assert german.status_code == 400
    assert "Link ungültig" in german.text
    assert "Dieser Anmeldelink ist ungültig." in german.text
    assert "Link incomplete" in english.text


async def test_the_invoice_is_in_the_customers_language(
    gql: GraphQLClient, rt: Runtime, http: httpx.AsyncClient
) -> None:
    german_url, _order = await invoice_url(gql, rt, language="de")
    spanish_url, _order = await invoice_url(gql, rt, language="es")

    german = (await http.get(path(german_url))).text
    spanish = (await http.get(path(spanish_url))).text

    assert '<html lang="de">' in german
    for word in ("Rechnung", "Rechnungsnummer", "Zwischensumme", "20. November 2026"):
        assert word in german
    for word in ("Factura", "Número de factura", "Subtotal", "20 de noviembre de 2026"):
        assert word in spanish
