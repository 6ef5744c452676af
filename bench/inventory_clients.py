"""``bench.inventory``'s clients: each consumes one unit per transaction through
``ledger.post`` as the app calls it, timing the transaction's steps; spread over processes,
with the database backends' CPU read from /proc."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from wellspring.domain.actor import SYSTEM
from wellspring.domain.db import create_engine, session_factory, transaction
from wellspring.domain.inventory import ledger
from wellspring.domain.models.enums import LedgerKind, StockBin

from . import commit_timing

_ERROR_PAUSE = 0.01  # a failing database must not turn a client into a busy loop
SETUP_TIMEOUT = 120.0


@dataclass(frozen=True)
class Job:
    """What one process runs: its clients, each bound to a (warehouse, part) balance."""

    url: str
    part_id: str
    warehouse_ids: list[str]  # one per client of this process
    warmup: float
    seconds: float


async def consume(
    factory: async_sessionmaker[AsyncSession], part_id: str, warehouse_id: str
) -> tuple[float, float, float]:
    """One consumption in its own transaction: ``ledger.post`` alone.

    ``inventory.consumption.consume_parts`` adds job and retry checks around it; they are left
    out so that the figures are the ledger's. Returns the seconds spent getting the
    transaction going (pool checkout with its ping on PostgreSQL, ``BEGIN IMMEDIATE`` and so
    the write lock on SQLite) and inside ``post``, and the moment SQLAlchemy sent ``COMMIT``
    (``commit_timing``; 0.0 if it was not seen).
    """
    began = time.perf_counter()
    async with transaction(factory) as session:
        opened = time.perf_counter()
        await ledger.post(
            session,
            SYSTEM,
            warehouse_id=warehouse_id,
            part_id=part_id,
            bin_=StockBin.GOOD,
            delta=-1,
            kind=LedgerKind.CONSUMPTION,
        )
        posted = time.perf_counter()
        info = (await session.connection()).info
    return opened - began, posted - opened, float(info.pop(commit_timing.SENT, 0.0))


@dataclass
class Tally:
    """One client's (or process's) counts; phases are sums, to give means that add up."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    succeeded: int = 0  # every success, warm-up and outside the window included
    begin_s: float = 0.0
    post_s: float = 0.0
    commit_s: float = 0.0
    # The commit step in two: the app's stamps (flush, version, UPDATEs) up to sending COMMIT,
    # then COMMIT from sending it to having its answer (its round trip, with the event loop's
    # delay in resuming the client); and that delay itself, sampled through the window.
    stamps_s: float = 0.0
    commit_rt_s: float = 0.0
    loop_wait_s: float = 0.0
    loop_samples: int = 0
    cpu_s: float = 0.0  # this process's CPU time while its clients ran, warm-up included
    # The same for the PostgreSQL backends serving its connections, when they can be seen.
    server_cpu_s: float | None = None
    # Time spent ready to run but waiting for a core (the kernel's run-queue delay,
    # /proc/<pid>/schedstat), warm-up included: this process's main thread, which runs its
    # clients' event loop, and the backends.
    cpu_queue_s: float = 0.0
    server_queue_s: float | None = None

    def merge(self, other: Tally) -> None:
        """Add ``other``'s counts; server CPU stays known only if both sides know it."""
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error
        self.succeeded += other.succeeded
        self.begin_s += other.begin_s
        self.post_s += other.post_s
        self.commit_s += other.commit_s
        self.stamps_s += other.stamps_s
        self.commit_rt_s += other.commit_rt_s
        self.loop_wait_s += other.loop_wait_s
        self.loop_samples += other.loop_samples
        self.cpu_s += other.cpu_s
        self.cpu_queue_s += other.cpu_queue_s
        if self.server_cpu_s is None or other.server_cpu_s is None:
            self.server_cpu_s = None
        else:
            self.server_cpu_s += other.server_cpu_s
        if self.server_queue_s is None or other.server_queue_s is None:
            self.server_queue_s = None
        else:
            self.server_queue_s += other.server_queue_s


async def _client(
    factory: async_sessionmaker[AsyncSession],
    part_id: str,
    warehouse_id: str,
    window: tuple[float, float],
) -> Tally:
    """Consume back to back until the window ends; count what ends inside it."""
    measure_from, stop_at = window
    tally = Tally()
    while (began := time.perf_counter()) < stop_at:
        try:
            begin_s, post_s, sent = await consume(factory, part_id, warehouse_id)
        except Exception as exc:  # any failure is counted and shown, never hidden
            ended = time.perf_counter()
            if measure_from <= ended <= stop_at:
                tally.errors += 1
                tally.first_error = tally.first_error or f"{type(exc).__name__}: {exc}"[:300]
            await asyncio.sleep(_ERROR_PAUSE)
            continue
        ended = time.perf_counter()
        tally.succeeded += 1
        if measure_from <= ended <= stop_at:
            tally.latencies.append(ended - began)
            tally.begin_s += begin_s
            tally.post_s += post_s
            tally.commit_s += ended - began - begin_s - post_s
            if sent:
                tally.stamps_s += sent - began - begin_s - post_s
                tally.commit_rt_s += ended - sent
    return tally


