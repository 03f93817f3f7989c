"""Queries and helpers shared by the support-ticket test modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from models.events import OutboxEvent
from models.ticket import Ticket, TicketMessage
from plumbing.runtime import Runtime
from resolvers.ids import to_global_id
from tests import factories

TICKET = "id number subject status createdAt updatedAt order { number } messages { author body }"
CREATE = f"""
mutation($input: CreateTicketInput!) {{
  createTicket(input: $input) {{ ticket {{ {TICKET} }} userErrors {{ code field message }} }}
}}"""
CLOSE = f"""
mutation($id: ID!) {{
  closeTicket(input: {{ticketId: $id}}) {{
    ticket {{ {TICKET} }} userErrors {{ code field message }}
  }}
}}"""
LIST = """
query($first: Int, $after: String, $status: TicketStatus) {
  me { tickets(first: $first, after: $after, status: $status) {
    edges { cursor node { id status messages { body } order { number } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  } }
}"""


async def ticket_tables(rt: Runtime) -> list[list[dict[str, Any]]]:
    """Every row a ticket mutation could write, to prove a refusal wrote nothing."""
    async with rt.db.read() as session:
        return [
            [row.model_dump() for row in (await session.scalars(select(m).order_by(m.id))).all()]
            for m in (Ticket, TicketMessage, OutboxEvent)
        ]


async def viewer(rt: Runtime) -> tuple[Any, str]:
    row = await factories.customer(rt)
    return row, await factories.login(rt, row)


def error_pairs(result: dict[str, Any]) -> list[tuple[str, list[str] | None]]:
    return [(e["code"], e["field"]) for e in result["userErrors"]]


def gid(row: Any) -> str:
    return to_global_id(type(row).__name__, row.id)
