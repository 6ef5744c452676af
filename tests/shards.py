"""The suite in two halves of about equal cost, so that `make test` keeps both cores busy.

`make test` runs the whole suite on each engine. Run side by side, one engine per core, the
PostgreSQL run ended at about two thirds of the SQLite run (which measures coverage), and
one core idled for the rest. Now each core runs SQLite on one half and then PostgreSQL on
the other (``WELLSPRING_TEST_HALF=1`` or ``2``, read by ``conftest.py``): each test still
runs once on each engine (a ``no_db`` test once, on SQLite: ``db_free.py``), and the two jobs
end together when SQLite's cost less PostgreSQL's is about the same in each half.

The cost of a test file is its seconds on each engine in ``durations.txt``; a file not listed
there counts as the median file. The costs only balance the halves: stale ones make `make
test` slower, never wrong. Refresh them from two JUnit reports of whole runs (the PostgreSQL
one leaves the ``no_db`` tests out, as ``make test`` does):

    WELLSPRING_TEST_DB=sqlite .venv/bin/coverage run -m pytest --junitxml=var/sqlite.xml
    WELLSPRING_TEST_DB=postgresql .venv/bin/pytest --junitxml=var/pg.xml
    .venv/bin/python -m tests.shards var/sqlite.xml var/pg.xml
"""

from __future__ import annotations

import statistics
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from pathlib import Path

DURATIONS = Path(__file__).with_name("durations.txt")
ROOT = Path(__file__).resolve().parent.parent

Cost = tuple[float, float]  # seconds on SQLite (with coverage), seconds on PostgreSQL
HALVES = ("1", "2")


def read_costs(path: Path = DURATIONS) -> dict[str, Cost]:
    """``durations.txt``: a file per line, its path and its seconds on SQLite and PostgreSQL."""
    costs: dict[str, Cost] = {}
    if not path.exists():
        return costs
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, sqlite, postgresql = line.split()
            costs[name] = (float(sqlite), float(postgresql))
    return costs


def assign(files: Iterable[str], costs: Mapping[str, Cost]) -> dict[str, str]:
    """Each file's half, "1" or "2". One job runs SQLite on half 1 and PostgreSQL on half 2,
    the other the reverse, so they take the same time when SQLite's cost less PostgreSQL's
    is the same in both halves.

    Greedy, largest difference first, each file to the half that brings the two closer; so
    they differ by at most the largest file's difference. Ties go by name: every process
    computes the same split."""
    names = sorted(set(files))
    known = [costs[name] for name in names if name in costs]
    median: Cost = (
        (statistics.median(c[0] for c in known), statistics.median(c[1] for c in known))
        if known
        else (1.0, 1.0)
    )
    gap = {name: costs.get(name, median)[0] - costs.get(name, median)[1] for name in names}
    ahead = 0.0  # half 1's sum of differences less half 2's
    half: dict[str, str] = {}
    for name in sorted(names, key=lambda name: (-abs(gap[name]), name)):
        first = abs(ahead + gap[name]) <= abs(ahead - gap[name])
        ahead += gap[name] if first else -gap[name]
        half[name] = HALVES[0] if first else HALVES[1]
    return half


def _file_of(classname: str) -> str | None:
    """The test file a JUnit ``classname`` (``tests.api.test_x`` or ``….TestCase``) names."""
    parts = [part for part in classname.split(".") if part]
    for end in range(len(parts), 0, -1):
        candidate = Path(*parts[:end]).with_suffix(".py")
        if (ROOT / candidate).is_file():
            return candidate.as_posix()
    return None


def junit_seconds(report: Path) -> dict[str, float]:
    """Seconds per test file in a JUnit report (setup, call and teardown of each test)."""
    seconds: dict[str, float] = {}
    # The report is our own run's; a module skipped whole names itself in "name".
    for case in ET.parse(report).iter("testcase"):  # noqa: S314
        name = _file_of(case.get("classname") or case.get("name") or "")
        if name is not None:
            seconds[name] = seconds.get(name, 0.0) + float(case.get("time", "0"))
    return seconds


def write_costs(sqlite: Mapping[str, float], postgresql: Mapping[str, float]) -> str:
    lines = ["# seconds per test file: SQLite (under coverage), PostgreSQL; see tests/shards.py"]
    for name in sorted(set(sqlite) | set(postgresql)):
        lines.append(f"{name} {sqlite.get(name, 0.0):.1f} {postgresql.get(name, 0.0):.1f}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.shards SQLITE.xml POSTGRESQL.xml", file=sys.stderr)
        return 2
    sqlite, postgresql = (junit_seconds(Path(arg)) for arg in argv)
    DURATIONS.write_text(write_costs(sqlite, postgresql), encoding="utf-8")
    print(f"{DURATIONS}: {len(set(sqlite) | set(postgresql))} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
