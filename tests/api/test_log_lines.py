"""The JSON log line (``api/logging_setup.JsonFormatter``): one object a line, Chinese text
as it is, the request's fields when the record carries them, a traceback when it has one."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

from wellspring.api.logging_setup import JsonFormatter


def _record(
    msg: str, *args: object, exc: bool = False, extra: dict[str, object] | None = None
) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("坏了")
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("wellspring.access", logging.INFO, __file__, 1, msg, args, exc_info)
    record.__dict__.update(extra or {})
    record.created, record.msecs = 1_764_900_000.25, 250.0
    return record


def test_a_request_line_is_one_json_object_with_its_fields() -> None:
    formatter = JsonFormatter()
    fields = {"request_id": "r1", "method": "POST", "path": "/graphql", "status": 200}
    more = {"duration_ms": 12.4, "user": "clerk-sh", "operation": "Tickets", "other": "x"}
    line = formatter.format(_record("%s %s %s", "POST", "/graphql", 200, extra=fields | more))
    assert "\n" not in line
    assert json.loads(line) == {
        "ts": "2025-12-05T02:00:00.250Z",
        "level": "info",
        "logger": "wellspring.access",
        "msg": "POST /graphql 200",
        **fields,
        **{k: v for k, v in more.items() if k != "other"},  # only the request's fields
    }


def test_chinese_text_stays_readable_and_a_traceback_is_kept() -> None:
    formatter = JsonFormatter()
    line = formatter.format(_record("工单 %s 已派", "T-1", exc=True))
    assert "工单 T-1 已派" in line
    parsed = json.loads(line)
    assert "ValueError: 坏了" in parsed["exc"]
    assert "request_id" not in parsed


def test_the_second_is_formatted_anew_when_it_changes() -> None:
    formatter = JsonFormatter()
    first = _record("a")
    later = _record("b")
    later.created, later.msecs = first.created + 61, 5.0
    assert json.loads(formatter.format(first))["ts"] == "2025-12-05T02:00:00.250Z"
    assert json.loads(formatter.format(later))["ts"] == "2025-12-05T02:01:01.005Z"
    assert json.loads(formatter.format(first))["ts"] == "2025-12-05T02:00:00.250Z"


def test_a_librarys_warning_is_a_json_line_too() -> None:
    """PyVRP warns while it plans (PenaltyBoundWarning); once the logs are configured, the
    warning is a log record, so the stream stays one JSON object a line."""
    script = (
        "import warnings\n"
        "from wellspring.api.logging_setup import configure\n"
        "configure(json_logs=True)\n"
        "warnings.warn('penalty bound reached', UserWarning, stacklevel=1)\n"
    )
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, "-W", "always", "-c", script], capture_output=True, text=True, check=True
    )
    lines = done.stderr.splitlines()
    assert lines, "the warning was not written at all"
    (line,) = [json.loads(text) for text in lines]
    assert line["logger"] == "py.warnings"
    assert "penalty bound reached" in line["msg"]


def test_a_lone_surrogate_a_client_sent_is_escaped_and_the_line_kept() -> None:
    """orjson refuses a lone surrogate: the request's line was lost, with a logging error."""
    fields: dict[str, object] = {"request_id": "r2", "path": "/graphql", "operation": "\ud800"}
    line = JsonFormatter().format(_record("%s %s", "POST", "/t/\udcff", extra=fields))
    parsed = json.loads(line)
    assert (parsed["request_id"], parsed["operation"]) == ("r2", "\\ud800")
    assert parsed["msg"] == "POST /t/\\udcff"
