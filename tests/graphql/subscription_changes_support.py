"""Shared by the tests of the line, billing and discount mutations: a signed-in customer
with a subscription, calling a mutation on it, and checking that a refusal left
everything as it was."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update

from models.address import PaymentMethod
from models.catalog import Product
from models.customer import Customer
from models.subscription import Subscription, SubscriptionDiscount
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.subscriptions_support import mutation, sid, stored
from tests.support import GraphQLClient

INPUT_TYPES = {
    "addProduct": "AddProductInput",
    "updateLineQuantity": "UpdateLineQuantityInput",
    "removeLine": "RemoveLineInput",
    "swapProduct": "SwapProductInput",
    "changeVariant": "ChangeVariantInput",
    "updateSubscriptionAddress": "UpdateSubscriptionAddressInput",
    "updateSubscriptionPaymentMethod": "UpdateSubscriptionPaymentMethodInput",
    "applyDiscountCode": "ApplyDiscountCodeInput",
    "removeDiscountCode": "RemoveDiscountCodeInput",
}


def gid(type_name: str, pk: int | None) -> str:
    assert pk is not None
    return to_global_id(type_name, pk)


def line_id(sub: Subscription, index: int = 0) -> str:
    return gid("SubscriptionLine", factories.lines_of(sub)[index].id)


async def _beside(rt: Runtime, sub_id: int) -> tuple[Any, ...]:
    """What these mutations write besides the subscription and its lines: codes, cards."""
    async with rt.db.read() as session:
        codes = await session.scalars(
            select(SubscriptionDiscount.discount_code_id).where(
                SubscriptionDiscount.subscription_id == sub_id  # type: ignore[arg-type]
            )
        )
        cards = await session.scalar(select(func.count()).select_from(PaymentMethod))
        return sorted(codes.all()), cards


@dataclass
class Portal:
    """A signed-in customer and the subscription the calls are about (by default)."""

    gql: GraphQLClient
    rt: Runtime
    customer: Customer
    token: str
    sub: Subscription

    def about(self, sub: Subscription) -> Portal:
        """The same customer, calling about another subscription (theirs or not)."""
        return Portal(self.gql, self.rt, self.customer, self.token, sub)

    async def call(
        self, name: str, headers: dict[str, str] | None = None, **input: Any
    ) -> dict[str, Any]:
        """The mutation's payload: `subscription` and `userErrors`."""
        input.setdefault("subscriptionId", sid(self.sub))
        query = mutation(name, INPUT_TYPES[name])
        data = await self.gql.data(query, {"input": input}, token=self.token, headers=headers)
        return dict(data[name])

    async def accepted(self, name: str, **input: Any) -> dict[str, Any]:
        """The changed subscription, after asserting there was no refusal."""
        result = await self.call(name, **input)
        assert result["userErrors"] == [], result["userErrors"]
        return dict(result["subscription"])

    async def refused(self, name: str, error: str, field: list[str] | None, **input: Any) -> str:
        """Assert the one userError's code and field, and that nothing changed; returns
        the message."""
        assert self.sub.id is not None
        before = (await stored(self.rt, self.sub.id), await _beside(self.rt, self.sub.id))
        result = await self.call(name, **input)
        assert result["subscription"] is None
        [answer] = result["userErrors"]
        assert (answer["code"], answer["field"]) == (error, field), answer
        assert (await stored(self.rt, self.sub.id), await _beside(self.rt, self.sub.id)) == before
        return str(answer["message"])


async def portal(gql: GraphQLClient, rt: Runtime, **subscription: Any) -> Portal:
    """A new customer, signed in, with one subscription made by `factories.subscription`."""
    customer = await factories.customer(rt)
    token = await factories.login(rt, customer)
    sub = await factories.subscription(rt, customer, **subscription)
    return Portal(gql, rt, customer, token, sub)


async def set_product(rt: Runtime, product_id: int | None, **values: Any) -> None:
    async with rt.db.transaction() as session:
        await session.execute(
            update(Product).where(Product.id == product_id).values(**values)  # type: ignore[arg-type]
        )
