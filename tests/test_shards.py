"""The suite's two halves (tests/shards.py): every file in one, the two jobs of about equal
length, and the costs read back as written."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from tests import shards

COSTS = st.dictionaries(
    st.from_regex(r"tests/test_[a-z]{1,8}\.py", fullmatch=True),
    st.tuples(st.floats(0, 120), st.floats(0, 120)),
    max_size=40,
)


def job_seconds(half: dict[str, str], costs: dict[str, shards.Cost]) -> tuple[float, float]:
    """How long each job runs: SQLite on one half, then PostgreSQL on the other."""
    sqlite = {h: sum(costs[f][0] for f, fh in half.items() if fh == h) for h in shards.HALVES}
    postgresql = {h: sum(costs[f][1] for f, fh in half.items() if fh == h) for h in shards.HALVES}
    return sqlite["1"] + postgresql["2"], sqlite["2"] + postgresql["1"]


@given(COSTS)
def test_every_file_lies_in_one_half_and_the_jobs_end_together(
    costs: dict[str, shards.Cost],
) -> None:
    half = shards.assign(costs, costs)
    assert set(half) == set(costs)
    assert set(half.values()) <= set(shards.HALVES)
    assert shards.assign(reversed(list(costs)), costs) == half  # the same in every process
    first, second = job_seconds(half, costs)
    # Greedy, largest first: the jobs differ by at most the largest file's difference.
    largest = max((abs(s - p) for s, p in costs.values()), default=0.0)
    assert abs(first - second) <= largest + 1e-6


def test_the_suite_as_measured_splits_within_a_minute() -> None:
    costs = shards.read_costs()
    assert len(costs) > 100, "tests/durations.txt lists the suite's files"
    first, second = job_seconds(shards.assign(costs, costs), costs)
    assert abs(first - second) < 60, (first, second)


def test_a_file_not_measured_counts_as_the_median_one() -> None:
    costs = {"tests/a.py": (10.0, 1.0), "tests/b.py": (4.0, 2.0), "tests/c.py": (6.0, 3.0)}
    half = shards.assign([*costs, "tests/new.py"], costs)
    with_median = {**costs, "tests/new.py": (6.0, 2.0)}
    assert half == shards.assign(with_median, with_median)


def test_costs_are_read_back_as_written_from_junit_reports(tmp_path: Path) -> None:
    def report(seconds: dict[str, float]) -> Path:
        path = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.xml"
        cases = "".join(
            f'<testcase classname="{name}" name="t{i}" time="{t}"/>'
            for i, (name, t) in enumerate(seconds.items())
        )
        path.write_text(f"<testsuites><testsuite>{cases}</testsuite></testsuites>")
        return path

    sqlite = shards.junit_seconds(
        report({"tests.test_shards": 1.25, "tests.test_cli": 2.0, "tests.nowhere": 9.0})
    )
    postgresql = shards.junit_seconds(report({"tests.test_shards": 0.5}))
    assert sqlite == {"tests/test_shards.py": 1.25, "tests/test_cli.py": 2.0}
    written = tmp_path / "durations.txt"
    written.write_text(shards.write_costs(sqlite, postgresql))
    assert shards.read_costs(written) == {
        "tests/test_cli.py": (2.0, 0.0),
        "tests/test_shards.py": (1.2, 0.5),
    }
