"""Running an import: check every row, record the bad ones, then apply the good ones in
batches, each batch in its own unit of work together with the run's progress.

Resuming: the same file (same bytes, kind and options) finds its unfinished run. Rows already
written are then "unchanged" by their natural key, so a run stopped half-way continues with
the rest and never writes a row twice, whichever batch it stopped in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .. import audit, permissions
from ..actor import Actor
from ..clock import clock_of
from ..db import one_at_a_time
from ..models import ImportRowError, ImportRun
from ..models.enums import ImportKind, ImportStatus
from . import custom
from .base import Handler, SourceRow, load_context, record_columns
from .columns import map_headers
from .values import RowError

DEFAULT_BATCH = 1000
# A RUNNING run whose heartbeat (moved at its start and with every batch) is older than this
# lost its process: it reads as INTERRUPTED, and StartImport of the same file resumes it.
LEASE = dt.timedelta(minutes=5)
MAX_STORED_ERRORS = 10_000  # a report beyond that says more than anyone will read
MAX_ROWS = 1_000_000

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
ProgressHook = Callable[[int, int], None]  # rows handled, rows in all


@dataclass(frozen=True)
class ImportFile:
    """A file already read into text cells (``wellspring.tabular``), with its options."""

    kind: ImportKind
    file_name: str
    content_hash: str
    headers: Sequence[str]
    rows: Sequence[tuple[int, Sequence[str]]]  # (line in the file, cells)
    column_map: Mapping[str, str] = field(default_factory=dict)
    branch_code: str | None = None
    dry_run: bool = False


@dataclass
class Report:
    run_id: str | None
    status: ImportStatus
    total: int = 0
    unchanged: int = 0
    applied: int = 0
    to_apply: int = 0
    batches_done: int = 0
    batches_total: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Another process is applying this file's run: this call applied nothing, and must
    # start nothing (``_applying``).
    applying_elsewhere: bool = False


def content_hash(
    content: bytes, kind: ImportKind, column_map: Mapping[str, str], branch_code: str | None
) -> str:
    """The identity of a run: the bytes and every option that changes what is written."""
    digest = hashlib.sha256(content)
    options = {"kind": kind.value, "map": dict(sorted(column_map.items())), "branch": branch_code}
    digest.update(json.dumps(options, ensure_ascii=False, sort_keys=True).encode())
    return digest.hexdigest()


def handler(kind: ImportKind) -> Handler:
    from .cards import CardsImport
    from .catalogue import PartsImport, StockImport
    from .customers import CustomersImport
    from .devices import DevicesImport
    from .engineers import EngineersImport

    handlers: dict[ImportKind, Handler] = {
        ImportKind.CUSTOMERS: CustomersImport(),
        ImportKind.DEVICES: DevicesImport(),
        ImportKind.CARDS: CardsImport(),
        ImportKind.PARTS: PartsImport(),
        ImportKind.STOCK: StockImport(),
        ImportKind.ENGINEERS: EngineersImport(),
    }
    return handlers[kind]


def source_rows(file: ImportFile, custom: Mapping[str, str] | None = None) -> list[SourceRow]:
    """The file's non-blank rows as fields; a missing required column fails the whole file.
    ``custom``: the custom fields' headers (``custom.headers``)."""
    headers = map_headers(file.kind, file.headers, file.column_map, custom)
    rows = [SourceRow(line, headers.pick(cells)) for line, cells in file.rows]
    return [r for r in rows if any(r.values.values())]


def nested(session: AsyncSession) -> UnitOfWork:
    """Units of work as savepoints of one open transaction (an import inside a request)."""

    @asynccontextmanager
    async def unit() -> AsyncIterator[AsyncSession]:
        async with session.begin_nested():
            yield session

    return unit


