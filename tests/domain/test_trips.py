"""The visit an engineer is on the way to now (``dispatch/trips``): a customer sees the
engineer move only on that one. Two jobs left EN_ROUTE showed both customers one position."""

from __future__ import annotations

import datetime as dt

from wellspring.domain.dispatch.trips import current_trip
from wellspring.domain.models import Job
from wellspring.domain.models.enums import JobStatus

T0 = dt.datetime(2026, 12, 6, 1, 0, tzinfo=dt.UTC)


def job(
    name: str, status: JobStatus, *, left: int | None = None, arrived: int | None = None
) -> Job:
    return Job(
        id=name,
        status=status,
        started_travel_at=T0 + dt.timedelta(minutes=left) if left is not None else None,
        arrived_at=T0 + dt.timedelta(minutes=arrived) if arrived is not None else None,
    )


def test_the_latest_departure_is_the_trip() -> None:
    first, second = job("a", JobStatus.EN_ROUTE, left=0), job("b", JobStatus.EN_ROUTE, left=30)
    assert current_trip([first, second]) is second
    assert current_trip([second, first]) is second


def test_an_arrival_elsewhere_since_setting_off_ends_the_trip() -> None:
    here = job("a", JobStatus.EN_ROUTE, left=0)
    assert current_trip([here, job("b", JobStatus.ON_SITE, left=5, arrived=20)]) is None
    # A site reached before setting off (a visit left open) does not.
    assert current_trip([here, job("c", JobStatus.ON_SITE, arrived=-60)]) is here


def test_no_trip_without_a_job_on_the_way() -> None:
    assert current_trip([]) is None
    assert current_trip([job("a", JobStatus.ASSIGNED), job("b", JobStatus.ON_SITE)]) is None
