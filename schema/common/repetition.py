"""Refusing, before validation, documents that repeat one response name too often.

Validation checks that every two selections answering to the same name in a
selection set can be merged ("OverlappingFieldsCanBeMerged"), comparing them
pair by pair: `{ shop { name } shop { name } … }` 400 times is 80,000
comparisons, a second of CPU for 5 KB, and a comment that differs per request
defeats every cache. Counting how often each response name occurs in each
selection set is linear, so it runs first and bounds the pairs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension


@dataclass
class _Counting:
    fragments: dict[str, FragmentDefinitionNode]
    # Response names at the top level of each fragment, counted once per fragment.
    by_fragment: dict[str, dict[str, int]] = field(default_factory=dict)

    def names(self, selection_set: SelectionSetNode, path: frozenset[str]) -> dict[str, int]:
        """How often each response name is selected at this level, fragments spread in."""
        counts: dict[str, int] = {}
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                counts[name] = counts.get(name, 0) + 1
                continue
            if isinstance(selection, InlineFragmentNode):
                spread = self.names(selection.selection_set, path)
            elif isinstance(selection, FragmentSpreadNode):
                spread = self._fragment(selection.name.value, path)
            else:
                continue
            for name, times in spread.items():
                counts[name] = counts.get(name, 0) + times
        return counts

    def _fragment(self, name: str, path: frozenset[str]) -> dict[str, int]:
        fragment = self.fragments.get(name)
        if fragment is None or name in path:  # unknown or cyclic: validation refuses it
            return {}
        if name not in self.by_fragment:
            self.by_fragment[name] = self.names(fragment.selection_set, path | {name})
        return self.by_fragment[name]


def _selection_sets(document: DocumentNode) -> Iterator[SelectionSetNode]:
    """Every selection set of every operation and fragment, as validation visits them."""
    pending = [
        d.selection_set
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while pending:
        selection_set = pending.pop()
        yield selection_set
        for selection in selection_set.selections:
            nested = getattr(selection, "selection_set", None)
            if isinstance(selection, FieldNode | InlineFragmentNode) and nested is not None:
                pending.append(nested)


def most_repeated_name(document: DocumentNode) -> tuple[str, int]:
    """The response name selected most often in one selection set, and how often."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counting = _Counting(fragments)
    worst = ("", 0)
    for selection_set in _selection_sets(document):
        for name, times in counting.names(selection_set, frozenset()).items():
            if times > worst[1]:
                worst = (name, times)
    return worst


class QueryRepetitionLimiter(SchemaExtension):
    """Refuses documents selecting one response name more than `max_repeats` times
    in a selection set; runs before validation (see the module's docstring)."""

    def __init__(self, max_repeats: int) -> None:
        self.max_repeats = max_repeats

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if not ctx.pre_execution_errors and ctx.graphql_document is not None:
            name, times = most_repeated_name(ctx.graphql_document)
            if times > self.max_repeats:
                ctx.pre_execution_errors = [
                    GraphQLError(
                        f"'{name}' is selected {times} times in one selection set; "
                        f"the maximum is {self.max_repeats}.",
                        extensions={"code": "QUERY_TOO_REPETITIVE"},
                    )
                ]
        yield
