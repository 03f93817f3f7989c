"""The address book: Customer edges, `node(id:)` for addresses, their loaders
and mutations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import or_, select
from sqlmodel import col

from auth.permissions import IsAuthenticated
from models.address import Address as AddressRow
from models.customer import Customer as CustomerRow
from models.database import Database
from resolvers.batch import rows_by_key
from resolvers.errors import payload
from resolvers.node import node_fetcher
from schema.address import (
    Address,
    AddressConnection,
    AddressEdge,
    CreateAddressInput,
    CreateAddressPayload,
    DeleteAddressInput,
    DeleteAddressPayload,
    SetDefaultAddressInput,
    SetDefaultAddressPayload,
    UpdateAddressInput,
    UpdateAddressPayload,
)
from schema.context import Info
from schema.customer import Customer
from schema.node import decode_id, to_global_id
from schema.pagination import PageInfo
from services import addresses
from services.pagination import InvalidCursor, Page


async def addresses_by_id(db: Database, ids: Sequence[int]) -> list[AddressRow | None]:
    return await rows_by_key(db, AddressRow, AddressRow.id, ids)


async def default_addresses_by_customer_id(
    db: Database, customer_ids: Sequence[int]
) -> list[list[AddressRow]]:
    """Each customer's default shipping and billing rows (zero to two, maybe one row)."""
    async with db.read() as session:
        rows = await session.scalars(
            select(AddressRow).where(
                col(AddressRow.customer_id).in_(set(customer_ids)),
                or_(
                    col(AddressRow.is_default_shipping).is_(True),
                    col(AddressRow.is_default_billing).is_(True),
                ),
            )
        )
        grouped: dict[int, list[AddressRow]] = defaultdict(list)
        for row in rows:
            grouped[row.customer_id].append(row)
    return [grouped.get(key, []) for key in customer_ids]


async def customer_addresses(
    info: Info, customer_id: int, *, first: int | None, after: str | None
) -> AddressConnection:
    try:
        # Page[Any]: PageInfo.from_page takes Page[object] and Page is invariant.
        page: Page[Any] = await info.context.loaders.run(
            addresses.list_addresses(
                info.context.rt, customer_id=customer_id, first=first, after=after
            )
        )
    except InvalidCursor:
        raise GraphQLError("Invalid cursor", extensions={"code": "BAD_USER_INPUT"}) from None
    return AddressConnection(
        edges=[
            AddressEdge(cursor=cursor, node=Address.from_row(row))
            for row, cursor in zip(page.items, page.cursors, strict=True)
        ],
        page_info=PageInfo.from_page(page),
    )


async def default_address(info: Info, customer_id: int, kind: str) -> Address | None:
    flag = addresses.KINDS[kind]
    rows = await info.context.loaders.default_addresses_by_customer_id.load(customer_id)
    row = next((row for row in rows if getattr(row, flag)), None)
    return None if row is None else Address.from_row(row)


@node_fetcher("Address")
async def fetch_address(info: Info, pk: int) -> Address | None:
    row = await info.context.loaders.address_by_id.load(pk)
    if row is None or row.customer_id != info.context.customer_id:
        return None
    return Address.from_row(row)


def _forget_book(info: Info) -> None:
    """Drop what this request loaded about the book: contents and defaults may have moved."""
    # clear_all, not clear(key): Strawberry's clear raises KeyError for a key never loaded.
    loaders = info.context.loaders
    loaders.address_by_id.clear_all()
    loaders.default_addresses_by_customer_id.clear_all()


def _changed(info: Info, customer: CustomerRow) -> Customer:
    _forget_book(info)
    return Customer.from_row(customer)


@strawberry.type
class AddressMutations:
    @strawberry.mutation(
        description="Add an address to the book (at most 50). The first address becomes the "
        "default for shipping and billing unless the input says false.",
        permission_classes=[IsAuthenticated],
    )
    async def create_address(self, info: Info, input: CreateAddressInput) -> CreateAddressPayload:
        async def work() -> dict[str, object]:
            change = await addresses.create_address(
                info.context.rt,
                customer_id=info.context.customer_id,
                fields=input.address.to_fields(),
                default_shipping=input.default_shipping,
                default_billing=input.default_billing,
            )
            customer = _changed(info, change.customer)
            return {"address": Address.from_row(change.address), "customer": customer}

        return await payload(CreateAddressPayload, work())

    @strawberry.mutation(
        description="Replace the content of an address; whether it is a default is unchanged.",
        permission_classes=[IsAuthenticated],
    )
    async def update_address(self, info: Info, input: UpdateAddressInput) -> UpdateAddressPayload:
        async def work() -> dict[str, object]:
            row = await addresses.update_address(
                info.context.rt,
                customer_id=info.context.customer_id,
                address_id=decode_id(input.id, "Address"),
                fields=input.address.to_fields(),
            )
            _forget_book(info)
            return {"address": Address.from_row(row)}

        return await payload(UpdateAddressPayload, work())

    @strawberry.mutation(
        description="Remove an address. If it was a default, that default is left empty.",
        permission_classes=[IsAuthenticated],
    )
    async def delete_address(self, info: Info, input: DeleteAddressInput) -> DeleteAddressPayload:
        async def work() -> dict[str, object]:
            address_id = decode_id(input.id, "Address")
            customer = await addresses.delete_address(
                info.context.rt, customer_id=info.context.customer_id, address_id=address_id
            )
            assert address_id is not None
            return {
                "deleted_address_id": to_global_id("Address", address_id),
                "customer": _changed(info, customer),
            }

        return await payload(DeleteAddressPayload, work())

    @strawberry.mutation(
        description="Make an address the default for shipping or for billing, replacing the "
        "previous default of that kind.",
        permission_classes=[IsAuthenticated],
    )
    async def set_default_address(
        self, info: Info, input: SetDefaultAddressInput
    ) -> SetDefaultAddressPayload:
        async def work() -> dict[str, object]:
            change = await addresses.set_default_address(
                info.context.rt,
                customer_id=info.context.customer_id,
                address_id=decode_id(input.id, "Address"),
                kind=input.kind.value,
            )
            customer = _changed(info, change.customer)
            return {"address": Address.from_row(change.address), "customer": customer}

        return await payload(SetDefaultAddressPayload, work())