async def _warm_pool(engine: AsyncEngine, clients: int) -> list[int]:
    """Open the pool's connections before timing, so no client pays for a connect in it.

    Returns the PostgreSQL backends' process ids (none on SQLite).
    """
    # SQLite's engine keeps SQLAlchemy's default pool (5, plus 10 overflow connections that
    # are closed on return), whatever ``pool_size`` says: only the kept ones are worth opening.
    connections = min(clients, engine.pool.size())  # type: ignore[attr-defined]
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(engine.connect().start()) for _ in range(connections)]
    pids: list[int] = []
    for task in tasks:
        conn = task.result()
        if engine.dialect.name == "postgresql":
            pids.append(int(await conn.scalar(text("SELECT pg_backend_pid()"))))
        await conn.close()
    return pids


def backend_cpu(pids: list[int]) -> float | None:
    """CPU seconds the given PostgreSQL backends have used, if they run on this machine.

    This splits a consumption's time between the app (Python) and the database; a server
    elsewhere (or in a container) is simply not measured.
    """
    if not pids:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        proc = Path(f"/proc/{pid}")
        try:
            if not proc.joinpath("comm").read_text().startswith("postgres"):
                return None
            # Split after the command name, which may hold spaces: utime and stime (fields 14
            # and 15 in proc(5)) are then the 12th and 13th.
            fields = proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def run_queue_delay(task_dirs: list[Path]) -> float | None:
    """Seconds the given processes' leader threads have spent runnable but not running,
    waiting for a core (the second field of ``schedstat``, in ns); None where the kernel does
    not keep it."""
    total = 0
    for task in task_dirs:
        try:
            total += int(task.joinpath("schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            return None
    return total / 1e9


def _main_thread() -> list[Path]:
    return [Path("/proc/self")]  # /proc/<pid>/schedstat is the thread-group leader's


def _backends(pids: list[int]) -> list[Path] | None:
    return [Path(f"/proc/{pid}") for pid in pids] if backend_cpu(pids) is not None else None


def _queued(task_dirs: list[Path] | None) -> float | None:
    return None if task_dirs is None else run_queue_delay(task_dirs)


async def _run_clients(job: Job, barrier: Any = None) -> Tally:
    """All of a process's clients as asyncio tasks on one engine, as the app runs them."""
    clients = len(job.warehouse_ids)
    # The pool holds a connection per client: clients wait on rows, not on the pool.
    engine = create_engine(job.url, pool_size=clients)
    commit_timing.install(engine)
    factory = session_factory(engine)
    try:
        pids = await _warm_pool(engine, clients)
        if barrier is not None:
            # Processes start their windows together; the warm-up absorbs the remainder.
            await asyncio.to_thread(barrier.wait, SETUP_TIMEOUT)
        now = time.perf_counter()
        window = (now + job.warmup, now + job.warmup + job.seconds)
        cpu, server_cpu = time.process_time(), backend_cpu(pids)
        backends = _backends(pids)
        queued, server_queued = _queued(_main_thread()), _queued(backends)
        loop = commit_timing.LoopWait(window)
        probe = asyncio.create_task(loop.run())
        tallies = await asyncio.gather(
            *(_client(factory, job.part_id, w, window) for w in job.warehouse_ids)
        )
        probe.cancel()
        cpu, server_after = time.process_time() - cpu, backend_cpu(pids)
        queued_after, server_queued_after = _queued(_main_thread()), _queued(backends)
    finally:
        await engine.dispose()
    if server_cpu is not None and server_after is not None:
        server_cpu = server_after - server_cpu
    else:
        server_cpu = None
    total = Tally()
    for tally in tallies:
        total.merge(tally)
    # Clients measure no CPU of their own: the process's figures are set once, here.
    total.cpu_s, total.server_cpu_s = cpu, server_cpu
    if queued is not None and queued_after is not None:
        total.cpu_queue_s = queued_after - queued
    if server_queued is not None and server_queued_after is not None:
        total.server_queue_s = server_queued_after - server_queued
    total.loop_wait_s, total.loop_samples = loop.total, loop.samples
    return total


def _process_main(job: Job, barrier: Any) -> Tally:
    """Entry point of a worker process (``--processes`` > 1)."""
    return asyncio.run(_run_clients(job, barrier))


def _split(items: list[str], parts: int) -> list[list[str]]:
    return [items[i::parts] for i in range(parts)]


def run_clients(job: Job, processes: int) -> Tally:
    """Run ``job``'s clients in this process, or spread round-robin over ``processes``."""
    if processes == 1:
        return asyncio.run(_run_clients(job))
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(processes, context) as pool:
        barrier = manager.Barrier(processes)
        futures = [
            pool.submit(
                _process_main,
                Job(job.url, job.part_id, share, job.warmup, job.seconds),
                barrier,
            )
            for share in _split(job.warehouse_ids, processes)
        ]
        total = Tally(server_cpu_s=0.0, server_queue_s=0.0)
        for future in futures:
            total.merge(future.result(timeout=SETUP_TIMEOUT + job.warmup + job.seconds))
    return total
