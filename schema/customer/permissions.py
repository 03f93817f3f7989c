"""Permission classes of the customer surface."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.customer.context import Info


class IsAuthenticated(BasePermission):
    message = "Authentication required: send a valid session as `Authorization: Bearer <token>`."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None
