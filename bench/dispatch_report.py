"""``bench.dispatch``'s table: each step's figures, the targets beside them, and the growth
from the fewest to the most engineers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dispatch_http import OverHttp
from .dispatch_tail import describe, tail


@dataclass
class Figures:
    engine: str
    engineers: int
    jobs: int
    samples: int
    median_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_suggestions: float
    errors: int
    statements_per_request: float
    cell_queries_per_request: float  # rings searched
    engineers_read_per_request: float  # distinct engineers the cell queries returned
    # CPU per timed request: this process (app, GraphQL, TestClient) and PostgreSQL's backends.
    # Steadier than latency on a shared machine, where waiting for a core inflates latency.
    app_cpu_ms: float = 0.0
    db_cpu_ms: float | None = None
    load_average: float = 0.0  # the machine's 1-minute load average after the timed requests
    # Where one request's time goes (means over the counted pass, ms): statements from the
    # driver's call to its answer, H3 cells and distances, and the rest (GraphQL, ORM, app).
    sql_ms: float = 0.0
    geo_ms: float = 0.0
    rest_ms: float = 0.0
    index_scans_per_request: dict[str, float] = field(default_factory=dict)
    plans: dict[str, list[str]] = field(default_factory=dict)
    first_error: str = ""
    # The same requests to the app under uvicorn, over HTTP (``dispatch_http.py``): what a
    # dispatcher's browser waits for, and the figure the target is read against.
    http: OverHttp | None = None
    # Each sampled request's cell lookups and engineers read (the counted pass), in order.
    work: tuple[tuple[int, int], ...] = ()


def growth(figures: list[Figures]) -> dict[str, Any]:
    low, high = figures[0], figures[-1]
    return {
        "engine": low.engine,
        "from_engineers": low.engineers,
        "to_engineers": high.engineers,
        "median_ratio": round(high.median_ms / low.median_ms, 2),
        "p99_ratio": round(high.p99_ms / low.p99_ms, 2),
        "cpu_ratio": round(_cpu(high) / _cpu(low), 2),
    }


def _cpu(f: Figures) -> float:
    return f.app_cpu_ms + (f.db_cpu_ms or 0.0)


P99_TARGET_MS = 10.0  # issue 19 §3


def print_table(figures: list[Figures], loads: list[dict[str, Any]]) -> None:
    print(
        f"{'engine':<11}{'engineers':>10}{'median ms':>11}{'p90 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'cpu app':>9}{'cpu db':>8}{'suggested':>10}{'stmts':>7}{'rings':>7}"
        f"{'read':>7}{'errors':>8}{'load':>6}"
    )
    for f in figures:
        print(
            f"{f.engine:<11}{f.engineers:>10,}{f.median_ms:>11.1f}{f.p90_ms:>9.1f}"
            f"{f.p99_ms:>9.1f}{f.max_ms:>9.1f}{f.app_cpu_ms:>9.1f}"
            f"{'-' if f.db_cpu_ms is None else f'{f.db_cpu_ms:.1f}':>8}{f.mean_suggestions:>10.1f}"
            f"{f.statements_per_request:>7.1f}{f.cell_queries_per_request:>7.2f}"
            f"{f.engineers_read_per_request:>7.1f}{f.errors:>8}{f.load_average:>6.1f}"
        )
        if f.first_error:
            print(f"  first error: {f.first_error}")
    for f in figures:
        print(
            f"{f.engine} at {f.engineers:,}: per request SQL {f.sql_ms:.1f} ms, geodesy "
            f"{f.geo_ms:.1f} ms, GraphQL and app {f.rest_ms:.1f} ms (in process)"
        )
    for f in figures:
        h = f.http
        if h is None:
            continue
        db = "-" if h.db_cpu_ms is None else f"{h.db_cpu_ms:.1f}"
        print(
            f"{f.engine} at {f.engineers:,} over HTTP (uvicorn, one client): median "
            f"{h.median_ms:.1f} / p90 {h.p90_ms:.1f} / p99 {h.p99_ms:.1f} / max {h.max_ms:.1f} ms, "
            f"CPU server {h.server_cpu_ms:.1f} + db {db} ms, errors {h.errors}; "
            f"p99 {h.p99_ms:.1f} ms (target <= {P99_TARGET_MS:g} ms)"
        )
        if h.first_error:
            print(f"  first error: {h.first_error}")
        t = tail(h.per_job, list(f.work))
        for line in describe(f.engine, f.engineers, t) if t else []:
            print(line)
    for engine in dict.fromkeys(f.engine for f in figures):
        own = [f for f in figures if f.engine == engine]
        if len(own) > 1:
            g = growth(own)
            print(
                f"{engine}: growth {g['from_engineers']:,} -> {g['to_engineers']:,} engineers: "
                f"median x{g['median_ratio']:.2f}, p99 x{g['p99_ratio']:.2f}, "
                f"CPU per request x{g['cpu_ratio']:.2f}"
            )
    for load in loads:
        seconds = ", ".join(f"{k} {v:g} s" for k, v in load["seconds"].items())
        print(f"{load['engine']} load: {seconds}")
    for f in figures:
        if f.index_scans_per_request:
            scans = ", ".join(f"{k} {v:g}" for k, v in f.index_scans_per_request.items())
            print(f"{f.engine} at {f.engineers:,}: scans per request: {scans}")
        for name, lines in f.plans.items():
            print(f"{f.engine} at {f.engineers:,}, cell lookup plan ({name}):")
            for line in lines:
                print("    " + line)
