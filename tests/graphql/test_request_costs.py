"""What a request costs the database and the validator, counted, not timed.

Every query request checks out one connection, begins no transaction (its
reads run in autocommit), and spends a fixed number of statements whatever the
size of what it reads. An identical document is validated once.
"""

from __future__ import annotations

from adapters.mail import ConsoleEmailBackend
from adapters.sms import ConsoleSmsBackend
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from schema.common.limits import LimitedValidationCache
from schema.customer import VALIDATION_CACHE_SIZE
from tests import factories
from tests.graphql.orders_support import ORDER_FIELDS
from tests.support import GraphQLClient, count_statements

ORDER_PAGE = "query($id: ID!) { node(id: $id) { ...OrderFields } }" + ORDER_FIELDS
TICKET_PAGE = """query($id: ID!) { node(id: $id) { ... on Ticket {
  id number subject status order { number } messages { author body createdAt } } } }"""


async def test_the_order_page_costs_a_fixed_number_of_statements(
    rt: Runtime, gql: GraphQLClient
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    product = await factories.product(rt, variants=[("S", "5.00", True), ("L", "9.00", True)])
    variants = product.variants  # type: ignore[attr-defined]
    small = await factories.order(rt, ada, lines=[(variants[0], 1)])
    large = await factories.order(rt, ada, lines=[(v, 2) for v in variants * 10])

    costs = []
    for order in (small, large):
        variables = {"id": to_global_id("Order", order.id)}
        await gql.data(ORDER_PAGE, variables, token=token)
        with count_statements(rt.db) as counter:
            data = await gql.data(ORDER_PAGE, variables, token=token)
        assert data["node"]["number"] == order.number
        costs.append((counter.count, counter.checkouts, counter.transactions))

    # session+customer, order, settings (canCancel), line items, variants, the shop
    # (variant prices' currency), products, events, discounts
    assert costs == [(9, 1, 0), (9, 1, 0)]


async def test_the_ticket_page_costs_a_fixed_number_of_statements(
    rt: Runtime, gql: GraphQLClient
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    order = await factories.order(rt, ada)
    short = await factories.ticket(rt, ada, order=order)
    long = await factories.ticket(
        rt, ada, order=order, messages=[("CUSTOMER", f"m{i}") for i in range(30)]
    )

    costs = []
    for ticket in (short, long):
        variables = {"id": to_global_id("Ticket", ticket.id)}
        await gql.data(TICKET_PAGE, variables, token=token)
        with count_statements(rt.db) as counter:
            data = await gql.data(TICKET_PAGE, variables, token=token)
        assert data["node"]["order"] == {"number": order.number}
        costs.append((counter.count, counter.checkouts, counter.transactions))

    # session+customer, ticket, its order, its messages
    assert costs == [(4, 1, 0), (4, 1, 0)]


async def test_an_identical_document_is_validated_once(rt: Runtime, gql: GraphQLClient) -> None:
    cache = LimitedValidationCache(maxsize=VALIDATION_CACHE_SIZE).cached_validate_document
    # A document no other test sends, so the first request is a miss here.
    query = "query ValidatedOnce { shop { name currencyCode timeZone } }"

    before = cache.cache_info()
    await gql.data(query)
    after_first = cache.cache_info()
    await gql.data(query)
    after_second = cache.cache_info()

    assert after_first.misses == before.misses + 1
    assert after_second.hits == after_first.hits + 1
    assert after_second.misses == after_first.misses


async def test_a_later_page_seeks_with_a_row_value_comparison(
    rt: Runtime, gql: GraphQLClient
) -> None:
    ada = await factories.customer(rt)
    token = await factories.login(rt, ada)
    for _ in range(3):
        await factories.order(rt, ada)
    query = """query($after: String) { me { orders(first: 1, after: $after) {
      edges { node { number } } pageInfo { endCursor } } } }"""
    first = await gql.data(query, {"after": None}, token=token)

    with count_statements(rt.db) as counter:
        await gql.data(
            query, {"after": first["me"]["orders"]["pageInfo"]["endCursor"]}, token=token
        )

    page_reads = [s for s in counter.statements if "FROM customer_order" in s]
    assert len(page_reads) == 1
    # One (placed_at, id) < (…, …) comparison the index can seek to, not an OR chain.
    assert "(customer_order.placed_at, customer_order.id) <" in page_reads[0]
    assert " OR " not in page_reads[0]


async def test_loaders_are_freed_without_the_garbage_collector(rt: Runtime) -> None:
    """No reference cycle through the loaders: a request's rows go when it does,
    instead of waiting for (and lengthening) a garbage collection."""
    import gc
    import weakref

    from resolvers.loaders import Loaders

    ada = await factories.customer(rt)
    order = await factories.order(rt, ada)
    loaders = Loaders(db=rt.db)
    row = await loaders.order_by_id.load(order.id)
    assert row is not None and row.number == order.number
    await loaders.settle()
    gone = [weakref.ref(loaders), weakref.ref(loaders.order_by_id)]

    gc.disable()
    try:
        del loaders
        assert [ref() for ref in gone] == [None, None]
    finally:
        gc.enable()


LOGIN_REQUEST = """mutation($email: String, $phone: String) {
  requestLoginCode(input: {email: $email, phone: $phone}) { userErrors { code } } }"""
LOGIN_VERIFY = """mutation($email: String, $phone: String, $code: String!) {
  verifyLoginCode(input: {email: $email, phone: $phone, code: $code}) {
    session { token } userErrors { code } } }"""


async def test_a_login_costs_one_transaction_per_step(
    rt: Runtime, gql: GraphQLClient, mailer: ConsoleEmailBackend, sms: ConsoleSmsBackend
) -> None:
    """requestLoginCode: the two throttles, the customer, the code, the link, the
    shop's name; verifyLoginCode: the attempt and the code (one UPDATE), the
    customer, the session. Each in one transaction, nothing else."""
    await factories.customer(rt, email="ada@example.com", phone="+14155550123")
    costs = {}
    for name, variables in (
        ("email", {"email": "ada@example.com"}),
        ("phone", {"phone": "+14155550123"}),
    ):
        with count_statements(rt.db) as counter:
            await gql.data(LOGIN_REQUEST, variables)
        costs[f"request by {name}"] = (counter.count, counter.transactions)
    code = sms.sent[-1].body.split()[0]
    with count_statements(rt.db) as counter:
        data = await gql.data(LOGIN_VERIFY, {"phone": "+14155550123", "code": code})
    assert data["verifyLoginCode"]["session"] is not None
    costs["verify"] = (counter.count, counter.transactions)

    assert costs == {"request by email": (7, 1), "request by phone": (5, 1), "verify": (3, 1)}
