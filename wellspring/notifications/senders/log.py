"""The embedded default: write what would be sent, as one log line per delivery.

A customer's text carries a tracking link, a bearer secret of which only the hash is kept
(``domain/tracking/links.py``): the line shows its URL with the token redacted, since logs
are read, shipped and kept by more people than the customer.
"""

from __future__ import annotations

import json
import logging

from wellspring.domain.tracking.links import redact

from .base import Deadline, Delivery, Outcome

log = logging.getLogger("wellspring.notifications")


class LogSender:
    channel = "LOG"
    max_batch = 500

    async def send(
        self, deliveries: list[Delivery], *, deadline: Deadline | None = None
    ) -> list[Outcome]:
        # No request to start: a log line cannot outlast the lease (``deadline`` unused).
        for item in deliveries:
            log.info(
                "notification %s",
                json.dumps(
                    {
                        "event_id": item.event_id,
                        "kind": item.kind,
                        "channel": item.channel,
                        "to": item.recipient,
                        "title": redact(item.title),
                        "body": redact(item.body),
                    },
                    ensure_ascii=False,
                ),
            )
        return [Outcome.sent() for _ in deliveries]

    async def close(self) -> None:
        return None
