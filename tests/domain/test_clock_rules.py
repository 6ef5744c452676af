"""The phone's time of a move: taken, or clamped to the nearest valid time and flagged."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from wellspring.domain.workflow.clock_rules import (
    CLAMPED_BEFORE_PREVIOUS,
    CLAMPED_FUTURE,
    CLAMPED_TOO_OLD,
    FLAGS,
    TICK,
    ClockRules,
    judge,
)
from wellspring.i18n import EN, MESSAGES, ZH, message

NOW = dt.datetime(2026, 12, 3, 6, 0, tzinfo=dt.UTC)  # 14:00 in Shanghai
RULES = ClockRules(skew=dt.timedelta(minutes=10), max_age=dt.timedelta(days=7))
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)
D = dt.timedelta(days=1)

# reported, previous step -> kept time, flag
CASES = [
    ("none: the server's time", None, None, NOW, ""),
    ("four hours ago", NOW - 4 * H, None, NOW - 4 * H, ""),
    ("after the previous step", NOW - 4 * H, NOW - 5 * H, NOW - 4 * H, ""),
    ("at the previous step: just after", NOW - 4 * H, NOW - 4 * H, NOW - 4 * H + TICK, ""),
    ("exactly now", NOW, NOW - H, NOW, ""),
    ("ahead within the skew: now", NOW + 9 * M, None, NOW, ""),
    ("at the skew's edge: now", NOW + 10 * M, None, NOW, ""),
    ("beyond the skew", NOW + 11 * M, None, NOW, CLAMPED_FUTURE),
    ("years ahead", NOW + 900 * D, NOW - H, NOW, CLAMPED_FUTURE),
    (
        "before the previous step",
        NOW - 5 * H,
        NOW - 4 * H,
        NOW - 4 * H + TICK,
        CLAMPED_BEFORE_PREVIOUS,
    ),
    ("at the window's edge", NOW - 7 * D, None, NOW - 7 * D, ""),
    ("older than the window", NOW - 8 * D, None, NOW - 7 * D, CLAMPED_TOO_OLD),
    ("a reset clock", dt.datetime(1970, 1, 1, tzinfo=dt.UTC), None, NOW - 7 * D, CLAMPED_TOO_OLD),
    # The later of the two lower bounds binds, and names the flag.
    ("too old, previous older still", NOW - 9 * D, NOW - 8 * D, NOW - 7 * D, CLAMPED_TOO_OLD),
    (
        "too old, previous in the window",
        NOW - 9 * D,
        NOW - 2 * D,
        NOW - 2 * D + TICK,
        CLAMPED_BEFORE_PREVIOUS,
    ),
    ("in the window, previous older", NOW - 6 * D, NOW - 8 * D, NOW - 6 * D, ""),
]


@pytest.mark.parametrize(
    ("reported", "previous", "kept", "flag"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_recorded_time_is_kept_or_clamped(
    reported: dt.datetime | None, previous: dt.datetime | None, kept: dt.datetime, flag: str
) -> None:
    stamp = judge(reported, received=NOW, previous=previous, rules=RULES)
    assert stamp.occurred_at == kept
    assert stamp.received_at == NOW
    assert stamp.reported_at == reported  # the phone's value stays beside the kept one
    assert stamp.flag == flag


def test_the_settings_move_the_bounds() -> None:
    strict = ClockRules(skew=dt.timedelta(0), max_age=dt.timedelta(days=1))
    assert judge(NOW + M, received=NOW, rules=strict).flag == CLAMPED_FUTURE
    assert judge(NOW - 2 * D, received=NOW, rules=strict).occurred_at == NOW - D
    assert judge(NOW - 2 * D, received=NOW, rules=RULES).flag == ""


def test_a_time_without_a_zone_is_read_as_utc() -> None:
    naive = (NOW - H).replace(tzinfo=None)
    assert judge(naive, received=NOW, rules=RULES).occurred_at == NOW - H


def test_a_second_move_of_the_same_act_keeps_the_stamp_a_little_later() -> None:
    stamp = judge(NOW + D, received=NOW, rules=RULES)
    later = stamp.after(dt.timedelta(microseconds=1))
    assert later.occurred_at == NOW + dt.timedelta(microseconds=1)
    assert (later.received_at, later.reported_at, later.flag) == (NOW, NOW + D, CLAMPED_FUTURE)


@pytest.mark.parametrize("flag", FLAGS)
def test_every_flag_has_its_message_in_both_languages(flag: str) -> None:
    zh, en = MESSAGES[flag]
    assert re.search(r"[\u4e00-\u9fff]", zh)
    assert not re.search(r"[A-Za-z]", zh), zh  # no English inside the Chinese text
    assert message(flag, ZH) == zh
    assert message(flag, EN) == en != zh
