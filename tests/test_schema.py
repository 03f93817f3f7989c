"""The checked-in SDL matches the code, and the code keeps the public contract."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema as build_sdl
from graphql import find_breaking_changes

from schema.admin import build_admin_schema
from schema.customer import build_schema

ROOT = Path(__file__).resolve().parent.parent
# The design's contract, beside the checkout; docs/contract.graphql is the copy
# that travels with the repository, so the check runs in any clone.
SHARED_CONTRACT = ROOT.parent / "shared" / "design" / "contract.graphql"
CONTRACT = ROOT / "docs" / "contract.graphql"


def test_schema_graphql_is_up_to_date() -> None:
    exported = build_schema().as_str() + "\n"
    checked_in = (ROOT / "schema.graphql").read_text()
    assert exported == checked_in, (
        "schema.graphql is out of date with the code: run `make export-schema` and commit it"
    )


def test_admin_graphql_is_up_to_date() -> None:
    exported = build_admin_schema().as_str() + "\n"
    checked_in = (ROOT / "admin.graphql").read_text()
    assert exported == checked_in, (
        "admin.graphql is out of date with the code: run `make export-schema` and commit it"
    )


def test_the_contract_copy_matches_the_design() -> None:
    if not SHARED_CONTRACT.exists():
        pytest.skip("no design checkout beside this one; docs/contract.graphql stands in")
    assert CONTRACT.read_text() == SHARED_CONTRACT.read_text(), (
        "docs/contract.graphql differs from the design's contract.graphql: copy it over"
    )


def test_schema_keeps_every_contract_name_and_type() -> None:
    contract = build_sdl(CONTRACT.read_text())
    ours = build_sdl((ROOT / "schema.graphql").read_text())
    breaking = [change.description for change in find_breaking_changes(contract, ours)]
    assert breaking == []
