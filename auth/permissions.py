"""Permission classes for fields that need a logged-in customer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.permission import BasePermission

if TYPE_CHECKING:
    from schema.context import Info


class IsAuthenticated(BasePermission):
    message = "Authentication required: send a valid session as `Authorization: Bearer <token>`."
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.viewer is not None
