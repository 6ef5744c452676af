"""``wellspring counts verify|rebuild``: the maintained ticket counts (issue 19 §3)."""

from __future__ import annotations

import argparse
import asyncio

from wellspring.domain import ticket_counts
from wellspring.domain.db import create_engine, session_factory, transaction


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    counts = sub.add_parser("counts", help="check or rebuild the maintained ticket counts")
    kinds = counts.add_subparsers(dest="counts_kind", required=True)
    kinds.add_parser("verify", help="compare the counts with the tickets (exit 1 if they differ)")
    kinds.add_parser("rebuild", help="count every live ticket again (ticket writers wait)")


async def _run(url: str, kind: str) -> int:
    engine = create_engine(url)
    try:
        if kind == "rebuild":
            async with transaction(session_factory(engine)) as session:
                await ticket_counts.rebuild(session)
            print("Ticket counts rebuilt")
            return 0
        async with transaction(session_factory(engine), writes=False) as session:
            wrong = await ticket_counts.differences(session)
    finally:
        await engine.dispose()
    for (branch, status, type_), (kept, actual) in wrong.items():
        print(f"branch {branch} {status.value} {type_.value}: kept {kept}, tickets {actual}")
    print("Ticket counts differ" if wrong else "Ticket counts agree with the tickets")
    return 1 if wrong else 0


def run(url: str, args: argparse.Namespace) -> int:
    return asyncio.run(_run(url, args.counts_kind))
