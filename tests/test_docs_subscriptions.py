"""Every subscription example in docs/queries.md runs against the demo store as written."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlmodel import col

from adapters.clock import ManualClock
from adapters.mail import ConsoleEmailBackend
from adapters.sms import ConsoleSmsBackend
from app.main import create_app
from config import Settings
from demo.seed import seed_demo
from models.address import Address, PaymentMethod
from models.catalog import Product, ProductVariant
from models.customer import Customer
from models.database import Database
from models.merchant import PauseOption, RetentionOffer
from models.subscription import Subscription, SubscriptionLine
from plumbing.runtime import build_runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.support import GraphQLClient

DOC = Path(__file__).resolve().parent.parent / "docs" / "queries.md"


def examples() -> list[str]:
    """The operations of the Subscriptions section, in the order written."""
    section = DOC.read_text().split("## Subscriptions", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```graphql\n(.*?)```", section, flags=re.S)
    operations: list[str] = []
    for block in blocks:
        for part in re.split(r"\n(?=mutation |query )", block.strip()):
            operations.append(part.strip())
    return operations


async def test_the_subscription_examples_run_in_order(
    settings: Settings,
    db: Database,
    clock: ManualClock,
    mailer: ConsoleEmailBackend,
    sms: ConsoleSmsBackend,
) -> None:
    rt = build_runtime(settings, db=db, clock=clock, mailer=mailer, sms=sms)
    assert await seed_demo(rt)
    async with rt.db.read() as session:
        ada = await session.scalar(select(Customer).where(col(Customer.email) == "ada@example.com"))
        assert ada is not None
        subs = (
            await session.scalars(
                select(Subscription)
                .where(col(Subscription.customer_id) == ada.id)
                .order_by(col(Subscription.id))
            )
        ).all()
        pause = await session.scalar(select(PauseOption).order_by(col(PauseOption.id)))
        offer = await session.scalar(select(RetentionOffer))
        lines = (
            await session.scalars(
                select(SubscriptionLine)
                .where(col(SubscriptionLine.subscription_id) == subs[0].id)
                .order_by(col(SubscriptionLine.position))
            )
        ).all()
        variants = {
            handle: (
                await session.scalars(
                    select(ProductVariant)
                    .join(Product, col(Product.id) == col(ProductVariant.product_id))
                    .where(col(Product.handle) == handle)
                    .order_by(col(ProductVariant.position))
                )
            ).all()
            for handle in ("house-blend", "sencha-green-tea", "espresso-forte")
        }
        address = await session.scalar(
            select(Address).where(col(Address.customer_id) == ada.id).order_by(col(Address.id))
        )
        card = await session.scalar(
            select(PaymentMethod).where(
                col(PaymentMethod.customer_id) == ada.id, col(PaymentMethod.last4) == "8431"
            )
        )
    # The first demo subscription: active, with several frequencies offered.
    assert subs[0].status == "ACTIVE" and len(subs[0].allowed_frequencies) > 1
    assert pause is not None and offer is not None and address and card
    recurring = next(line for line in lines if not line.one_time)
    add_on = next(line for line in lines if line.one_time)
    assert recurring.variant_id == variants["house-blend"][1].id
    values = {
        "<add-on variant id>": to_global_id("ProductVariant", variants["sencha-green-tea"][0].id),
        "<line id>": to_global_id("SubscriptionLine", recurring.id),
        "<sibling variant id>": to_global_id("ProductVariant", variants["house-blend"][0].id),
        "<swap variant id>": to_global_id("ProductVariant", variants["espresso-forte"][0].id),
        "<add-on line id>": to_global_id("SubscriptionLine", add_on.id),
        "<address id>": to_global_id("Address", address.id),
        "<payment method id>": to_global_id("PaymentMethod", card.id),
        "<subscription id>": to_global_id("Subscription", subs[0].id),
        "<pause option id>": to_global_id("PauseOption", pause.id),
        "<offer id>": to_global_id("RetentionOffer", offer.id),
    }
    token = await factories.login(rt, ada)
    operations = examples()
    assert len(operations) >= 10

    app = create_app(settings, runtime=rt)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        gql = GraphQLClient(http)
        for operation in operations:
            for placeholder, value in values.items():
                operation = operation.replace(placeholder, value)
            assert "<" not in operation, operation
            variables = {"id": values["<subscription id>"]} if "$id" in operation else None
            data = await gql.data(operation, variables, token=token)
            for name, answer in data.items():
                if isinstance(answer, dict) and "userErrors" in answer:
                    assert answer["userErrors"] == [], (name, answer)