async def _open_run(session: AsyncSession, actor: Actor, file: ImportFile) -> ImportRun:
    """The unfinished run of this same file, or a new one."""
    if not file.dry_run:
        found = await _unfinished(session, file)
        if found is not None:
            return found
    run = ImportRun(
        kind=file.kind,
        file_name=file.file_name[:255],
        file_hash=file.content_hash,
        dry_run=file.dry_run,
        status=ImportStatus.VALIDATING,
        actor_id=actor.user_id or None,
        column_map=dict(file.column_map),
    )
    session.add(run)
    await session.flush()
    return run


async def _unfinished(session: AsyncSession, file: ImportFile) -> ImportRun | None:
    """The latest run of this same file that is not done."""
    return await session.scalar(
        select(ImportRun)
        .where(
            ImportRun.kind == file.kind,
            ImportRun.file_hash == file.content_hash,
            ImportRun.dry_run.is_(False),
            ImportRun.status != ImportStatus.DONE,
            ImportRun.deleted_at.is_(None),
        )
        .order_by(ImportRun.created_at.desc())
        .limit(1)
    )


async def _store_errors(
    session: AsyncSession, run_id: str, errors: Sequence[RowError], now: dt.datetime
) -> None:
    await session.execute(delete(ImportRowError).where(ImportRowError.import_id == run_id))
    rows = [
        {
            **record_columns(now),
            "id": str(uuid.uuid4()),
            "import_id": run_id,
            "line": e.line,
            "column": e.column[:64],
            "code": e.code,
            "params": e.params,
        }
        for e in errors[:MAX_STORED_ERRORS]
    ]
    if rows:
        await session.execute(insert(ImportRowError), rows)


async def run_import(
    unit: UnitOfWork,
    actor: Actor,
    file: ImportFile,
    *,
    now: dt.datetime,
    batch_size: int = DEFAULT_BATCH,
    progress: ProgressHook | None = None,
    stop_after_batches: int | None = None,
    record: bool = True,
    run_id: str | None = None,
) -> Report:
    """Check every row, then (unless a dry run) apply the valid ones ``batch_size`` at a time.

    ``record=False`` keeps no run (a dry run from the command line writes nothing at all);
    ``stop_after_batches`` stops early as an interruption would (tests, the bench).
    """
    permissions.check(actor, "import.run")
    kind_handler = handler(file.kind)
    async with unit() as session:
        if record and not file.dry_run:
            await _one_at_a_time(session, file)
            alive = None if run_id else await _applying(session, file, now)
            if alive is not None:
                return _progress(alive)
        ctx = await load_context(session, actor, now, file.branch_code)
        ctx.custom_fields = await custom.active_fields(session, file.kind)
        rows = source_rows(file, custom.headers(ctx.custom_fields))
        report = Report(run_id=None, status=ImportStatus.VALIDATING, total=len(rows))
        if file.branch_code and ctx.default_branch_id is None:
            from ..errors import DomainError

            raise DomainError("IMPORT_UNKNOWN_BRANCH", field="branch", value=file.branch_code)
        checked = await kind_handler.check(session, rows, ctx)
        report.errors = sorted(checked.errors, key=lambda e: (e.line, e.column))
        report.to_apply = len(checked.items)
        run = None
        if record:
            run = await session.get(ImportRun, run_id) if run_id else None
            run = run or await _open_run(session, actor, file)
            report.run_id = run.id
            already = run.applied_rows
            report.applied = already
            report.batches_done = run.batches_done
            report.unchanged = max(checked.unchanged - already, 0)
            run.branch_id = ctx.default_branch_id
            run.total_rows = len(rows)
            run.error_rows = len({e.line for e in checked.errors})
            run.unchanged_rows = report.unchanged
            run.batch_size = batch_size
            run.batches_total = run.batches_done + math.ceil(len(checked.items) / batch_size)
            run.status = ImportStatus.DONE if file.dry_run else ImportStatus.RUNNING
            run.heartbeat_at = _now(session, now)
            run.failure = ""
            if file.dry_run:
                run.finished_at = now
            await _store_errors(session, run.id, report.errors, now)
            report.batches_total = run.batches_total
        else:
            report.unchanged = checked.unchanged
            report.batches_total = math.ceil(len(checked.items) / batch_size)
    handled = report.unchanged + report.applied + len({e.line for e in report.errors})
    if progress:
        progress(handled, report.total)
    if file.dry_run:
        report.status = ImportStatus.DONE
        return report
    items = checked.items
    for done_now, start in enumerate(range(0, len(items), batch_size)):
        if stop_after_batches is not None and done_now >= stop_after_batches:
            report.status = ImportStatus.RUNNING
            return report
        batch = items[start : start + batch_size]
        try:
            async with unit() as session:
                await kind_handler.apply(session, batch, ctx)
                if report.run_id is not None:
                    await _advance(session, actor, report.run_id, len(batch), file.kind)
        except Exception as error:
            if report.run_id is not None:
                await _fail(unit, report.run_id, type(error).__name__)
            raise
        report.applied += len(batch)
        report.batches_done += 1
        handled += len(batch)
        if progress:
            progress(handled, report.total)
    report.status = ImportStatus.DONE
    if report.run_id is not None:
        async with unit() as session:
            await session.execute(
                update(ImportRun)
                .where(ImportRun.id == report.run_id)
                .values(status=ImportStatus.DONE, finished_at=now, updated_at=now)
            )
    return report


