"""A closed-loop HTTP load driver, run as its own process: ``python -m bench.driver``.

Reads one JSON job on stdin (host, port, path, headers, body, concurrency, warmup, seconds)
and prints one JSON result on stdout. Each of ``concurrency`` threads holds one keep-alive
``http.client`` connection and sends the next request as soon as the last one is answered;
that client costs far less CPU per request than an async client library, which matters when
driver and server share two cores. A request counts when it *ends* inside the timed window
(after the warm-up); its latency is measured around the full request and response read.

It imports nothing from the project, so it starts fast and measures only the server.

With ``cpu_pid`` in the job (the server's process id), it also reads from ``/proc`` the CPU
seconds, over the timed window only, of that process, of every PostgreSQL process on the
machine (the whole cluster: meaningful on an otherwise quiet machine) and of the driver
itself: what each request costs each of the three that share the cores.
"""

from __future__ import annotations

import http.client
import json
import math
import os
import resource
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A response with this key is a GraphQL error even under status 200.
_ERRORS_KEY = b'"errors"'
_IO_TIMEOUT = 30.0


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""


def _connect(job: dict[str, Any]) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(job["host"], job["port"], timeout=_IO_TIMEOUT)


def _worker(
    job: dict[str, Any], start: threading.Barrier, window: list[float], tally: _Tally
) -> None:
    body = job["body"].encode()
    headers = {**job["headers"], "Content-Type": "application/json"}
    conn = _connect(job)
    start.wait(timeout=_IO_TIMEOUT)
    measure_from, stop_at = window  # set by ``run`` before the barrier opens
    try:
        while (began := time.perf_counter()) < stop_at:
            try:
                conn.request("POST", job["path"], body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                ok = response.status == 200 and _ERRORS_KEY not in payload
                problem = "" if ok else f"HTTP {response.status}: {payload[:300]!r}"
            except (OSError, http.client.HTTPException) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                conn.close()
                conn = _connect(job)
                time.sleep(0.01)  # a refused connection must not spin the loop
            ended = time.perf_counter()
            if not measure_from <= ended <= stop_at:
                continue
            if problem:
                tally.errors += 1
                tally.first_error = tally.first_error or problem
            else:
                tally.latencies.append(ended - began)
    finally:
        conn.close()


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def cpu_of(pid: int) -> float:
    """utime + stime of ``pid`` in seconds (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # After the command name, which may hold spaces, utime and stime are the 12th and 13th.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.joinpath("comm").read_text().startswith("postgres"):
                    total += cpu_of(int(entry.name))
            except OSError:
                continue  # ended meanwhile
    return total


def _cpu_now(server_pid: int) -> tuple[float, float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return cpu_of(server_pid), postgres_cpu(), own.ru_utime + own.ru_stime


def run(job: dict[str, Any]) -> dict[str, Any]:
    concurrency = int(job["concurrency"])
    warmup, seconds = float(job["warmup"]), float(job["seconds"])
    start = threading.Barrier(concurrency + 1)
    tallies = [_Tally() for _ in range(concurrency)]
    window = [0.0, 0.0]
    threads = [
        threading.Thread(target=_worker, args=(job, start, window, tally), daemon=True)
        for tally in tallies
    ]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    window[0], window[1] = now + warmup, now + warmup + seconds
    start.wait(timeout=_IO_TIMEOUT)
    cpu: dict[str, float] = {}
    server_pid = job.get("cpu_pid")
    if server_pid:
        time.sleep(max(0.0, window[0] - time.perf_counter()))
        before = _cpu_now(int(server_pid))
        time.sleep(max(0.0, window[1] - time.perf_counter()))
        after = _cpu_now(int(server_pid))
        names = ("server", "postgres", "driver")
        cpu = {n: round(b - a, 3) for n, a, b in zip(names, before, after, strict=True)}
    for thread in threads:
        thread.join(timeout=warmup + seconds + _IO_TIMEOUT + 5)
    latencies = sorted(x for t in tallies for x in t.latencies)
    errors = sum(t.errors for t in tallies)
    return {
        "cpu_seconds": cpu,
        "requests": len(latencies),
        "errors": errors,
        "first_error": next((t.first_error for t in tallies if t.first_error), ""),
        "seconds": seconds,
        "requests_per_second": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else 0.0) * 1000,
        "latencies_ms": [round(x * 1000, 3) for x in latencies],
    }


def main() -> int:
    job = json.load(sys.stdin)
    json.dump(run(job), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
