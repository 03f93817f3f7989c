"""Address-book mutations: add, change, delete, choose the defaults."""

from __future__ import annotations

import strawberry

from models.customer import Customer as CustomerRow
from resolvers.ids import decode_id, to_global_id
from schema.common.enums import AddressKind
from schema.common.errors import UserError, payload
from schema.customer.context import Info
from schema.customer.permissions import IsAuthenticated
from schema.customer.types.address import Address, AddressInput
from schema.customer.types.customer import Customer
from services import addresses


@strawberry.input(description="A new address-book entry.")
class CreateAddressInput:
    address: AddressInput = strawberry.field(description="The address.")
    default_shipping: bool | None = strawberry.field(
        default=None,
        description="Make it the default shipping address. Omitted or null: only if it is "
        "the customer's first address.",
    )
    default_billing: bool | None = strawberry.field(
        default=None,
        description="Make it the default billing address. Omitted or null: only if it is "
        "the customer's first address.",
    )


@strawberry.input(description="Replace every field of an address (its defaults are kept).")
class UpdateAddressInput:
    id: strawberry.ID = strawberry.field(description="The address to change.")
    address: AddressInput = strawberry.field(description="Its new content.")


@strawberry.input(description="An address to remove from the book.")
class DeleteAddressInput:
    id: strawberry.ID = strawberry.field(description="The address to delete.")


@strawberry.input(description="Make an address the default of one kind.")
class SetDefaultAddressInput:
    id: strawberry.ID = strawberry.field(description="The address.")
    kind: AddressKind = strawberry.field(description="Shipping or billing.")


@strawberry.type(description="Result of createAddress.")
class CreateAddressPayload:
    address: Address | None = strawberry.field(description="The new address.")
    customer: Customer | None = strawberry.field(
        description="The customer, with their defaults as they are now."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of updateAddress.")
class UpdateAddressPayload:
    address: Address | None = strawberry.field(description="The address as saved.")
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of deleteAddress.")
class DeleteAddressPayload:
    deleted_address_id: strawberry.ID | None = strawberry.field(
        description="The global ID the deleted address had."
    )
    customer: Customer | None = strawberry.field(
        description="The customer; a deleted default leaves that default empty."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


@strawberry.type(description="Result of setDefaultAddress.")
class SetDefaultAddressPayload:
    address: Address | None = strawberry.field(description="The new default.")
    customer: Customer | None = strawberry.field(
        description="The customer, with their defaults as they are now."
    )
    user_errors: list[UserError] = strawberry.field(description="Refusals, if any.")


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
                kind=input.kind,
            )
            customer = _changed(info, change.customer)
            return {"address": Address.from_row(change.address), "customer": customer}

        return await payload(SetDefaultAddressPayload, work())
