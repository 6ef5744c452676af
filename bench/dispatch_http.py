"""SuggestTechnicians as a dispatcher's browser meets it: the app under uvicorn, over HTTP.

``bench.dispatch`` times its requests in process first (``TestClient``), which is quick to
set up but not what a client sees: the test client hands each request to a thread of its own
and back, and leaves about 40 objects in reference cycles per request, so every hundred or
so requests the cyclic collector frees them in one pause of 5-7 ms, inside some request's
latency. A server process has neither. Here the same requests go, one at a time on one
keep-alive connection, to the real app in its own uvicorn process (``servers.serve``); the
latency is from sending the request to reading the whole answer, and the server's and
PostgreSQL's CPU are read from ``/proc`` over the timed requests.

The sample is then asked a second time, untimed for the figures above, so the tail can be
told apart (``dispatch_tail.py``): a request slow in both passes does more work, one slow in
a single pass met the machine's noise.
"""

from __future__ import annotations

import http.client
import json
import secrets
import statistics
import time
from dataclasses import dataclass
from typing import Any

from wellspring.schema.core.ids import global_id

from .driver import cpu_of, percentile, postgres_cpu
from .servers import Endpoint, serve, server_env
from .tickets_servers import LOGIN_DOCUMENT

_TIMEOUT = 60.0


@dataclass(frozen=True)
class OverHttp:
    """One step's requests over HTTP: latency, errors and CPU per request (ms)."""

    median_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    server_cpu_ms: float
    db_cpu_ms: float | None  # the whole PostgreSQL cluster; None on SQLite
    first_error: str = ""
    # Each job's latency in the timed pass and in the second pass (ms), in sample order.
    per_job: tuple[tuple[float, float], ...] = ()


def over_http(
    url: str,
    kind: str,
    document: str,
    sample: list[str],
    warmup: list[str],
    password: str,
    limit: int,
) -> OverHttp:
    """Time ``sample``'s requests (after ``warmup``'s) against the app under uvicorn."""

    def body(job_id: str) -> bytes:
        variables = {"jobId": global_id("Job", job_id), "limit": limit}
        return json.dumps({"query": document, "variables": variables}).encode()

    endpoint = Endpoint("dispatch", "wellspring.api.app:create_app", "/graphql", lambda *_: {})
    with serve(endpoint, server_env(url, secrets.token_urlsafe(32))) as server:
        variables = {"username": "bench-hq", "password": password}
        answer = server.post("/graphql", {"query": LOGIN_DOCUMENT, "variables": variables})
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {answer['data']['login']['token']}",
        }
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=_TIMEOUT)
        try:
            bodies = {job_id: body(job_id) for job_id in (*warmup, *sample)}

            def ask(job_id: str) -> tuple[float, str]:
                began = time.perf_counter()
                conn.request("POST", "/graphql", body=bodies[job_id], headers=headers)
                response = conn.getresponse()
                text = response.read()
                spent = (time.perf_counter() - began) * 1000
                return spent, _problem(response.status, text)

            for job_id in warmup:
                ask(job_id)
            cpu_before = cpu_of(server.pid), postgres_cpu() if kind == "postgresql" else 0.0
            timed = [ask(job_id) for job_id in sample]
            cpu_after = cpu_of(server.pid), postgres_cpu() if kind == "postgresql" else 0.0
            again = [ask(job_id)[0] for job_id in sample]
        finally:
            conn.close()
    latencies = sorted(spent for spent, _ in timed)
    problems = [problem for _, problem in timed if problem]
    n = len(sample)
    return OverHttp(
        median_ms=round(statistics.median(latencies), 2),
        p90_ms=round(percentile(latencies, 0.90), 2),
        p99_ms=round(percentile(latencies, 0.99), 2),
        max_ms=round(latencies[-1], 2),
        errors=len(problems),
        server_cpu_ms=round((cpu_after[0] - cpu_before[0]) * 1000 / n, 2),
        db_cpu_ms=(
            round((cpu_after[1] - cpu_before[1]) * 1000 / n, 2) if kind == "postgresql" else None
        ),
        first_error=problems[0] if problems else "",
        per_job=tuple((round(a, 3), round(b, 3)) for (a, _), b in zip(timed, again, strict=True)),
    )


def _problem(status: int, text: bytes) -> str:
    """Why an answer is not a good one ('' when it is)."""
    if status != 200:
        return f"HTTP {status}: {text[:500]!r}"
    answer: dict[str, Any] = json.loads(text)
    payload = (answer.get("data") or {}).get("suggestTechnicians") or {}
    if answer.get("errors") or payload.get("errors"):
        return json.dumps(answer, ensure_ascii=False)[:500]
    return ""
