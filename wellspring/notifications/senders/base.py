"""The sender port: deliveries in, one outcome per delivery out.

A sender never raises for a provider's answer: it says what the worker must do with each
delivery, as the provider defines its errors (token gone: drop the token and never retry;
throttled or unavailable: retry no sooner than asked; a misconfigured sender: alert, do not
retry; a message the provider refused: give up on it, keep the token).

A sender also never starts a request it may not finish before the worker's lease on the
batch ends (:class:`Deadline`): the deliveries it did not start it answers
:data:`LEASE_ENDING`, and the worker puts them back for the next claim, unsent and uncounted.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class Verdict(enum.StrEnum):
    SENT = "SENT"
    RETRY = "RETRY"  # temporary: try again after ``retry_after`` (or the backoff)
    DROP_TOKEN = "DROP_TOKEN"  # noqa: S105 - the address is gone: delete it, never retry
    REJECTED = "REJECTED"  # this message was refused (payload): not retried, token kept
    ALERT = "ALERT"  # our credentials or sender are wrong: not retried, logged as an error


@dataclass(frozen=True)
class Delivery:
    """One message to one address, as the outbox row holds it."""

    id: str
    event_id: str
    kind: str
    channel: str
    recipient: str
    title: str
    body: str
    locale: str = "zh-CN"
    token: str = ""
    token_kind: str = "TOKEN"  # noqa: S105 - a kind of token, not a secret
    app_id: str = ""
    phone: str = ""
    ticket_id: str | None = None
    job_id: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_row(
        cls, row_id: str, channel: str, recipient: str, payload: dict[str, Any]
    ) -> Delivery:
        return cls(
            id=row_id,
            event_id=str(payload.get("event_id", "")),
            kind=str(payload.get("kind", "")),
            channel=channel,
            recipient=recipient,
            title=str(payload.get("title", "")),
            body=str(payload.get("body", "")),
            locale=str(payload.get("locale", "zh-CN")),
            token=str(payload.get("token", "")),
            token_kind=str(payload.get("token_kind") or "TOKEN"),
            app_id=str(payload.get("app_id", "")),
            phone=str(payload.get("phone", "")),
            ticket_id=payload.get("ticket_id"),
            job_id=payload.get("job_id"),
            params=dict(payload.get("params") or {}),
        )

    def data(self) -> dict[str, str]:
        """The data a phone gets with the message: the event id lets it drop a duplicate."""
        values = {"event_id": self.event_id, "kind": self.kind}
        if self.ticket_id:
            values["ticket_id"] = self.ticket_id
        if self.job_id:
            values["job_id"] = self.job_id
        return values


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    error: str = ""
    retry_after: float | None = None  # seconds, as the provider asked

    @classmethod
    def sent(cls) -> Outcome:
        return cls(Verdict.SENT)


# What a sender answers for a delivery it did not start because the lease was ending.
LEASE_ENDING = Outcome(Verdict.RETRY, "not sent: the lease was ending", retry_after=0)


@dataclass(frozen=True)
class Deadline:
    """When a sender must be done with the batch: ``at`` on the monotonic ``clock``, which is
    the worker's lease less its margin. ``window``: the seconds the batch had at its claim."""

    at: float
    window: float
    clock: Callable[[], float] = time.monotonic

    def left(self) -> float:
        return self.at - self.clock()

    def allows(self, seconds: float) -> bool:
        """Whether a request that may take ``seconds`` may start now. Half the window is always
        enough, so the first request of a pass starts even under a lease too short for the
        timeouts (then ``timeout`` keeps the request inside the deadline)."""
        return self.left() >= min(seconds, self.window / 2)

    def timeout(self, seconds: float) -> float:
        """A per-phase timeout for an HTTP request starting now: at most ``seconds``, and its
        connection and its answer (two phases) end before the deadline."""
        return max(min(seconds, self.left() / 2), 0.001)


class Sender(Protocol):
    """A channel. ``max_batch``: how many deliveries one ``send`` takes. Given a
    ``deadline``, ``send`` starts no request it may not finish by then and answers the
    deliveries it did not start :data:`LEASE_ENDING`."""

    channel: str
    max_batch: int

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]: ...

    async def close(self) -> None: ...


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header in seconds (the HTTP-date form counts as unknown)."""
    if not value:
        return None
    try:
        return max(float(value.strip()), 0.0)
    except ValueError:
        return None
