"""Scope checks of the merchant surface: each field names the one scope it needs.

A request without a key is UNAUTHENTICATED; a key without the scope is
FORBIDDEN with the missing scope in `extensions.scope`. The check runs before
the resolver, so a refused mutation changes nothing.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError
from strawberry.permission import BasePermission

from domain.scopes import Scope
from schema.admin.context import Info

_cache: dict[Scope, type[BasePermission]] = {}


def requires(scope: Scope) -> type[BasePermission]:
    """The permission class that admits keys holding `scope`."""
    if scope in _cache:
        return _cache[scope]

    class HasScope(BasePermission):
        message = f"This API key lacks the `{scope.value}` scope."
        error_extensions = {"code": "FORBIDDEN", "scope": scope.value}

        def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            principal = info.context.principal
            if principal is None:
                raise GraphQLError(
                    "Authentication required: send an API key as `Authorization: Bearer <key>`.",
                    extensions={"code": "UNAUTHENTICATED"},
                )
            return scope in principal.scopes

    HasScope.__name__ = f"Has_{scope.name}"
    _cache[scope] = HasScope
    return HasScope
