"""Parts recorded offline on a job the dispatcher gave to another engineer before the sync.

The phone recorded the parts while its engineer held the job, or after the reassignment but
before the phone learned of it (it still showed the job, and the engineer went): either way
the parts left that engineer's van and are in the customer's machine. So the consumption is
taken against their van and the job when the job's history (``JobStatusChange.technician_id``,
the engineer holding the job from each step on) says they held it at or before the time the
phone recorded, judged by the clock rules (``workflow/clock_rules.py``: a time too far ahead
is the server's, one too old the oldest allowed), and the job still takes parts: open, or
closed after that time, as a cancel or a completion keep parts recorded before them.

Anything else is refused for good: recorded before the engineer ever held the job
(``JOB_NOT_HELD``), or after the job closed (``JOB_CLOSED``); no retry can change that. An
engineer who never held the job is told it does not exist (``NOT_FOUND``), as for any job
they may not see, unless the caller knows they held it (the phone's installation was sent
it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..clock import clock_of
from ..config import config_of
from ..errors import DomainError
from ..models import Job, JobStatusChange
from ..models.enums import JobStatus
from ..workflow import clock_rules

CLOSED = frozenset({JobStatus.COMPLETED, JobStatus.CANCELLED, JobStatus.FAILED})


async def first_held(session: AsyncSession, job_id: str, technician_id: str) -> dt.datetime | None:
    """When the job's history first names the engineer as its holder (None: never)."""
    return await session.scalar(
        select(func.min(JobStatusChange.at)).where(
            JobStatusChange.job_id == job_id, JobStatusChange.technician_id == technician_id
        )
    )


async def closed_at(session: AsyncSession, job: Job) -> dt.datetime | None:
    """When the job was completed, failed or cancelled (None while it is open)."""
    if job.status not in CLOSED:
        return None
    if job.status is JobStatus.COMPLETED and job.completed_at is not None:
        return job.completed_at
    return await session.scalar(
        select(func.max(JobStatusChange.at)).where(
            JobStatusChange.job_id == job.id, JobStatusChange.to_status == job.status
        )
    )


async def check(
    session: AsyncSession,
    job: Job,
    technician_id: str | None,
    recorded_at: dt.datetime | None,
    *,
    held_on_device: bool,
) -> None:
    """Return if the engineer's offline consumption on a job now held by someone else (or by
    nobody) is taken; raise otherwise. ``held_on_device``: the caller knows the engineer
    held the job once (a sync push names only jobs its installation was sent)."""
    if technician_id is None:
        raise DomainError("NOT_FOUND", field="job_id")
    since = await first_held(session, job.id, technician_id)
    if since is None and not held_on_device:
        raise DomainError("NOT_FOUND", field="job_id")
    now = clock_of(session).now()
    stamp = clock_rules.judge(recorded_at, received=now, rules=config_of(session).clock_rules)
    if since is None or stamp.occurred_at < since:
        raise DomainError("JOB_NOT_HELD", field="job_id", number=job.number)
    closed = await closed_at(session, job)
    if closed is not None and stamp.occurred_at > closed:
        raise DomainError("JOB_CLOSED", field="job_id", number=job.number)
