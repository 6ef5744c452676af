"""The filter stages with the real phone client (schema 7, docs/sync.md "Schema versions").

A phone pulls the stages of the device models it holds; an app updated from schema 6 asks for
the new table in its next pull (WatermelonDB's migration sync) and gets it whole; a stage HQ
renames or drops reaches the phone on the next sync.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.e2e.live import GraphQL, Phone
from tests.e2e.phone_day import ENGINEER, _global, check_integrity, clean_sync
from tests.factories import fetch
from wellspring.domain import models as m


def server_stages(url: str, model_ids: set[str]) -> dict[str, tuple[str, int, str]]:
    rows = fetch(
        url,
        select(
            m.FilterType.id, m.FilterType.device_model_id, m.FilterType.stage, m.FilterType.name
        ).where(m.FilterType.device_model_id.in_(model_ids), m.FilterType.deleted_at.is_(None)),
    )
    return {i: (model, stage, name) for i, model, stage, name in rows}


def test_filter_stages_reach_the_phone_and_an_updated_app_migrates(
    server: tuple[str, str], tmp_path: Path
) -> None:
    url, base = server
    gql = GraphQL(base)
    phone = Phone(tmp_path / "phone", base, gql.token(ENGINEER))
    # The app of schema 6 has no filter_types and is sent none.
    phone.env["SYNC_APP_SCHEMA"] = "6"
    first = clean_sync(phone)
    assert first["pullRequest"] == {"lastPulledAt": None, "schemaVersion": 6, "migration": None}
    assert "filter_types" not in first["pulled"]
    assert "filter_types" not in phone.dump()["tables"]

    # The app is updated to schema 7: its next sync asks for the new table, and gets it whole.
    del phone.env["SYNC_APP_SCHEMA"]
    upgraded = clean_sync(phone)
    request = upgraded["pullRequest"]
    assert request["schemaVersion"] == 7
    assert request["migration"] == {"from": 6, "tables": ["filter_types"], "columns": []}
    state = phone.dump()
    assert state["lastPulledSchemaVersion"] == 7
    check_integrity(state)
    models = {r["id"] for r in state["tables"]["device_models"]}
    stages = server_stages(url, models)
    assert stages, "the demo's models have filter stages"
    assert set(upgraded["pulled"]["filter_types"]["created"]) == set(stages)
    held = {r["id"]: r for r in state["tables"]["filter_types"]}
    assert {i: (r["device_model_id"], r["stage"], r["name"]) for i, r in held.items()} == stages
    fresh = Phone(tmp_path / "fresh", base, gql.token(ENGINEER))
    clean_sync(fresh)
    assert fresh.records("filter_types") == phone.records("filter_types")
    quiet = clean_sync(phone)
    assert quiet["pullRequest"]["migration"] is None
    assert quiet["pulled"] == {}

    # HQ renames the first stage of a held model: the next sync brings that stage alone.
    model_id = sorted(models)[0]
    own = sorted(
        fetch(
            url,
            select(
                m.FilterType.stage, m.FilterType.id, m.FilterType.name, m.FilterType.lifetime_days
            ).where(m.FilterType.device_model_id == model_id, m.FilterType.deleted_at.is_(None)),
        )
    )
    filters = [
        {"stage": stage, "name": f"{name}*" if n == 0 else name, "lifetimeDays": days}
        for n, (stage, _, name, days) in enumerate(own)
    ]
    gql.payload(
        "UpsertDeviceModel",
        {"input": {"id": _global("DeviceModel", model_id), "filters": filters}},
        "hq",
    )
    renamed = clean_sync(phone)
    first_stage = own[0][1]
    assert renamed["pulled"] == {"filter_types": {"created": [], "updated": [first_stage],
                                                  "deleted": []}}  # fmt: skip
    assert phone.records("filter_types")[first_stage]["name"] == f"{own[0][2]}*"

    # HQ drops the last stage: it leaves the phone.
    gql.payload(
        "UpsertDeviceModel",
        {"input": {"id": _global("DeviceModel", model_id), "filters": filters[:-1]}},
        "hq",
    )
    dropped = clean_sync(phone)
    assert dropped["pulled"] == {"filter_types": {"created": [], "updated": [],
                                                  "deleted": [own[-1][1]]}}  # fmt: skip
    assert own[-1][1] not in phone.records("filter_types")
