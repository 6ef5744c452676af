"""Payload errors: ``{field, code, message}``, with the message in the request's language.

Each area of the API has its own error type and code enum (``WorkflowError`` with
``WorkflowErrorCode``, as Saleor does), made from the domain's per-area code enums: the
common codes, the area's own, and those of the areas its mutations call into (completing a
job consumes stock, so ``WorkflowErrorCode`` holds ``INSUFFICIENT_STOCK``).
``tests/test_error_codes.py`` proves from the code that each type can carry every code its
mutations may raise.

The domain names a field by its own snake_case name (``install.card_number``); the client
sees its input path (``install.cardNumber``): ``api_field`` maps one to the other.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import graphene

from wellspring.domain.agents.error_codes import DealerErrorCode as DealerCodes
from wellspring.domain.custom_fields.error_codes import CustomFieldErrorCode as CustomFieldCodes
from wellspring.domain.dispatch.error_codes import DispatchErrorCode as DispatchCodes
from wellspring.domain.error_codes import AuthErrorCode as AuthCodes
from wellspring.domain.error_codes import CommonErrorCode
from wellspring.domain.errors import DomainError
from wellspring.domain.hotline.error_codes import HotlineErrorCode as HotlineCodes
from wellspring.domain.imports.error_codes import ImportErrorCode as ImportCodes
from wellspring.domain.inventory.error_codes import StockErrorCode as StockCodes
from wellspring.domain.masterdata.error_codes import MasterdataErrorCode as MasterdataCodes
from wellspring.domain.media.error_codes import MediaErrorCode as MediaCodes
from wellspring.domain.notifications.error_codes import NotificationErrorCode as NotificationCodes
from wellspring.domain.outlets.error_codes import OutletErrorCode as OutletCodes
from wellspring.domain.tracking.error_codes import TrackingErrorCode as TrackingCodes
from wellspring.domain.workflow.error_codes import WorkflowErrorCode as WorkflowCodes
from wellspring.i18n import MESSAGES, message

from .input_paths import camel, sent_path


def api_field(field: str | None) -> str | None:
    """The client's input path for a domain field: ``lines.0.part_id`` → ``lines.0.partId``."""
    if not field:
        return field
    return ".".join(camel(segment) for segment in field.split("."))


@dataclass(frozen=True)
class PayloadError:
    """One error as every area's error type resolves it."""

    field: str | None
    code: str
    message: str


def user_errors(
    error: DomainError, locale: str, arguments: Mapping[str, Any] | None = None
) -> list[PayloadError]:
    """The error as its payload carries it; with the mutation's ``arguments``, an id the
    domain could not find is named by the input that held it (``input_paths.py``)."""
    field = api_field(error.field)
    field = sent_path(error, arguments, field) or field
    text = message(error.code, locale, **{**error.params, "field": field or ""})
    return [PayloadError(field=field, code=str(error.code), message=text)]


def _codes(name: str, areas: Iterable[type[enum.StrEnum]], doc: str) -> type[graphene.Enum]:
    """A GraphQL enum of the areas' codes, each described by its English message."""
    codes = sorted({member.value for area in areas for member in area})
    members = enum.Enum(name, [(code, code) for code in codes])  # type: ignore[misc]

    def describe(member: enum.Enum | None) -> str:
        return doc if member is None else MESSAGES[member.name][1]

    made: type[graphene.Enum] = graphene.Enum.from_enum(members, name=name, description=describe)
    return made


_FIELD_DOC = "The input at fault, as the client wrote its path (`lines.0.quantity`), if one is."
_MESSAGE_DOC = "What went wrong, in the request's language (Accept-Language)."
_CODE_DOC = "What went wrong, a stable code to switch on; `message` carries the text."

