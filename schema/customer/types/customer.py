"""The signed-in customer: profile fields and every edge of "My account"."""

from __future__ import annotations

import strawberry

from models.customer import Customer as CustomerRow
from models.subscription import Subscription as SubscriptionRow
from models.ticket import Ticket as TicketRow
from resolvers.context import RequestContext
from resolvers.ids import to_global_id
from schema.common.enums import AddressKind, SubscriptionStatus, TicketStatus
from schema.common.node import Node
from schema.common.pagination import PAGING, connection
from schema.customer.context import Info
from schema.customer.nodes import nodes
from schema.customer.types.address import Address, AddressConnection, AddressEdge
from schema.customer.types.order import Order, OrderConnection, OrderEdge
from schema.customer.types.payment import PaymentMethod
from schema.customer.types.subscription import (
    Subscription,
    SubscriptionConnection,
    SubscriptionEdge,
)
from schema.customer.types.ticket import Ticket, TicketConnection, TicketEdge
from services import addresses, orders, subscriptions, tickets


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

    @strawberry.field(description=f"The customer's orders, newest first. {PAGING}")
    async def orders(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> OrderConnection:
        read = orders.list_orders(
            info.context.rt,
            customer_id=self.pk,
            first=first,
            after=after,
            last=last,
            before=before,
        )
        return await connection(
            info.context,
            read,
            connection_type=OrderConnection,
            edge_type=OrderEdge,
            node=Order.from_row,
            path=info.path,
        )

    @strawberry.field(description="Saved cards: the default first, then newest first.")
    async def payment_methods(self, info: Info) -> list[PaymentMethod]:
        rows = await info.context.loaders.payment_methods_by_customer_id.load(self.pk)
        return [PaymentMethod.from_row(row) for row in rows]

    @strawberry.field(
        description="The customer's subscriptions, newest first, optionally of one status. "
        f"{PAGING}"
    )
    async def subscriptions(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: SubscriptionStatus | None = None,
    ) -> SubscriptionConnection:
        loaders = info.context.loaders

        def node(row: SubscriptionRow) -> Subscription:
            assert row.id is not None
            # `node(id:)` or a ticket's subscription later in the document need not read it again.
            loaders.subscription_by_id.prime(row.id, row)
            return Subscription.from_row(row)

        read = subscriptions.subscription_page(
            info.context.rt, customer_id=self.pk, status=status, first=first, after=after
        )
        return await connection(
            info.context,
            read,
            connection_type=SubscriptionConnection,
            edge_type=SubscriptionEdge,
            node=node,
            path=info.path,
        )

    @strawberry.field(description=f"The customer's support tickets, newest first. {PAGING}")
    async def tickets(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: TicketStatus | None = None,
    ) -> TicketConnection:
        loaders = info.context.loaders

        def node(row: TicketRow) -> Ticket:
            assert row.id is not None
            # `node(id:)` later in the same document need not read it again.
            loaders.ticket_by_id.prime(row.id, row)
            return Ticket.from_row(row)

        read = tickets.ticket_page(
            info.context.rt, customer_id=self.pk, status=status, first=first, after=after
        )
        return await connection(
            info.context,
            read,
            connection_type=TicketConnection,
            edge_type=TicketEdge,
            node=node,
            path=info.path,
        )

    @strawberry.field(description=f"The address book, oldest first. {PAGING}")
    async def addresses(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> AddressConnection:
        read = addresses.list_addresses(
            info.context.rt, customer_id=self.pk, first=first, after=after
        )
        return await connection(
            info.context,
            read,
            connection_type=AddressConnection,
            edge_type=AddressEdge,
            node=Address.from_row,
            path=info.path,
        )

    async def _default(self, info: Info, kind: AddressKind) -> Address | None:
        rows = await info.context.loaders.default_addresses_by_customer_id.load(self.pk)
        row = next((row for row in rows if addresses.is_default(row, kind)), None)
        return None if row is None else Address.from_row(row)

    @strawberry.field(description="Where orders ship unless told otherwise; null if none is set.")
    async def default_shipping_address(self, info: Info) -> Address | None:
        return await self._default(info, AddressKind.SHIPPING)

    @strawberry.field(description="The default billing address; null if none is set.")
    async def default_billing_address(self, info: Info) -> Address | None:
        return await self._default(info, AddressKind.BILLING)


async def _customer_node(ctx: RequestContext, row: CustomerRow) -> Customer:
    return Customer.from_row(row)


nodes.register(
    "Customer",
    model=CustomerRow,
    loader=lambda loaders: loaders.customer_by_id,
    wrap=_customer_node,
)