async def _applying(session: AsyncSession, file: ImportFile, now: dt.datetime) -> ImportRun | None:
    """The run of this same file that a process is still applying (its heartbeat within
    ``LEASE``): another StartImport of the file gets its progress instead of applying it
    beside it, which wrote its rows twice. A run whose process stopped resumes."""
    found = await _unfinished(session, file)
    if found is None or shown_status(found, now) is not ImportStatus.RUNNING:
        return None
    return found


def _progress(run: ImportRun) -> Report:
    return Report(
        run_id=run.id,
        status=ImportStatus.RUNNING,
        total=run.total_rows,
        unchanged=run.unchanged_rows,
        applied=run.applied_rows,
        batches_done=run.batches_done,
        batches_total=run.batches_total,
        applying_elsewhere=True,
    )


def lock_key(file: ImportFile) -> str:
    """What two imports of the same file (same bytes, kind and options) wait on."""
    return f"import:{file.kind.value}:{file.content_hash}"


async def _one_at_a_time(session: AsyncSession, file: ImportFile) -> None:
    """Wait for another import of the same file to finish its check and its first unit (all
    of a file small enough to apply inline). Both used to find no row and no run, and each
    created every customer."""
    await one_at_a_time(session, lock_key(file))


async def _advance(
    session: AsyncSession, actor: Actor, run_id: str, count: int, kind: ImportKind
) -> None:
    await session.execute(
        update(ImportRun)
        .where(ImportRun.id == run_id)
        .values(
            batches_done=ImportRun.batches_done + 1,
            applied_rows=ImportRun.applied_rows + count,
            heartbeat_at=_now(session, None),
        )
    )
    audit.record(
        session,
        actor,
        "import.batch",
        entity_type="import",
        entity_id=run_id,
        kind=kind.value,
        rows=count,
    )


def _now(session: AsyncSession, given: dt.datetime | None) -> dt.datetime:
    """The session's clock (a batch's heartbeat is its own time, not the run's start)."""
    now = clock_of(session).now()
    return now if given is None else max(now, given)


def shown_status(run: ImportRun, now: dt.datetime) -> ImportStatus:
    """The stored status, or INTERRUPTED for a RUNNING run whose process stopped beating."""
    if run.status is not ImportStatus.RUNNING:
        return run.status
    beat = run.heartbeat_at or run.updated_at
    return ImportStatus.INTERRUPTED if beat < now - LEASE else run.status


async def _fail(unit: UnitOfWork, run_id: str, reason: str) -> None:
    async with unit() as session:
        await session.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(status=ImportStatus.FAILED, failure=reason[:500])
        )
