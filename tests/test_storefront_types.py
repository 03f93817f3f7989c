"""examples/storefront is typed from schema.graphql: a breaking change fails its type check.

The example is copied beside an altered schema (its node_modules linked, not copied) and
checked as CI checks it, with `npm run typecheck` (codegen, then tsc). The unaltered
schema passes the same check in tests/e2e/test_storefront_example.py, which builds the page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "storefront"
SCHEMA = (ROOT / "schema.graphql").read_text()


def typecheck(tmp_path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    npm = shutil.which("npm")
    assert npm, "the storefront example needs Node.js and npm on PATH"
    if not (EXAMPLE / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=EXAMPLE, check=True)
    copy = tmp_path / "examples" / "storefront"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("node_modules", "dist", "gql"))
    (copy / "node_modules").symlink_to(EXAMPLE / "node_modules")
    (tmp_path / "schema.graphql").write_text(schema)
    return subprocess.run(
        [npm, "run", "typecheck"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )


@pytest.mark.parametrize(
    ("before", "after", "complaint"),
    [
        # A field the page asks for is renamed: codegen refuses the operation.
        ("  invoice: Invoice!\n", "  receipt: Invoice!\n", 'Cannot query field "invoice"'),
        # A field may now be null: tsc refuses the code that assumed it never is.
        ("  placedAt: DateTime!\n", "  placedAt: DateTime\n", "src/views/dashboard.ts"),
    ],
)
def test_a_breaking_schema_change_fails_the_type_check(
    tmp_path: Path, before: str, after: str, complaint: str
) -> None:
    assert SCHEMA.count(before) == 1
    done = typecheck(tmp_path, SCHEMA.replace(before, after))
    assert done.returncode != 0
    assert complaint in done.stdout + done.stderr
