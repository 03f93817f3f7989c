"""The machine and the code a run measured, for the report."""

from __future__ import annotations

import asyncio
import hashlib
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import asyncpg

from bench.common import DSN, ROOT


@dataclass
class CodeState:
    """Which code was measured: the commit, the files changed on top, and their contents."""

    commit: str
    dirty: list[str]
    digests: dict[str, str]


def code_state() -> CodeState:
    """A fingerprint of every tracked or new file outside bench/, to notice edits mid-run."""
    exclude = (":!bench", ":!docs/performance.md")
    listed = _run(
        "git", "ls-files", "--cached", "--others", "--exclude-standard", "--", ".", *exclude
    )
    digests = {}
    for name in listed.splitlines():
        path = ROOT / name
        if path.is_file():
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    status = _run("git", "status", "--porcelain", "--", ".", *exclude)
    return CodeState(
        commit=_run("git", "rev-parse", "--short", "HEAD"),
        dirty=[line.split(maxsplit=1)[1] for line in status.splitlines() if line.strip()],
        digests=digests,
    )


def _run(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=ROOT).stdout.strip()
    except OSError:
        return "?"


async def _pg_facts() -> dict[str, str]:
    conn = await asyncpg.connect(DSN)
    try:
        facts = {"version": await conn.fetchval("SELECT version()")}
        for name in ("shared_buffers", "work_mem", "max_connections", "synchronous_commit"):
            facts[name] = await conn.fetchval(f"SHOW {name}")
        facts["size"] = await conn.fetchval(
            "SELECT pg_size_pretty(pg_database_size(current_database()))"
        )
        return facts
    finally:
        await conn.close()


def machine(code: CodeState) -> list[str]:
    now = code_state().digests
    changed = sorted(
        name for name in set(now) | set(code.digests) if now.get(name) != code.digests.get(name)
    )
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), "?")
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    pg = asyncio.run(_pg_facts())
    names = ["strawberry-graphql", "graphql-core", "starlette", "uvicorn", "sqlalchemy"]
    names += ["asyncpg", "orjson", "uvloop"]
    packages = ", ".join(f"{p} {metadata.version(p)}" for p in names)
    return [
        f"- Cores: {os.cpu_count()} (`nproc`: {_run('nproc')}); CPU: {model}",
        f"- RAM: {mem_kb / 1024 / 1024:.1f} GiB; kernel {platform.release()}",
        f"- PostgreSQL: {pg['version'].split(' on ')[0]} on the same machine (shared_buffers"
        f" {pg['shared_buffers']}, work_mem {pg['work_mem']}, max_connections"
        f" {pg['max_connections']}, synchronous_commit {pg['synchronous_commit']});"
        f" database size {pg['size']}",
        f"- Python {platform.python_version()}; {packages}",
        f"- wrk: {_run('wrk', '-v').splitlines()[0] if _run('wrk', '-v') else '?'}",
        f"- Code at the start of the run: commit {code.commit}; uncommitted changes outside"
        f" bench/: {', '.join(code.dirty) or 'none'}",
        "- Code during the run: "
        + (
            "unchanged"
            if not changed
            else f"**changed** while it ran ({', '.join(changed)}); the servers ran the code"
            " of the start (they load it once), the in-process steps may not have"
        ),
    ]
