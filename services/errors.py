"""The one exception services raise for a refusal the customer should see.

The GraphQL layer turns it into a `userErrors` entry; because it is raised
inside the service's transaction, everything the mutation wrote is rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence


class ServiceError(Exception):
    def __init__(self, code: str, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field) if field is not None else None

    def __repr__(self) -> str:
        return f"ServiceError({self.code!r}, {self.message!r}, field={self.field!r})"
