"""Mailing addresses: the address book (`Address`), snapshots (`MailingAddress`)
and the `AddressInput` every domain accepts."""

from __future__ import annotations

from typing import Any

import strawberry

from models.address import ADDRESS_FIELDS
from models.address import Address as AddressRow
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.node import Node
from schema.common.pagination import PageInfo
from schema.customer.nodes import nodes


@strawberry.type(description="A postal address as it was recorded (on an order, a card...).")
class MailingAddress:
    first_name: str | None = strawberry.field(description="Recipient's given name.")
    last_name: str | None = strawberry.field(description="Recipient's family name.")
    company: str | None = strawberry.field(description="Company name.")
    line1: str = strawberry.field(description="Street address.")
    line2: str | None = strawberry.field(description="Apartment, suite, unit...")
    city: str = strawberry.field(description="City or town.")
    province: str | None = strawberry.field(description="State, province or region.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    phone: str | None = strawberry.field(description="Phone number in E.164 format.")

    @classmethod
    def from_snapshot(cls, snapshot: dict[str, Any]) -> MailingAddress:
        """From a JSON snapshot keyed by models.address.ADDRESS_FIELDS; absent keys are null."""
        values: dict[str, Any] = {name: snapshot.get(name) for name in ADDRESS_FIELDS}
        # Snapshots written before a field existed must still render.
        values["line1"] = values["line1"] or ""
        values["city"] = values["city"] or ""
        values["country_code"] = values["country_code"] or ""
        return cls(**values)


@strawberry.type(description="An entry in the customer's address book.")
class Address(Node):
    first_name: str | None = strawberry.field(description="Recipient's given name.")
    last_name: str | None = strawberry.field(description="Recipient's family name.")
    company: str | None = strawberry.field(description="Company name.")
    line1: str = strawberry.field(description="Street address.")
    line2: str | None = strawberry.field(description="Apartment, suite, unit...")
    city: str = strawberry.field(description="City or town.")
    province: str | None = strawberry.field(description="State, province or region.")
    postal_code: str | None = strawberry.field(description="Postal or ZIP code.")
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 country code.")
    phone: str | None = strawberry.field(description="Phone number in E.164 format.")
    is_default_shipping: bool = strawberry.field(
        description="Orders and subscriptions ship here unless told otherwise."
    )
    is_default_billing: bool = strawberry.field(description="The default billing address.")
    row: strawberry.Private[AddressRow]

    @classmethod
    def from_row(cls, row: AddressRow) -> Address:
        assert row.id is not None
        return cls(
            id=to_global_id("Address", row.id),
            first_name=row.first_name,
            last_name=row.last_name,
            company=row.company,
            line1=row.line1,
            line2=row.line2,
            city=row.city,
            province=row.province,
            postal_code=row.postal_code,
            country_code=row.country_code,
            phone=row.phone,
            is_default_shipping=row.is_default_shipping,
            is_default_billing=row.is_default_billing,
            row=row,
        )


@strawberry.type(description="One address in a page of the address book.")
class AddressEdge:
    cursor: str = strawberry.field(description="Pass as `after` to continue after this one.")
    node: Address = strawberry.field(description="The address.")


@strawberry.type(description="A page of the address book, oldest first.")
class AddressConnection:
    edges: list[AddressEdge] = strawberry.field(description="The addresses of this page.")
    page_info: PageInfo = strawberry.field(description="Where this page sits in the book.")


@strawberry.input(
    description="A postal address. Blank optional fields are stored as null; the postal code "
    "is required where the country uses one."
)
class AddressInput:
    first_name: str | None = strawberry.field(default=None, description="Given name.")
    last_name: str | None = strawberry.field(default=None, description="Family name.")
    company: str | None = strawberry.field(default=None, description="Company name.")
    line1: str = strawberry.field(description="Street address; required.")
    line2: str | None = strawberry.field(default=None, description="Apartment, suite, unit...")
    city: str = strawberry.field(description="City or town; required.")
    province: str | None = strawberry.field(default=None, description="State, province or region.")
    postal_code: str | None = strawberry.field(
        default=None, description="Postal or ZIP code; US: 12345 or 12345-6789, CA: A1A 1A1."
    )
    country_code: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. US, FR.")
    phone: str | None = strawberry.field(
        default=None, description="Phone number; national numbers are read in `countryCode`."
    )

    def to_fields(self) -> dict[str, str | None]:
        """The raw values keyed by models.address.ADDRESS_FIELDS, for the services."""
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


async def _address_node(ctx: RequestContext, row: AddressRow) -> Address:
    return Address.from_row(row)


nodes.register(
    "Address", model=AddressRow, loader=lambda loaders: loaders.address_by_id, wrap=_address_node
)
