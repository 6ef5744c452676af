"""The sync rules in domain/sync/rules.py and the consumption keys, without a phone."""

from __future__ import annotations

import pytest

from wellspring.domain.actor import Actor
from wellspring.domain.errors import DomainError, PermissionDenied
from wellspring.domain.inventory import line_keys
from wellspring.domain.models.enums import Role
from wellspring.domain.sync import rules
from wellspring.domain.sync.scope import phone_id


def test_only_a_job_appointment_is_editable_and_a_ledger_entry_never() -> None:
    rules.check_edit("jobs", frozenset({"appointment_start", "appointment_end"}))
    rules.check_edit("part_consumptions", frozenset())  # nothing changed: nothing refused
    refusals = {
        ("jobs", "status"): ("READ_ONLY_COLUMN", "status"),
        ("tickets", "description"): ("READ_ONLY_TABLE", "tickets"),  # it said "description"
        ("part_consumptions", "quantity"): ("READ_ONLY_TABLE", "part_consumptions"),
    }
    for (table, column), (code, field) in refusals.items():
        with pytest.raises(DomainError) as caught:
            rules.check_edit(table, frozenset({column}))
        assert (caught.value.code, caught.value.field) == (code, field)
    assert rules.LEDGER <= rules.CREATABLE
    assert not set(rules.EDITABLE) & rules.CREATABLE


def test_only_an_engineer_syncs() -> None:
    rules.check_may_sync(Actor("u", "e", Role.TECHNICIAN, technician_id="t"))
    for actor in (Actor("u", "e", Role.TECHNICIAN), Actor("u", "c", Role.CLERK)):
        with pytest.raises(PermissionDenied):
            rules.check_may_sync(actor)


def test_a_phone_knows_its_consumption_by_its_own_id() -> None:
    keys = line_keys.batch_keys("phone-1")
    first = line_keys.line_key("phone-1", 0)
    assert first == line_keys.first_line_key("phone-1") == keys[0]
    assert line_keys.old_part_key(first) in keys
    assert phone_id("entry-9", first) == "phone-1"
    assert phone_id("entry-9", line_keys.line_key("phone-1", 1)) == "entry-9"
    assert phone_id("entry-9", None) == "entry-9"
