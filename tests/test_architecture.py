"""The house rules that hold the layers together, checked on the code itself.

import-linter (`make imports`) enforces the layers and the surfaces'
independence; these tests cover what a contract cannot: no cycle among any
modules at all, the enum boundary, the one declaration of merchant flags and
the one ownership rule.
"""

from __future__ import annotations

import grimp
import pytest
from graphql import GraphQLObjectType
from sqlalchemy import insert, select

from domain.actors import Actor, ActorKind
from domain.errors import ErrorCode, ServiceError
from domain.merchant import SubscriptionAction, allows
from domain.statuses import OrderStatus
from models.address import Address
from models.catalog import Product
from models.customer import Customer
from models.order import Order
from models.shop import CustomerAccountSettings
from plumbing.runtime import Runtime
from schema.customer import build_schema
from services.access import can_read
from tests import factories

PACKAGES = (
    "app", "demo", "migrations", "schema", "resolvers", "services", "auth",
    "plumbing", "adapters", "models", "domain", "config",
)  # fmt: skip


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back_through_any_path() -> None:
    # grimp reads every import statement, inside functions and TYPE_CHECKING blocks too.
    graph = grimp.build_graph(*PACKAGES)
    assert _cycles(graph) == []


def test_an_unknown_error_code_cannot_be_raised() -> None:
    assert ServiceError(ErrorCode.INVALID, "x").code is ErrorCode.INVALID
    with pytest.raises(ValueError):
        ServiceError("NOT_A_CODE", "x")  # type: ignore[arg-type]


async def test_an_unknown_status_cannot_be_written(rt: Runtime) -> None:
    ada = await factories.customer(rt)
    order = await factories.order(rt, ada)
    with pytest.raises(Exception, match="'LOST' is not a valid OrderStatus"):
        async with rt.db.transaction() as session:
            row = await session.get(Order, order.id)
            assert row is not None
            row.status = "LOST"  # type: ignore[assignment]
    async with rt.db.read() as session:
        stored = await session.scalar(select(Order.status).where(Order.id == order.id))
    # Read back as a member, and unchanged.
    assert stored is OrderStatus.OPEN


async def test_a_status_is_refused_even_in_a_core_insert(rt: Runtime) -> None:
    ada = await factories.customer(rt)
    order = await factories.order(rt, ada)
    values = {
        c.name: getattr(order, c.name)
        for c in Order.__table__.columns
        if c.name not in ("id", "number")
    }
    with pytest.raises(Exception, match="is not a valid OrderStatus"):
        async with rt.db.transaction() as session:
            await session.execute(
                insert(Order).values(
                    **{**values, "number": "#X", "invoice_number": "INV-X", "status": "open"}
                )
            )


def test_merchant_flags_come_from_one_declaration() -> None:
    columns = {c.name for c in CustomerAccountSettings.__table__.columns}
    declared = {action.column_name for action in SubscriptionAction}
    assert declared <= columns
    assert columns - declared == {
        "shop_id",
        "order_cancellation_enabled",
        "support_enabled",
        "max_skip_cycles",
        "date_horizon_days",
        "dunning_schedule",
        "upcoming_order_notice_days",
    }

    schema = build_schema()._schema
    graph_type = schema.get_type("SubscriptionActionSettings")
    assert isinstance(graph_type, GraphQLObjectType)
    assert [(name, field.description) for name, field in graph_type.fields.items()] == [
        (_camel(action.value), action.description) for action in SubscriptionAction
    ]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def test_allows_reads_the_declared_switch() -> None:
    settings = CustomerAccountSettings(shop_id=1)
    assert all(allows(settings, action) for action in SubscriptionAction)
    setattr(settings, SubscriptionAction.SKIP.column_name, False)
    assert not allows(settings, SubscriptionAction.SKIP)
    assert allows(settings, SubscriptionAction.PAUSE)


def test_a_customer_reads_only_their_own_rows_and_public_ones() -> None:
    ada, grace = Actor.customer(1), Actor.customer(2)
    address = Address(id=9, customer_id=1, line1="1 Way", city="Paris", country_code="FR")
    me = Customer(id=1, email="ada@example.com")
    product = Product(id=3, title="House Blend", handle="house-blend")

    assert can_read(ada, Address, address) and can_read(ada, Customer, me)
    assert can_read(ada, Product, product)
    assert not can_read(grace, Address, address)
    assert not can_read(grace, Customer, me)
    assert can_read(grace, Product, product)
    assert not can_read(None, Product, product)
    # A row of a table nobody owns and that is not public stays hidden.
    assert not can_read(ada, Order, object())
    # Merchant and system callers are bound by their surface's scopes, not by ownership.
    assert can_read(Actor(ActorKind.API_KEY, "7"), Address, address)
    assert can_read(Actor.system("worker"), Address, address)


def test_actor_keys_round_trip() -> None:
    for actor in (Actor.customer(42), Actor(ActorKind.API_KEY, "7"), Actor.system("worker")):
        assert Actor.from_key(actor.key) == actor
    assert Actor.customer(42).key == "customer:42"
    assert Actor.customer(42).customer_id == 42
    assert Actor.system("worker").customer_id is None
