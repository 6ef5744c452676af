"""``bench.inventory``'s figures per workload, client and process count, their table line,
and issue 19 §1's targets for unrelated writers beside them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class Figures:
    workload: str
    processes: int
    clients: int
    operations: int
    seconds: float
    ops_per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    # Mean ms per operation in each part of it; they add up to the mean latency.
    begin_ms: float
    post_ms: float
    commit_ms: float
    # The commit step split: stamps up to sending COMMIT, then COMMIT's round trip as the
    # client saw it; and the event loop's mean delay in resuming a ready task (commit_timing).
    stamps_ms: float
    commit_rt_ms: float
    loop_wait_ms: float
    # The benchmark process's CPU per consumption (warm-up included): Python's share of it.
    client_cpu_ms: float
    # The PostgreSQL backends' CPU per consumption (None: SQLite, or a server elsewhere).
    server_cpu_ms: float | None
    # Ms per consumption spent runnable but waiting for a core: the benchmark process's main
    # thread, and the backends (None as for their CPU).
    client_queue_ms: float
    server_queue_ms: float | None
    # PostgreSQL: the share of in-transaction samples spent waiting on a lock (None: SQLite).
    lock_wait_share: float | None
    # PostgreSQL: ms per consumption a backend spent executing its COMMIT (sampled).
    server_commit_ms: float | None
    invariant_held: bool
    balances_checked: int
    invariant_checks: int
    round_ops_per_second: list[float] = field(default_factory=list)
    first_error: str = ""
    invariant_problems: list[str] = field(default_factory=list)


def table_line(f: Figures) -> str:
    server = "-" if f.server_cpu_ms is None else f"{f.server_cpu_ms:.2f}"
    locks = "-" if f.lock_wait_share is None else f"{f.lock_wait_share:.1%}"
    return (
        f"{f.workload:<10}{f.processes:>5}{f.clients:>8}{f.ops_per_second:>10.1f}"
        f"{f.p50_ms:>9.2f}{f.p99_ms:>9.2f}{f.errors:>7}"
        f"   {f.begin_ms:>6.2f} / {f.post_ms:>6.2f} / {f.commit_ms:>6.2f}"
        f"{f.client_cpu_ms:>8.2f}{server:>8}{locks:>8}"
    )


def target_lines(figures: list[Figures]) -> list[str]:
    """Issue 19's targets for unrelated writers (``spread``) at the most clients run."""
    spread = [f for f in figures if f.workload == "spread"]
    if not spread:
        return []
    lines = []
    top = max(f.clients for f in spread)
    single = [f for f in spread if f.clients == 1 and f.processes == 1]
    cores = os.cpu_count() or 1
    for f in (f for f in spread if f.clients == top):
        head = f"  spread, {f.clients} clients, {f.processes} process(es):"
        if f.lock_wait_share is not None:
            lines.append(f"{head} lock waits {f.lock_wait_share:.1%} (target <= 5%)")
        if single and single[0].commit_ms > 0:
            ratio = f.commit_ms / single[0].commit_ms
            lines.append(
                f"{head} commit step {f.commit_ms:.2f} ms = {ratio:.1f}x its 1-client cost "
                f"{single[0].commit_ms:.2f} ms (target <= 3x)"
            )
            if single[0].commit_rt_ms > 0:
                lines.append(
                    f"{head}   of which stamps {f.stamps_ms:.2f} ms "
                    f"(1 client {single[0].stamps_ms:.2f}) and COMMIT sent -> answered "
                    f"{f.commit_rt_ms:.2f} ms = {f.commit_rt_ms / single[0].commit_rt_ms:.1f}x "
                    f"(1 client {single[0].commit_rt_ms:.2f}); the event loop took "
                    f"{f.loop_wait_ms:.2f} ms on average to resume a ready task "
                    f"(1 client {single[0].loop_wait_ms:.2f})"
                )
            if f.server_commit_ms is not None and single[0].server_commit_ms is not None:
                lines.append(
                    f"{head}   COMMIT executing on the server (sampled) "
                    f"{f.server_commit_ms:.2f} ms (1 client {single[0].server_commit_ms:.2f}); "
                    "the rest of the round trip is spent in the client (its event loop, a core)"
                )
            if f.server_queue_ms is not None and single[0].server_queue_ms is not None:
                lines.append(
                    f"{head}   waiting for a core, per operation: database backends "
                    f"{f.server_queue_ms:.2f} ms (1 client {single[0].server_queue_ms:.2f}), "
                    f"the app's event loop {f.client_queue_ms:.2f} ms "
                    f"(1 client {single[0].client_queue_ms:.2f})"
                )
        if f.server_cpu_ms is not None:
            cpu_ms = f.client_cpu_ms + f.server_cpu_ms
            limit = cores / (cpu_ms / 1000) if cpu_ms > 0 else 0.0
            lines.append(
                f"{head} {f.ops_per_second:.0f} ops/s = {f.ops_per_second / max(limit, 1e-9):.0%}"
                f" of the CPU-bound limit {limit:.0f} ops/s ({cores} cores / {cpu_ms:.2f} ms CPU"
                " per op, app + database; target >= 80%)"
            )
    return lines


HEADER = (
    f"{'workload':<10}{'procs':>5}{'clients':>8}{'ops/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
    f"{'errors':>7}   ms/op: begin /   post / commit     app      db   locks"
)
