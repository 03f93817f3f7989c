"""The logged-in customer and their profile."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from models.customer import Customer as CustomerRow
from schema.context import Info
from schema.node import Node, to_global_id

if TYPE_CHECKING:
    from schema.address import Address, AddressConnection
    from schema.order import OrderConnection
    from schema.payment import PaymentMethod
    from schema.ticket import TicketConnection, TicketStatus


@strawberry.type(description="Whether the customer agreed to receive marketing.")
class MarketingConsent:
    email: bool = strawberry.field(description="Marketing by email.")
    sms: bool = strawberry.field(description="Marketing by text message.")


@strawberry.type(description="A customer account: the viewer of every query here.")
class Customer(Node):
    email: str = strawberry.field(description="Login and contact email, lower-cased.")
    phone: str | None = strawberry.field(description="Phone number in E.164 format.")
    first_name: str | None = strawberry.field(description="Given name.")
    last_name: str | None = strawberry.field(description="Family name.")
    language: str = strawberry.field(description="Preferred language, a BCP 47 tag.")
    marketing_consent: MarketingConsent = strawberry.field(
        description="Marketing consent by channel."
    )
    row: strawberry.Private[CustomerRow]

    @classmethod
    def from_row(cls, row: CustomerRow) -> Customer:
        assert row.id is not None
        return cls(
            id=to_global_id("Customer", row.id),
            email=row.email,
            phone=row.phone,
            first_name=row.first_name,
            last_name=row.last_name,
            language=row.language,
            marketing_consent=MarketingConsent(email=row.marketing_email, sms=row.marketing_sms),
            row=row,
        )

    @property
    def pk(self) -> int:
        assert self.row.id is not None
        return self.row.id

    # Edges (addresses, orders, tickets, payment methods) follow, one block per domain.

    @strawberry.field(description="The customer's orders, newest first.")
    async def orders(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Annotated[OrderConnection, strawberry.lazy("schema.order")]:
        from resolvers.order import customer_orders

        return await customer_orders(info, self.pk, first, after, last, before)

    @strawberry.field(description="Saved cards: the default first, then newest first.")
    async def payment_methods(
        self, info: Info
    ) -> list[Annotated[PaymentMethod, strawberry.lazy("schema.payment")]]:
        from resolvers.payment import payment_methods_of

        return await payment_methods_of(info, self.pk)

    @strawberry.field(description="The customer's support tickets, newest first.")
    async def tickets(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: Annotated[TicketStatus, strawberry.lazy("schema.ticket")] | None = None,
    ) -> Annotated[TicketConnection, strawberry.lazy("schema.ticket")]:
        from resolvers.ticket import tickets_of

        return await tickets_of(info, self.pk, first, after, status)

    @strawberry.field(description="The address book, oldest first.")
    async def addresses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Annotated[AddressConnection, strawberry.lazy("schema.address")]:
        from resolvers.address import customer_addresses

        return await customer_addresses(info, self.pk, first=first, after=after)

    @strawberry.field(description="Where orders ship unless told otherwise; null if none is set.")
    async def default_shipping_address(
        self, info: Info
    ) -> Annotated[Address, strawberry.lazy("schema.address")] | None:
        from resolvers.address import default_address

        return await default_address(info, self.pk, "SHIPPING")

    @strawberry.field(description="The default billing address; null if none is set.")
    async def default_billing_address(
        self, info: Info
    ) -> Annotated[Address, strawberry.lazy("schema.address")] | None:
        from resolvers.address import default_address

        return await default_address(info, self.pk, "BILLING")
