"""updateMarketingConsent: per-channel timestamps, omitted channels and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.graphql.profile_support import CONSENT, codes, stored, viewer


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
