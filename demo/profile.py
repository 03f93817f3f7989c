"""Demo data for the profile screens: address books and consent history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.address import Address
from models.customer import Customer
from plumbing.runtime import Runtime
from services.addresses import clean_address

# Per customer: (address, default shipping, default billing). Ada's defaults
# differ, so both default badges show on separate entries.
DEMO_ADDRESSES: dict[str, list[tuple[dict[str, str], bool, bool]]] = {
    "ada": [
        (
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "line1": "742 Valencia Street",
                "line2": "Apt 3",
                "city": "San Francisco",
                "province": "CA",
                "postal_code": "94110",
                "country_code": "US",
                "phone": "+1 415 555 0123",
            },
            True,
            False,
        ),
        (
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "company": "Analytical Engines Ltd",
                "line1": "500 Howard Street",
                "line2": "Floor 4",
                "city": "San Francisco",
                "province": "CA",
                "postal_code": "94105-2210",
                "country_code": "US",
            },
            False,
            True,
        ),
        (
            {
                "first_name": "Annabella",
                "last_name": "Milbanke",
                "line1": "12 St James's Square",
                "city": "London",
                "postal_code": "SW1Y 4JH",
                "country_code": "GB",
                "phone": "+44 20 7946 0321",
            },
            False,
            False,
        ),
    ],
    "jean": [
        (
            {
                "first_name": "Jean",
                "last_name": "Tremblay",
                "line1": "4521 rue Saint-Denis",
                "city": "Montréal",
                "province": "QC",
                "postal_code": "h2j 2l4",
                "country_code": "CA",
                "phone": "514 555 0188",
            },
            True,
            True,
        ),
    ],
    "grace": [
        (
            {
                "first_name": "Grace",
                "last_name": "Hopper",
                "line1": "1600 Wilson Boulevard",
                "city": "Arlington",
                "province": "VA",
                "postal_code": "22209",
                "country_code": "US",
            },
            True,
            True,
        ),
    ],
}


async def seed_addresses(
    rt: Runtime, session: AsyncSession, customers: dict[str, Customer]
) -> None:
    now = rt.clock.now()
    for handle, entries in DEMO_ADDRESSES.items():
        customer_id = customers[handle].id
        assert customer_id is not None
        for position, (raw, shipping, billing) in enumerate(entries):
            # Through the same validation as the API, so the demo shows stored forms.
            values: dict[str, Any] = clean_address(raw)
            created = now - timedelta(days=90 - position)
            session.add(
                Address(
                    customer_id=customer_id,
                    **values,
                    is_default_shipping=shipping,
                    is_default_billing=billing,
                    created_at=created,
                    updated_at=created,
                )
            )
    await session.flush()


async def seed_consent_history(
    rt: Runtime, session: AsyncSession, customers: dict[str, Customer]
) -> None:
    # Ada agreed to marketing email at checkout, before she had an account page.
    ada = customers["ada"]
    ada.marketing_email_updated_at = rt.clock.now() - timedelta(days=120)
    ada.marketing_email_source = "checkout"
    await session.flush()
