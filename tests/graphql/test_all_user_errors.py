"""Every invalid field of an input is reported in one response, each with its path."""

from __future__ import annotations

import pytest

from domain.errors import ErrorCode, FieldErrors, ServiceError, ServiceErrors
from tests import factories
from tests.graphql import addresses_support as addresses
from tests.graphql import payment_methods_support as payments
from tests.graphql import profile_support as profile
from tests.graphql import tickets_support as tickets
from tests.graphql.test_profile_update import UPDATE as UPDATE_PROFILE

BAD_ADDRESS = {"line1": "  ", "city": "", "postalCode": "1234", "phone": "12"}


async def test_an_address_with_four_bad_fields_reports_four_errors(gql, rt) -> None:  # type: ignore[no-untyped-def]
    customer, token = await addresses.viewer(rt)
    await factories.address(rt, customer, default_shipping=True)
    before = await addresses.table(rt)

    result = await addresses.create(gql, token, addresses.valid(**BAD_ADDRESS))

    assert result["address"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID", ["address", "line1"]),
        ("INVALID", ["address", "city"]),
        ("INVALID", ["address", "postalCode"]),
        ("INVALID", ["address", "phone"]),
    ]
    assert all(e["message"] for e in result["userErrors"])
    assert await addresses.table(rt) == before


async def test_a_field_is_reported_once_even_when_two_rules_refuse_it(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await addresses.viewer(rt)
    # A control character empties line1; "Enter a street address" would only echo it.
    result = await addresses.create(
        gql, token, addresses.valid(line1="\x00", city="x" * 101, countryCode="XX")
    )
    assert [e["field"] for e in result["userErrors"]] == [
        ["address", "line1"],
        ["address", "city"],
        ["address", "countryCode"],
    ]


async def test_a_card_reports_its_token_and_billing_address_together(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await payments.viewer(rt)

    result = await payments.add_card(
        gql,
        token,
        gatewayToken="  ",
        billingAddress={"line1": "", "city": "Boston", "postalCode": "x", "countryCode": "US"},
    )

    assert result["paymentMethod"] is None
    assert [(e["code"], e["field"]) for e in result["userErrors"]] == [
        ("INVALID", ["gatewayToken"]),
        ("INVALID", ["billingAddress", "line1"]),
        ("INVALID", ["billingAddress", "postalCode"]),
    ]
    assert await payments.cards(rt) == []


async def test_a_profile_reports_every_bad_field(gql, rt) -> None:  # type: ignore[no-untyped-def]
    row, token = await profile.viewer(rt, first_name="Ada")
    before = await profile.stored(rt, row)

    data = await gql.data(
        UPDATE_PROFILE,
        {"input": {"firstName": "x" * 101, "lastName": "a\tb", "phone": "12", "language": "xx"}},
        token=token,
    )

    assert profile.codes(data["updateProfile"]) == [
        ("INVALID", ["firstName"]),
        ("INVALID", ["lastName"]),
        ("INVALID", ["phone"]),
        ("INVALID", ["language"]),
    ]
    assert await profile.stored(rt, row) == before


async def test_marketing_consent_reports_both_channels(gql, rt) -> None:  # type: ignore[no-untyped-def]
    row, token = await profile.viewer(rt)
    before = await profile.stored(rt, row)
    data = await gql.data(profile.CONSENT, {"input": {"email": None, "sms": None}}, token=token)
    assert profile.codes(data["updateMarketingConsent"]) == [
        ("INVALID", ["email"]),
        ("INVALID", ["sms"]),
    ]
    assert await profile.stored(rt, row) == before


async def test_a_ticket_reports_subject_message_and_order_together(gql, rt) -> None:  # type: ignore[no-untyped-def]
    _, token = await tickets.viewer(rt)
    before = await tickets.ticket_tables(rt)

    data = await gql.data(
        tickets.CREATE,
        {"input": {"subject": " ", "message": "\x00", "orderId": "T3JkZXI6OTk5OTk"}},
        token=token,
    )

    assert tickets.error_pairs(data["createTicket"]) == [
        ("INVALID", ["subject"]),
        ("INVALID", ["message"]),
        ("NOT_FOUND", ["orderId"]),
    ]
    assert await tickets.ticket_tables(rt) == before


# -- the exceptions themselves ---------------------------------------------------------


def test_one_collected_error_is_raised_as_itself() -> None:
    errors = FieldErrors()
    with errors.check():
        raise ServiceError(ErrorCode.INVALID, "Enter a city.", ["city"])
    with pytest.raises(ServiceError) as raised:
        errors.raise_any()
    assert type(raised.value) is ServiceError
    assert raised.value.errors == [raised.value]


def test_several_are_one_service_error_that_carries_them_all() -> None:
    first = ServiceError(ErrorCode.INVALID, "Enter a city.", ["city"])
    second = ServiceError(ErrorCode.TAKEN, "Taken.", ["phone"])
    nested = ServiceErrors([second, ServiceError(ErrorCode.INVALID, "Bad.", ["x"])])
    error = ServiceErrors([first, nested])
    # Code, message and field are the first refusal's, for code that reads one.
    assert (error.code, error.message, error.field) == (
        ErrorCode.INVALID,
        "Enter a city.",
        ["city"],
    )
    assert [e.field for e in error.errors] == [["city"], ["phone"], ["x"]]
    with pytest.raises(ValueError):
        ServiceErrors([])
    FieldErrors().raise_any()  # nothing collected: nothing raised