AuthErrorCode = _codes("AuthErrorCode", (CommonErrorCode, AuthCodes), _CODE_DOC)
WorkflowErrorCode = _codes(
    "WorkflowErrorCode",
    (
        CommonErrorCode,
        WorkflowCodes,
        StockCodes,
        MediaCodes,
        DispatchCodes,
        CustomFieldCodes,
        DealerCodes,
    ),
    _CODE_DOC,
)
# Receiving a machine checks its custom fields (issue 18 §4).
StockErrorCode = _codes(
    "StockErrorCode", (CommonErrorCode, StockCodes, CustomFieldCodes), _CODE_DOC
)
DispatchErrorCode = _codes(
    "DispatchErrorCode",
    (CommonErrorCode, DispatchCodes, WorkflowCodes, StockCodes, CustomFieldCodes, DealerCodes),
    _CODE_DOC,
)
# Confirming the last file of a visit completes its evidence (a workflow step).
MediaErrorCode = _codes(
    "MediaErrorCode",
    (CommonErrorCode, MediaCodes, WorkflowCodes, StockCodes, CustomFieldCodes, DealerCodes),
    _CODE_DOC,
)
ImportErrorCode = _codes(
    "ImportErrorCode",
    (CommonErrorCode, ImportCodes, MasterdataCodes, StockCodes, AuthCodes, CustomFieldCodes),
    _CODE_DOC,
)
NotificationErrorCode = _codes(
    "NotificationErrorCode", (CommonErrorCode, NotificationCodes), _CODE_DOC
)
MasterdataErrorCode = _codes(
    "MasterdataErrorCode",
    (CommonErrorCode, MasterdataCodes, AuthCodes, StockCodes, CustomFieldCodes),
    _CODE_DOC,
)
# A customer's rating is the follow-up's score, and a request opens a ticket (workflow steps).
TrackingErrorCode = _codes(
    "TrackingErrorCode",
    (
        *(CommonErrorCode, TrackingCodes, WorkflowCodes, StockCodes, MediaCodes),
        *(DispatchCodes, CustomFieldCodes, DealerCodes),
    ),
    _CODE_DOC,
)

# Dealers (issue 18): agents, their orders (shipping posts to the stock ledger), prices.
DealerErrorCode = _codes(
    "DealerErrorCode",
    (CommonErrorCode, DealerCodes, MasterdataCodes, StockCodes, CustomFieldCodes),
    _CODE_DOC,
)
OutletErrorCode = _codes(
    "OutletErrorCode", (CommonErrorCode, OutletCodes, MasterdataCodes), _CODE_DOC
)
HotlineErrorCode = _codes("HotlineErrorCode", (CommonErrorCode, HotlineCodes), _CODE_DOC)


class AuthError(graphene.ObjectType):
    """An expected failure of signing in or of a session; nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(AuthErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class WorkflowError(graphene.ObjectType):
    """An expected failure of a ticket or job mutation; nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(WorkflowErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class StockError(graphene.ObjectType):
    """An expected failure of a stock mutation; nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(StockErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class DispatchError(graphene.ObjectType):
    """An expected failure of a dispatcher's mutation (positions, routes); nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(DispatchErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class MasterdataError(graphene.ObjectType):
    """An expected failure of a master data or user mutation; nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(MasterdataErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class MediaError(graphene.ObjectType):
    """An expected failure of an upload request or confirmation; nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(MediaErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class ImportError_(graphene.ObjectType):  # ImportError is a Python builtin
    """An expected failure of a bulk import request; nothing was changed."""

    class Meta:
        name = "ImportError"

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(ImportErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class NotificationError(graphene.ObjectType):
    """An expected failure of an inbox or push-registration mutation; nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(NotificationErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class TrackingError(graphene.ObjectType):
    """An expected failure of a tracking link, a rating or a customer's request; nothing was
    changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(TrackingErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class DealerError(graphene.ObjectType):
    """An expected failure of an agent, agent order or price standard mutation; nothing was
    changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(DealerErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class OutletError(graphene.ObjectType):
    """An expected failure of a service-outlet mutation (outlet, assessment, settlement);
    nothing was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(OutletErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


class HotlineError(graphene.ObjectType):
    """An expected failure of a hotline mutation (missed call, call back, article); nothing
    was changed."""

    field = graphene.String(description=_FIELD_DOC)
    code = graphene.Field(HotlineErrorCode, required=True)
    message = graphene.String(required=True, description=_MESSAGE_DOC)


def errors_field(error_type: type[graphene.ObjectType]) -> graphene.NonNull:
    """A payload's ``errors``: the area's error type, empty when the call succeeded."""
    return graphene.NonNull(graphene.List(graphene.NonNull(error_type)))
