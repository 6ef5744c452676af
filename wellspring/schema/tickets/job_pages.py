"""What a list of jobs reads with its rows, so that its fields answer from memory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wellspring.domain import models as m

from ..core.dataloaders import Loaders
from ..core.prefetch import Tree, prefetch
from .types import JOB_RELATIONS


def job_tree(nodes: Tree) -> Tree:
    """The selection, with what its fields read of the ticket beyond it: the due time when
    ``overdue`` is asked (it decides), the details when ``expectedParts`` is (they list
    them)."""
    extra: dict[str, Any] = {"dueAt": {}} if "overdue" in nodes else {}
    if "expectedParts" in nodes:
        extra["details"] = {}
    ticket = nodes.get("ticket") or {}
    if extra.keys() <= ticket.keys():
        return nodes
    return {**nodes, "ticket": {**extra, **ticket}}


async def read_with_jobs(
    loaders: Loaders, jobs: Sequence[m.Job], nodes: Tree, *, joined_page: bool = False
) -> None:
    """The selected relations not read yet (none when ``joined_page``: the page read them in
    its own statement), and the engineers' names when asked."""
    if not joined_page:
        await prefetch(loaders, jobs, job_tree(nodes), JOB_RELATIONS)
    if "technicianName" in nodes:
        await loaders.know_technician_names([j.technician_id for j in jobs])
