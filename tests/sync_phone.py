"""A phone in Python for the sync tests: WatermelonDB's rules, checked as it pulls."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.testclient import TestClient


@dataclass
class Phone:
    """A local copy per table, the cursor, and the changes waiting to be pushed."""

    client: TestClient
    token: str
    install_id: str = field(default_factory=lambda: f"phone-{uuid.uuid4().hex[:12]}")
    cursor: int | None = None
    schema_version: int = 1
    local: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    pending: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.token}",
            "X-Sync-Client": self.install_id,
            "Accept-Language": "en",
        }

    def pull_raw(self, cursor: int | None = None, **extra: Any) -> Any:
        body = {"lastPulledAt": cursor, "schemaVersion": self.schema_version, "migration": None}
        body.update(extra)
        return self.client.post("/sync/pull", json=body, headers=self.headers())

    def pull(self, **extra: Any) -> dict[str, Any]:
        # As the app does (docs/sync.md): say whether anything waits to be pushed.
        extra.setdefault("unsyncedChanges", any(self.pending.values()))
        response = self.pull_raw(self.cursor, **extra)
        assert response.status_code == 200, response.text
        body = response.json()
        stamp = body["timestamp"]
        assert isinstance(stamp, int)
        assert stamp > 0
        for table, changes in body["changes"].items():
            assert set(changes) == {"created", "updated", "deleted"}, table
            rows = self.local.setdefault(table, {})
            created = {r["id"] for r in changes["created"]}
            updated = {r["id"] for r in changes["updated"]}
            assert not created & updated, (table, created & updated)
            for rec in changes["created"]:
                assert "_status" not in rec
                assert "_changed" not in rec
                assert isinstance(rec["id"], str)
                assert rec["id"] not in rows, f"{table} {rec['id']} created but already held"
                rows[rec["id"]] = rec
            for rec in changes["updated"]:
                assert rec["id"] in rows, f"{table} {rec['id']} updated but not held"
                mine = self.pending.get(table, {}).get(rec["id"])
                rows[rec["id"]] = {**rec, **(mine or {})}  # the phone's changed columns win
            for record_id in changes["deleted"]:
                rows.pop(record_id, None)
                self.pending.get(table, {}).pop(record_id, None)
        self.cursor = stamp
        return body

    def create(self, table: str, values: dict[str, Any]) -> str:
        record_id = values.get("id") or uuid.uuid4().hex[:16]
        rec = {"id": record_id, **values}
        self.local.setdefault(table, {})[record_id] = rec
        self.pending.setdefault(table, {})[record_id] = {**rec, "_status": "created"}
        return record_id

    def update(self, table: str, record_id: str, values: dict[str, Any]) -> None:
        rec = {**self.local[table][record_id], **values}
        self.local[table][record_id] = rec
        before = self.pending.setdefault(table, {}).get(record_id)
        status = before["_status"] if before else "updated"
        changed = set(str((before or {}).get("_changed") or "").split(",")) - {""}
        changed |= set(values)
        self.pending[table][record_id] = {
            **rec,
            "_status": status,
            "_changed": ",".join(sorted(changed)),
        }

    def push_body(self) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for table, recs in self.pending.items():
            created = [r for r in recs.values() if r["_status"] == "created"]
            updated = [r for r in recs.values() if r["_status"] == "updated"]
            if created or updated:
                changes[table] = {"created": created, "updated": updated, "deleted": []}
        return {"changes": changes, "lastPulledAt": self.cursor}

    def push(self, body: dict[str, Any] | None = None) -> dict[str, Any]:
        body = body or self.push_body()
        response = self.client.post("/sync/push", json=body, headers=self.headers())
        assert response.status_code == 200, response.text
        answer = response.json()
        rejected = answer["experimentalRejectedIds"]
        for table, recs in list(self.pending.items()):
            for record_id in list(recs):
                if record_id not in rejected.get(table, []):
                    del recs[record_id]  # synced
        return answer

    def sync(self) -> dict[str, Any]:
        self.pull()
        return self.push() if any(self.pending.values()) else {}
