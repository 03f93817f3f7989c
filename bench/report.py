"""The results of a run, checked against the issue's targets, as text and as docs/performance.md."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import BENCH_ORDERS, CUSTOMERS, DEEP_ORDERS, ORDERS, PAGE_SIZES
from bench.deep import DEEP_PAGE, DeepResult
from bench.harness import WrkResult
from bench.login import LoginResult
from bench.machine import CodeState, code_state, machine


@dataclass
class Sample:
    """One wrk run against one server, with the CPU its processes and PostgreSQL spent."""

    server: str  # "A" or "B"
    size: int
    connections: int
    round: int
    wrk: WrkResult
    server_cpu_ms: float  # per request, the server's worker processes
    db_cpu_ms: float  # per request, the PostgreSQL backends of the bench database
    other_cores: float  # CPU used by unrelated processes during the run, in cores


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    floor: dict[str, Any] = field(default_factory=dict)
    compiled: dict[str, Any] = field(default_factory=dict)  # bench/compiled.py
    roundtrips: dict[str, int] = field(default_factory=dict)
    checkouts: int = 0
    response_bytes: dict[int, int] = field(default_factory=dict)
    read_cpu_ms: dict[int, float] = field(default_factory=dict)  # A's reads, in-process
    deep: DeepResult | None = None
    login: LoginResult | None = None
    seconds: float = 0.0
    rounds: int = 0
    started: float = field(default_factory=time.time)
    code: CodeState | None = None
    finished: float = 0.0
    waited: float = 0.0  # seconds spent waiting for other work on the machine to pass

    def median(self, server: str, size: int, connections: int, what: str) -> float:
        """The median over rounds of a wrk figure (rps, p50_ms, p99_ms) or a CPU figure."""
        values = [
            getattr(s.wrk, what) if hasattr(s.wrk, what) else getattr(s, what)
            for s in self.samples
            if (s.server, s.size, s.connections) == (server, size, connections)
        ]
        return statistics.median(values)

    def floor_cpu_ms(self, size: int) -> float:
        return float(self.floor["sizes"][str(size)]["cpu_ms"])


@dataclass
class Target:
    name: str
    figure: str
    met: bool | None  # None: reported, no threshold


def targets(r: Results) -> list[Target]:
    m = r.median
    out = []
    ratio = m("A", 20, 16, "rps") / m("B", 20, 16, "rps")
    out.append(
        Target(
            "Dashboard first:20 at c16 >= 0.2x hand-written",
            f"{m('A', 20, 16, 'rps'):.0f} vs {m('B', 20, 16, 'rps'):.0f} req/s = {ratio:.2f}x",
            ratio >= 0.2,
        )
    )
    others = ", ".join(
        f"first:{n} {m('A', n, 16, 'rps') / m('B', n, 16, 'rps'):.2f}x" for n in (1, 100)
    )
    out.append(Target("First 1 and 100 reported (A/B at c16)", others, None))
    cpu = {n: m("A", n, 16, "server_cpu_ms") / r.floor_cpu_ms(n) for n in PAGE_SIZES}
    out.append(
        Target(
            "Server CPU per dashboard request within 1.5x of the floor (first:20)",
            f"{m('A', 20, 16, 'server_cpu_ms'):.2f} ms vs floor {r.floor_cpu_ms(20):.2f} ms"
            f" = {cpu[20]:.2f}x (first:1 {cpu[1]:.2f}x, first:100 {cpu[100]:.2f}x)",
            cpu[20] <= 1.5,
        )
    )
    scaling = {n: m("A", n, 16, "rps") / m("A", n, 1, "rps") for n in PAGE_SIZES}
    out.append(
        Target(
            "Throughput at c16 >= throughput at c1 (A, every page size)",
            ", ".join(f"first:{n} {scaling[n]:.2f}x" for n in PAGE_SIZES),
            all(v >= 1 for v in scaling.values()),
        )
    )
    tails = {n: m("A", n, 1, "p99_ms") / m("A", n, 1, "p50_ms") for n in PAGE_SIZES}
    out.append(
        Target(
            "p99 <= 3x p50 at c1 (A, every page size)",
            ", ".join(f"first:{n} {tails[n]:.2f}x" for n in PAGE_SIZES),
            all(v <= 3 for v in tails.values()),
        )
    )
    if r.deep is not None:
        d = r.deep
        out.append(
            Target(
                f"Page {DEEP_PAGE:,} within 1.2x of page 1 (p50, first:20, c1)",
                f"{d.p50_ms[DEEP_PAGE]:.2f} ms vs {d.p50_ms[1]:.2f} ms = {d.ratio:.2f}x",
                d.ratio <= 1.2,
            )
        )
    if r.login is not None:
        out.append(
            Target(
                "Login (requestLoginCode + verifyLoginCode) >= 100/s at c16",
                f"{r.login.per_second:.0f}/s ({r.login.failures} failures)",
                r.login.per_second >= 100,
            )
        )
    return out


def _mark(met: bool | None) -> str:
    return "reported" if met is None else ("met" if met else "**not met**")


def dashboard_table(r: Results) -> list[str]:
    m = r.median
    rows = [
        "| first | conc | A req/s | B req/s | A/B | A p50 ms | A p99 ms | B p50 ms | B p99 ms"
        " | A CPU ms/req | B CPU ms/req | DB CPU ms/req A | DB CPU ms/req B |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in PAGE_SIZES:
        for c in (1, 16):
            rows.append(
                f"| {n} | {c} | {m('A', n, c, 'rps'):.0f} | {m('B', n, c, 'rps'):.0f}"
                f" | {m('A', n, c, 'rps') / m('B', n, c, 'rps'):.2f}"
                f" | {m('A', n, c, 'p50_ms'):.2f} | {m('A', n, c, 'p99_ms'):.2f}"
                f" | {m('B', n, c, 'p50_ms'):.2f} | {m('B', n, c, 'p99_ms'):.2f}"
                f" | {m('A', n, c, 'server_cpu_ms'):.2f} | {m('B', n, c, 'server_cpu_ms'):.2f}"
                f" | {m('A', n, c, 'db_cpu_ms'):.2f} | {m('B', n, c, 'db_cpu_ms'):.2f} |"
            )
    return rows


def floor_table(r: Results) -> list[str]:
    rows = [
        "| first | response KiB | floor CPU ms/exec | A server CPU ms/req (c1) | (c16)"
        " | A (c16) / floor | of which reads (SQLAlchemy) | of which the rest |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in PAGE_SIZES:
        a1, a16 = r.median("A", n, 1, "server_cpu_ms"), r.median("A", n, 16, "server_cpu_ms")
        reads = r.read_cpu_ms.get(n, 0.0)
        rows.append(
            f"| {n} | {r.response_bytes[n] / 1024:.1f} | {r.floor_cpu_ms(n):.2f} | {a1:.2f}"
            f" | {a16:.2f} | {a16 / r.floor_cpu_ms(n):.2f}x | {reads:.2f}"
            f" | {a16 - r.floor_cpu_ms(n) - reads:.2f} |"
        )
    return rows


def compiled_table(r: Results) -> list[str]:
    rows = [
        "| first | floor CPU ms/exec | compiled plan CPU ms/exec | floor / compiled |",
        "|---:|---:|---:|---:|",
    ]
    for n in PAGE_SIZES:
        c = r.compiled.get("sizes", {}).get(str(n))
        if c is not None:
            rows.append(
                f"| {n} | {c['floor_cpu_ms']:.2f} | {c['compiled_cpu_ms']:.2f}"
                f" | {c['ratio']:.1f}x |"
            )
    return rows


def summary(r: Results) -> str:
    lines = ["", "Dashboard, medians of rounds (A = API, B = hand-written), 2 workers each", ""]
    lines += dashboard_table(r)
    lines += ["", "Floor and server CPU", "", *floor_table(r)]
    lines += ["", "Compiled plans beside the floor", "", *compiled_table(r)]
    lines += ["", "Targets", ""]
    lines += [f"- {t.name}: {t.figure} -> {_mark(t.met)}" for t in targets(r)]
    return "\n".join(lines)


def render(r: Results) -> str:
    template = (Path(__file__).with_name("performance.md.in")).read_text()
    when = time.strftime("%Y-%m-%d %H:%M %Z", time.localtime(r.started))
    minutes = (r.finished - r.started) / 60 if r.finished else 0
    targets_table = ["| target | figure | |", "|---|---|---|"] + [
        f"| {t.name} | {t.figure} | {_mark(t.met)} |" for t in targets(r)
    ]
    trips = [f"| {name} | {n} |" for name, n in sorted(r.roundtrips.items())]
    trips = ["| sent by A for one dashboard request (first:20) | count |", "|---|---:|", *trips]
    trips.append(f"| **round trips** | **{sum(r.roundtrips.values())}** |")
    trips.append(f"| pool checkouts | {r.checkouts} |")
    raw = [
        "| round | server | first | conc | req/s | p50 ms | p99 ms | CPU ms/req"
        " | DB CPU ms/req | other load (cores) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in r.samples:
        raw.append(
            f"| {s.round} | {s.server} | {s.size} | {s.connections} | {s.wrk.rps:.0f}"
            f" | {s.wrk.p50_ms:.2f} | {s.wrk.p99_ms:.2f} | {s.server_cpu_ms:.2f}"
            f" | {s.db_cpu_ms:.2f} | {s.other_cores:.2f} |"
        )
    other = sorted(s.other_cores for s in r.samples)
    noise = (
        f"Other load on the machine during the wrk runs (processes that are neither the"
        f" servers, their PostgreSQL backends, wrk nor the driver): median"
        f" {statistics.median(other):.2f} cores, highest {other[-1]:.2f} cores of"
        f" {os.cpu_count()}. Before each run the bench waits (up to 30 s, 240 s in all) for"
        f" such load to drop below 0.25 cores; it waited {r.waited:.0f} s in all."
    )
    deep_text, login_text = ["(not run)"], ["(not run)"]
    if r.deep is not None:
        d = r.deep
        deep_text = [
            "| page | p50 ms | p99 ms |",
            "|---:|---:|---:|",
            *(f"| {p:,} | {d.p50_ms[p]:.2f} | {d.p99_ms[p]:.2f} |" for p in d.p50_ms),
            "",
            "The page read as the API sends it:",
            "",
            "```sql",
            d.sql.strip(),
            "```",
            "",
            *(
                line
                for p, plan in d.plans.items()
                for line in (f"EXPLAIN (ANALYZE, BUFFERS), page {p:,}:", "", "```", plan, "```", "")
            ),
        ]
    if r.login is not None:
        g = r.login
        login_text = [
            "| logins/s | p50 ms | p99 ms | failures | A CPU ms/login |",
            "|---:|---:|---:|---:|---:|",
            f"| {g.per_second:.0f} | {g.p50_ms:.1f} | {g.p99_ms:.1f} | {g.failures}"
            f" | {g.cpu_ms_per_login:.2f} |",
        ]
    values = {
        "date": when,
        "minutes": f"{minutes:.1f}",
        "seconds": f"{r.seconds:g}",
        "rounds": str(r.rounds),
        "customers": f"{CUSTOMERS:,}",
        "orders": f"{ORDERS:,}",
        "bench_orders": str(BENCH_ORDERS),
        "deep_orders": f"{DEEP_ORDERS:,}",
        "deep_page": f"{DEEP_PAGE:,}",
        "targets": "\n".join(targets_table),
        "dashboard": "\n".join(dashboard_table(r)),
        "noise": noise,
        "floor": "\n".join(floor_table(r)),
        "compiled": "\n".join(compiled_table(r)),
        "roundtrips": "\n".join(trips),
        "deep": "\n".join(deep_text),
        "login": "\n".join(login_text),
        "machine": "\n".join(machine(r.code or code_state())),
        "raw": "\n".join(raw),
    }
    for key, value in values.items():
        template = template.replace("{{" + key + "}}", value)
    return template
