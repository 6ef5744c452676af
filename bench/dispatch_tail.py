"""Where ``bench.dispatch``'s tail over HTTP comes from: the requests' work or the machine.

Each sampled job is asked twice over HTTP (``dispatch_http.py``) and once more in process,
where its cell lookups and the engineers they read are counted. If the slowest requests are
slow because they do more work, they are slow in both passes and read more rings; if the
machine's noise makes them (another process on the core, a page fault, a collection), the
second pass does not repeat them and they read what the others do.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from .driver import percentile

SLOWEST = 0.01  # the requests that make the p99
AGAIN = 0.10  # "slow again": among this share of the second pass's slowest


@dataclass(frozen=True)
class Tail:
    slow: int  # requests in the slowest 1 % of the timed pass
    slow_again: float  # share of them among the slowest 10 % of the second pass (chance: 0.10)
    rank_correlation: float  # Spearman's, between the passes' latencies over all requests
    lookups_slow: float  # mean cell lookups of the slow requests
    lookups_all: float
    read_slow: float  # mean engineers read by the slow requests
    read_all: float
    p99_by_lookups: dict[int, tuple[int, float]]  # lookups -> (requests, p99 ms, timed pass)


def tail(per_job: tuple[tuple[float, float], ...], work: list[tuple[int, int]]) -> Tail | None:
    """The tail of one step: ``per_job`` (timed, second pass ms) and ``work`` (lookups,
    engineers read) per sampled job, in the same order."""
    n = len(per_job)
    if n < 20 or len(work) != n:
        return None
    first = [a for a, _ in per_job]
    second = [b for _, b in per_job]
    by_first = sorted(range(n), key=first.__getitem__, reverse=True)
    slow = by_first[: max(5, round(n * SLOWEST))]
    again = set(sorted(range(n), key=second.__getitem__, reverse=True)[: max(1, round(n * AGAIN))])
    groups: dict[int, list[float]] = {}
    for i, (lookups, _) in enumerate(work):
        groups.setdefault(lookups, []).append(first[i])
    return Tail(
        slow=len(slow),
        slow_again=round(sum(i in again for i in slow) / len(slow), 2),
        rank_correlation=round(_spearman(first, second), 2),
        lookups_slow=round(statistics.fmean(work[i][0] for i in slow), 2),
        lookups_all=round(statistics.fmean(w[0] for w in work), 2),
        read_slow=round(statistics.fmean(work[i][1] for i in slow), 1),
        read_all=round(statistics.fmean(w[1] for w in work), 1),
        p99_by_lookups={
            k: (len(v), round(percentile(sorted(v), 0.99), 2)) for k, v in sorted(groups.items())
        },
    )


def _ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    for rank, i in enumerate(order):
        ranks[i] = float(rank)
    return ranks


def _spearman(a: list[float], b: list[float]) -> float:
    return statistics.correlation(_ranks(a), _ranks(b))


def describe(engine: str, engineers: int, t: Tail) -> list[str]:
    """The tail in two lines of the bench's report."""
    groups = ", ".join(
        f"{k} lookup{'s' if k != 1 else ''}: {count} requests p99 {p99:.1f} ms"
        for k, (count, p99) in t.p99_by_lookups.items()
    )
    return [
        f"{engine} at {engineers:,} over HTTP, the tail: of the {t.slow} slowest requests, "
        f"{t.slow_again:.0%} were among the slowest 10 % again in a second pass (chance 10 %), "
        f"rank correlation of the passes {t.rank_correlation:.2f}; they read "
        f"{t.lookups_slow:.2f} lookups and {t.read_slow:.1f} engineers "
        f"(all requests {t.lookups_all:.2f} and {t.read_all:.1f})",
        f"{engine} at {engineers:,} over HTTP by cell lookups: {groups}",
    ]
