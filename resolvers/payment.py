"""Saved cards: loaders, the node fetcher, `Customer.paymentMethods` and the mutations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import strawberry
from sqlmodel import col

from auth.permissions import IsAuthenticated
from models.address import PaymentMethod as PaymentMethodRow
from resolvers.batch import groups_by_key, rows_by_key
from resolvers.errors import payload
from resolvers.node import node_fetcher
from schema.context import Info
from schema.customer import Customer
from schema.node import decode_id, to_global_id
from schema.payment import (
    AddPaymentMethodInput,
    AddPaymentMethodPayload,
    PaymentMethod,
    RemovePaymentMethodInput,
    RemovePaymentMethodPayload,
    SetDefaultPaymentMethodInput,
    SetDefaultPaymentMethodPayload,
)
from services import payments

if TYPE_CHECKING:
    from models.database import Database


async def batch_payment_methods(db: Database, ids: Sequence[int]) -> list[PaymentMethodRow | None]:
    return await rows_by_key(db, PaymentMethodRow, col(PaymentMethodRow.id), ids)


async def batch_customer_payment_methods(
    db: Database, customer_ids: Sequence[int]
) -> list[list[PaymentMethodRow]]:
    return await groups_by_key(
        db,
        PaymentMethodRow,
        col(PaymentMethodRow.customer_id),
        customer_ids,
        col(PaymentMethodRow.is_default).desc(),
        col(PaymentMethodRow.created_at).desc(),
        col(PaymentMethodRow.id).desc(),
    )


@node_fetcher("PaymentMethod")
async def fetch_payment_method(info: Info, pk: int) -> PaymentMethod | None:
    row = await info.context.loaders.payment_method_by_id.load(pk)
    if row is None or row.customer_id != info.context.customer_id:
        return None
    return PaymentMethod.from_row(row)


async def payment_methods_of(info: Info, customer_id: int) -> list[PaymentMethod]:
    """`Customer.paymentMethods`: the default first, then newest first."""
    rows = await info.context.loaders.payment_methods_by_customer_id.load(customer_id)
    return [PaymentMethod.from_row(row) for row in rows]


def _viewer(info: Info) -> Customer:
    viewer = info.context.viewer
    assert viewer is not None
    # The cards just changed: let `customer.paymentMethods` read them afresh.
    info.context.loaders.payment_methods_by_customer_id.clear_all()
    return Customer.from_row(viewer.customer)


@strawberry.type
class PaymentMutations:
    @strawberry.mutation(
        description="Save a card from a payment-gateway token (never a card number). The "
        "first card becomes the default. Honours the `Idempotency-Key` header.",
        permission_classes=[IsAuthenticated],
    )
    async def add_payment_method(
        self, info: Info, input: AddPaymentMethodInput
    ) -> AddPaymentMethodPayload:
        async def work() -> dict[str, Any]:
            address = input.billing_address
            row = await payments.add_payment_method(
                info.context.rt,
                customer_id=info.context.customer_id,
                gateway_token=input.gateway_token,
                billing_address=None if address is None else address.to_fields(),
                make_default=bool(input.make_default),
                idempotency_key=info.context.idempotency_key,
            )
            return {"payment_method": PaymentMethod.from_row(row)}

        return await payload(AddPaymentMethodPayload, work())

    @strawberry.mutation(
        description="Make a saved card the default.", permission_classes=[IsAuthenticated]
    )
    async def set_default_payment_method(
        self, info: Info, input: SetDefaultPaymentMethodInput
    ) -> SetDefaultPaymentMethodPayload:
        async def work() -> dict[str, Any]:
            row = await payments.set_default_payment_method(
                info.context.rt,
                customer_id=info.context.customer_id,
                payment_method_id=decode_id(input.id, "PaymentMethod"),
            )
            return {"payment_method": PaymentMethod.from_row(row), "customer": _viewer(info)}

        return await payload(SetDefaultPaymentMethodPayload, work())

    @strawberry.mutation(
        description="Remove a saved card. Removing the default card leaves no default.",
        permission_classes=[IsAuthenticated],
    )
    async def remove_payment_method(
        self, info: Info, input: RemovePaymentMethodInput
    ) -> RemovePaymentMethodPayload:
        async def work() -> dict[str, Any]:
            removed = await payments.remove_payment_method(
                info.context.rt,
                customer_id=info.context.customer_id,
                payment_method_id=decode_id(input.id, "PaymentMethod"),
            )
            return {
                "deleted_payment_method_id": to_global_id("PaymentMethod", removed),
                "customer": _viewer(info),
            }

        return await payload(RemovePaymentMethodPayload, work())
