"""What ``bench/sync`` reports: one engine's figures at one size, their growth from 1x to
the larger size, and issue 19 §2's targets beside them (printed, never asserted)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Figures:
    engine: str
    size: str  # "1x" or "<factor>x"
    scale: int  # the demo scale loaded
    rows: dict[str, int]  # jobs, tickets, customers, addresses, devices, sync_held
    repeat: int
    first_pull_ms: float  # median; lastPulledAt null, everything created
    first_pull_min_ms: float
    first_pull_records: int
    first_pull_bytes: int
    pull_ms: float  # median; the pull of 5,000 changes (updated since the cursor)
    pull_min_ms: float
    pull_records: int
    pull_bytes: int
    empty_pull_ms: float  # median; nothing changed since the cursor
    empty_pull_min_ms: float
    push_ms: float  # median; 500 records
    push_min_ms: float
    push_records: int
    push_ms_per_record: float
    replay_ms: float  # median; the same push again (every record already there)
    replay_min_ms: float
    errors: int
    first_error: str = ""
    statements: dict[str, Any] = field(default_factory=dict)  # per kind of request


# -- reporting ---------------------------------------------------------------------------

RATIOS = ("first_pull_ms", "pull_ms", "empty_pull_ms", "push_ms", "replay_ms")


def growth(small: Figures, large: Figures) -> dict[str, Any]:
    out: dict[str, Any] = {"engine": small.engine, "from": small.size, "to": large.size}
    out["rows_ratio"] = {
        k: round(large.rows[k] / small.rows[k], 2) for k in small.rows if small.rows[k]
    }
    for name in RATIOS:
        key = name.removesuffix("_ms")
        for suffix, field_ in (("ratio", name), ("min_ratio", key + "_min_ms")):
            low, high = getattr(small, field_), getattr(large, field_)
            out[f"{key}_{suffix}"] = round(high / low, 2) if low else None
    return out


# Issue 19 §2's targets, on both engines (milliseconds, statements per pushed record).
TARGETS = {
    "pull_ms": ("pull of 5,000 changes", 300.0),
    "empty_pull_ms": ("empty pull", 20.0),
    "push_ms": ("push of 500", 1000.0),
    "replay_ms": ("its replay", 300.0),
}
STATEMENTS_PER_RECORD = 5.0


def targets(f: Figures) -> list[dict[str, Any]]:
    """Each figure beside its target, and whether it meets it (printed, never asserted)."""
    out = [
        {"figure": name, "value": getattr(f, key), "target": limit, "met": getattr(f, key) <= limit}
        for key, (name, limit) in TARGETS.items()
    ]
    push = f.statements.get("push")
    if push:
        per = round(push["statements"] / f.push_records, 2)
        out.append(
            {
                "figure": "statements per pushed record",
                "value": per,
                "target": STATEMENTS_PER_RECORD,
                "met": per <= STATEMENTS_PER_RECORD,
            }
        )
        replay = f.statements["replay"]["statements"]
        out.append({"figure": "replay statements", "value": replay, "target": None, "met": None})
    return out


def print_targets(figures: list[Figures]) -> None:
    print("Targets (issue 19 §2), median of this run:")
    for f in figures:
        cells = []
        for t in targets(f):
            mark = "" if t["met"] is None else (" ok" if t["met"] else " MISSED")
            limit = "" if t["target"] is None else f" (target <= {t['target']:g})"
            cells.append(f"{t['figure']} {t['value']:g}{limit}{mark}")
        print(f"  {f.engine} {f.size}: " + "; ".join(cells))


def print_table(figures: list[Figures]) -> None:
    print(
        f"{'engine':<11}{'size':>5}{'jobs':>8}{'tickets':>9}{'custs':>8}{'held':>8}"
        f"{'first ms':>10}{'recs':>6}{'pull ms':>9}{'min':>7}{'recs':>6}{'KiB':>6}"
        f"{'empty ms':>9}{'push ms':>9}{'ms/rec':>7}{'replay ms':>10}{'errors':>7}"
    )
    for f in figures:
        r = f.rows
        print(
            f"{f.engine:<11}{f.size:>5}{r['jobs']:>8,}{r['tickets']:>9,}{r['customers']:>8,}"
            f"{r['sync_held']:>8,}{f.first_pull_ms:>10.0f}{f.first_pull_records:>6}"
            f"{f.pull_ms:>9.0f}{f.pull_min_ms:>7.0f}{f.pull_records:>6}"
            f"{f.pull_bytes / 1024:>6.0f}{f.empty_pull_ms:>9.1f}{f.push_ms:>9.0f}"
            f"{f.push_ms_per_record:>7.2f}{f.replay_ms:>10.0f}{f.errors:>7}"
        )
        if f.first_error:
            print(f"  first error: {f.first_error}")
    for engine in dict.fromkeys(f.engine for f in figures):
        own = [f for f in figures if f.engine == engine]
        if len(own) == 2:
            g = growth(*own)
            ratios = ", ".join(
                f"{key} x{g[key + '_ratio']} (min x{g[key + '_min_ratio']})"
                for key in (name.removesuffix("_ms") for name in RATIOS)
            )
            print(f"{engine}: {g['from']} -> {g['to']}, median (min) time ratios: {ratios}")
    for f in figures:
        s = f.statements.get("pull")
        if not s:
            continue
        print(
            f"{f.engine} {f.size}, pull of changes: {s['statements']} statements, "
            f"{s['sql_ms']} ms in the driver; most expensive:"
        )
        for top in s["top"][:5]:
            print(f"    {top['ms']:>8.1f} ms {top['count']:>4}x  {top['statement'][:110]}")
