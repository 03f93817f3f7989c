"""Writes record who made them: idempotency keys and outbox events name their actor."""

from __future__ import annotations

from sqlalchemy import select

from models.events import IdempotencyKey, OutboxEvent
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories
from tests.graphql.cancel_order_support import CANCEL
from tests.graphql.tickets_support import CREATE
from tests.support import GraphQLClient


async def test_a_cancellation_records_the_customer_as_its_actor(
    gql: GraphQLClient, rt: Runtime
) -> None:
    await factories.set_flags(rt, order_cancellation_enabled=True)
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)

    data = await gql.data(
        CANCEL,
        {"input": {"orderId": to_global_id("Order", order.id)}},
        token=token,
        headers={"Idempotency-Key": "cancel-1"},
    )

    assert data["cancelOrder"]["userErrors"] == []
    async with rt.db.read() as session:
        keys = (await session.execute(select(IdempotencyKey.actor, IdempotencyKey.key))).all()
        events = (await session.execute(select(OutboxEvent.topic, OutboxEvent.actor))).all()
    assert [tuple(k) for k in keys] == [(f"customer:{ada.id}", "cancel-1")]
    assert [tuple(e) for e in events] == [("order.cancelled", f"customer:{ada.id}")]


async def test_two_customers_may_use_the_same_key_without_seeing_each_other(
    gql: GraphQLClient, rt: Runtime
) -> None:
    ada, grace = await factories.customer(rt), await factories.customer(rt)
    tokens = [await factories.login(rt, ada), await factories.login(rt, grace)]
    created = []
    for token, subject in zip(tokens, ("Ada's question", "Grace's question"), strict=True):
        data = await gql.data(
            CREATE,
            {"input": {"subject": subject, "message": "Hello"}},
            token=token,
            headers={"Idempotency-Key": "same-key"},
        )
        created.append(data["createTicket"]["ticket"]["subject"])

    assert created == ["Ada's question", "Grace's question"]
    async with rt.db.read() as session:
        actors = (await session.scalars(select(IdempotencyKey.actor))).all()
        events = (await session.execute(select(OutboxEvent.topic, OutboxEvent.actor))).all()
    assert sorted(actors) == sorted([f"customer:{ada.id}", f"customer:{grace.id}"])
    assert sorted(tuple(e) for e in events) == sorted(
        [("ticket.created", f"customer:{ada.id}"), ("ticket.created", f"customer:{grace.id}")]
    )
