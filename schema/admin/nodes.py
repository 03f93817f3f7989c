"""The merchant surface's `node(id:)` registry; each type module registers its Node types."""

from __future__ import annotations

from resolvers.nodes import NodeRegistry

nodes = NodeRegistry()
