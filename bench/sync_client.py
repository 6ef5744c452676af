"""The phone's side of bench/sync: a login, a pull and a push over the app's HTTP routes."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

from starlette.testclient import TestClient

from .database import ROOT
from .sync_world import Busy

LOGIN_DOCUMENT = (ROOT / "clients" / "everyone" / "Login.graphql").read_text("utf-8")
SCHEMA_VERSION = 2


def _id() -> str:
    return str(uuid.uuid4())


@dataclass
class Pulled:
    ms: float
    status: int
    timestamp: int
    created: int
    updated: int
    deleted: int
    bytes: int
    problem: str = ""

    @property
    def records(self) -> int:
        return self.created + self.updated + self.deleted


def pull(client: TestClient, headers: dict[str, str], cursor: int | None) -> Pulled:
    body = {"lastPulledAt": cursor, "schemaVersion": SCHEMA_VERSION, "migration": None}
    began = time.perf_counter()
    response = client.post("/sync/pull", json=body, headers=headers)
    ms = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        return Pulled(ms, response.status_code, 0, 0, 0, 0, 0, response.text[:500])
    answer = response.json()
    changes = answer["changes"].values()
    return Pulled(
        ms=ms,
        status=200,
        timestamp=int(answer["timestamp"]),
        created=sum(len(c["created"]) for c in changes),
        updated=sum(len(c["updated"]) for c in changes),
        deleted=sum(len(c["deleted"]) for c in changes),
        bytes=len(response.content),
    )


def push_body(job_ids: list[str], cursor: int) -> dict[str, Any]:
    now_ms = int(time.time() * 1000)
    notes = [
        {
            "id": _id(),
            "job_id": job_id,
            "body": f"已与客户确认上门时间 ({n})",
            "recorded_at": now_ms - 120_000 + n,
        }
        for n, job_id in enumerate(job_ids)
    ]
    events = [
        {
            "id": _id(),
            "job_id": job_id,
            "action": "ACCEPT",
            "reason": None,
            "report_json": None,
            "recorded_at": now_ms - 240_000 + n,
        }
        for n, job_id in enumerate(job_ids)
    ]
    return {
        "changes": {
            "job_notes": {"created": notes, "updated": [], "deleted": []},
            "job_events": {"created": events, "updated": [], "deleted": []},
        },
        "lastPulledAt": cursor,
    }


def push(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> tuple[float, str]:
    began = time.perf_counter()
    response = client.post("/sync/push", json=body, headers=headers)
    ms = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        return ms, f"HTTP {response.status_code}: {response.text[:500]}"
    answer = response.json()
    if answer.get("rejected") or answer.get("experimentalRejectedIds"):
        return ms, f"rejected: {json.dumps(answer, ensure_ascii=False)[:500]}"
    return ms, ""


def login(client: TestClient, busy: Busy) -> str:
    variables = {"username": busy.username, "password": busy.password}
    answer = client.post("/graphql", json={"query": LOGIN_DOCUMENT, "variables": variables}).json()
    token = ((answer.get("data") or {}).get("login") or {}).get("token")
    if not token:
        raise SystemExit(f"login failed: {json.dumps(answer, ensure_ascii=False)[:2000]}")
    return str(token)


def headers_for(token: str) -> dict[str, str]:
    install = f"bench-phone-{uuid.uuid4().hex[:16]}"
    return {"Authorization": f"Bearer {token}", "X-Sync-Client": install, "Accept-Language": "en"}
