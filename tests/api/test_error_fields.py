"""The `field` of a payload error is the client's input path, whatever the domain calls it.

The domain names its fields in snake_case (``install.card_number``, ``report.water_test``);
the schema maps them to API paths at the boundary. The answers below were recorded before the
domain changed its names: clients see the same ``field`` and message, in both languages.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.api.workflow_steps import doc, ids, ok, payload, to_assigned
from tests.conftest import GraphQL
from tests.factories import scalars
from wellspring.domain import models as m
from wellspring.domain.models.enums import CardStatus
from wellspring.schema.core.ids import global_id


def answers(gql: GraphQL, name: str, variables: dict[str, Any], user: str) -> list[Any]:
    """The errors of one call in en and zh-CN, as (field, code, message) triples."""
    seen = []
    for locale in ("en", "zh-CN"):
        body = gql.post(doc(name), variables, as_user=user, locale=locale).json()
        errors = next(iter(body["data"].values()))["errors"]
        seen.append([(e["field"], e["code"], e["message"]) for e in errors])
    return seen


def test_error_fields_are_the_api_paths_clients_saw_before(gql: GraphQL, database_url: str) -> None:
    o = ids(database_url)
    card = scalars(
        database_url,
        select(m.AccountCard.card_number)
        .where(m.AccountCard.status == CardStatus.IN_STOCK, m.AccountCard.agent_id.is_(None))
        .order_by(m.AccountCard.card_number)
        .limit(1),
    )[0]
    model_id = global_id("DeviceModel", scalars(database_url, select(m.DeviceModel.id))[0])
    install: dict[str, Any] = {
        "type": "INSTALL",
        "customerId": o["customer"],
        "branchId": o["SH"],
        "install": {"cardNumber": "NO-SUCH", "deviceModelId": model_id, "serialNumber": "X-1"},
    }
    got = answers(gql, "OpenTicket", {"input": install}, "hotline")
    no_serial = {**install["install"], "cardNumber": card, "serialNumber": "NOT-IN-STOCK-1"}
    got += answers(gql, "OpenTicket", {"input": {**install, "install": no_serial}}, "hotline")
    recharge = {
        "type": "RECHARGE",
        "customerId": o["customer"],
        "deviceId": o["device"],
        "recharge": {
            "plan": "BUCKETS",
            "quantity": 0,
            "unitPrice": "-1",
            "paymentMethod": "ON_SITE",
        },
    }
    got += answers(gql, "OpenTicket", {"input": recharge}, "hotline")
    _ticket, job = to_assigned(gql, o)
    for operation in ("AcceptJob", "StartTravel", "ArriveOnSite"):
        ok(payload(gql, operation, {"id": job}, "tech-sh-1"))
    repair = {"faultSymptom": "漏水", "faultCode": "E01", "repairLevel": "LEVEL_2"}
    for report in (
        {},
        {"faultSymptom": "漏水", "faultCode": "E01"},  # no level: named by its current input
        {**repair, "faultCode": "NO-SUCH-CODE"},
        {**repair, "waterTest": {"residualChlorine": 50}},
        {**repair, "waterTest": {"tds": 1, "ph": 7, "temperature": 500}},
        {**repair, "travelDistanceKm": -1},
    ):
        variables = {"input": {"jobId": job, "report": report}}
        got += answers(gql, "CompleteJob", variables, "tech-sh-1")
    page = gql.post("{ tickets(first: 1000) { edges { node { id } } } }", as_user="hq").json()
    got.append([(e["extensions"], e["message"]) for e in page["errors"]])
    assert got == EXPECTED


EXPECTED: list[Any] = [
    [("install.cardNumber", "NOT_FOUND", "No such record.")],
    [("install.cardNumber", "NOT_FOUND", "找不到该记录。")],
    [
        (
            "install.serialNumber",
            "SERIAL_NOT_IN_STOCK",
            "No machine with serial number NOT-IN-STOCK-1 is in stock.",
        )
    ],
    [("install.serialNumber", "SERIAL_NOT_IN_STOCK", "序列号 NOT-IN-STOCK-1 的水机不在库存中。")],
    [
        (
            "recharge.plan",
            "RECHARGE_PLAN_MISMATCH",
            "The recharge plan does not match the device's supply mode (monthly).",
        )
    ],
    [("recharge.plan", "RECHARGE_PLAN_MISMATCH", "充值方式与水机的供水方式（包月）不符。")],
    [
        (
            "report.faultSymptom",
            "REPORT_FIELD_REQUIRED",
            "Completing this type of job needs report.faultSymptom.",
        )
    ],
    [("report.faultSymptom", "REPORT_FIELD_REQUIRED", "此类工单完工时须填写完工报告的故障现象。")],
    [
        (
            "report.repairLevelCode",
            "REPORT_FIELD_REQUIRED",
            "Completing this type of job needs report.repairLevelCode.",
        )
    ],
    [
        (
            "report.repairLevelCode",
            "REPORT_FIELD_REQUIRED",
            "此类工单完工时须填写完工报告的维修级别。",
        )
    ],
    [("report.faultCode", "UNKNOWN_FAULT_CODE", "The fault code is not in the catalogue.")],
    [("report.faultCode", "UNKNOWN_FAULT_CODE", "故障代码不在目录中。")],
    [
        (
            "report.waterTest.residualChlorine",
            "INVALID_ARGUMENT",
            "The value of report.waterTest.residualChlorine is not valid.",
        )
    ],
    [
        (
            "report.waterTest.residualChlorine",
            "INVALID_ARGUMENT",
            "完工报告的水质检测的余氯 的值无效。",
        )
    ],
    [
        (
            "report.waterTest.temperature",
            "INVALID_ARGUMENT",
            "The value of report.waterTest.temperature is not valid.",
        )
    ],
    [("report.waterTest.temperature", "INVALID_ARGUMENT", "完工报告的水质检测的水温 的值无效。")],
    [("report.travelDistanceKm", "AMOUNT_NEGATIVE", "report.travelDistanceKm cannot be negative.")],
    [("report.travelDistanceKm", "AMOUNT_NEGATIVE", "完工报告的路程公里数 不能为负数。")],
    [
        (
            {"code": "PAGE_SIZE_OUT_OF_RANGE", "field": "first"},
            "The page size must be between 1 and 100.",
        )
    ],
]
