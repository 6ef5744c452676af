"""Custom fields (issue 18 §4): DefineCustomField, the definitions list, and the values
shown on customers, devices and tickets (``domain/custom_fields``)."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.custom_fields import definitions, records
from wellspring.domain.custom_fields.values import shown
from wellspring.domain.models import CustomField as CustomFieldRow
from wellspring.domain.models import enums as e

from ..core.context import require_actor
from ..core.enums import described
from ..core.errors import MasterdataError, errors_field
from ..core.ids import split_global_id
from .common import payload

CustomFieldEntity = described(e.CustomFieldEntity)
CustomFieldType = described(e.CustomFieldType)


class CustomFieldDefinition(graphene.ObjectType):
    """An extra field HQ defined for customers, devices or tickets."""

    entity = graphene.Field(CustomFieldEntity, required=True)
    key = graphene.String(required=True, description="How inputs, filters and imports name it.")
    type = graphene.Field(CustomFieldType, required=True)
    label = graphene.String(required=True, description="In the request's language.")
    label_zh = graphene.String(required=True)
    label_en = graphene.String(required=True)
    required = graphene.Boolean(required=True, description="A new record must give it.")
    options = graphene.NonNull(
        graphene.List(graphene.NonNull(graphene.String)), description="A CHOICE's values."
    )
    is_active = graphene.Boolean(required=True)
    sort_order = graphene.Int(required=True)
    on_site = graphene.Boolean(
        required=True,
        description="Filled by the engineer on site (the phone, a completion report); when "
        "required, required before the job is completed instead of when the record is made.",
    )

    @staticmethod
    def resolve_label(root: CustomFieldRow, info: ResolveInfo) -> str:
        return root.label_en if info.context.locale == "en" else root.label_zh


class CustomFieldValue(graphene.ObjectType):
    """One active custom field of a record, with its labels and its value as text (NUMBER
    as a number, DATE as YYYY-MM-DD, BOOLEAN as true/false; null when not set)."""

    key = graphene.String(required=True)
    type = graphene.Field(CustomFieldType, required=True)
    label = graphene.String(required=True, description="In the request's language.")
    label_zh = graphene.String(required=True)
    label_en = graphene.String(required=True)
    value = graphene.String()


class CustomFieldValueInput(graphene.InputObjectType):
    key = graphene.String(required=True)
    value = graphene.String(description='As text, read as the field\'s type; null or "" clears.')


class CustomFieldFilter(graphene.InputObjectType):
    """Records whose custom field `key` equals `value` (read as the field's type)."""

    key = graphene.String(required=True)
    value = graphene.String(required=True)


def values_input(description: str) -> graphene.List:
    return graphene.List(graphene.NonNull(CustomFieldValueInput), description=description)


def given_values(items: Any) -> dict[str, str | None] | None:
    """The input list as key → text (the last of a repeated key wins)."""
    if items is None:
        return None
    return {str(item.key): item.get("value") for item in items}


def filter_pair(value: Any) -> tuple[str, str] | None:
    return None if value is None else (str(value.key), str(value.value))


def values_field(entity: e.CustomFieldEntity) -> graphene.Field:
    async def resolve(root: Any, info: ResolveInfo) -> list[CustomFieldValue]:
        stored = root.custom_fields or {}
        fields = await definitions.definitions(info.context.session, entity, is_active=True)
        english = info.context.locale == "en"
        return [
            CustomFieldValue(
                key=f.key,
                type=f.type,
                label=f.label_en if english else f.label_zh,
                label_zh=f.label_zh,
                label_en=f.label_en,
                value=shown(stored.get(f.key)),
            )
            for f in fields
        ]

    return graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(CustomFieldValue))),
        description="HQ's active extra fields (customFieldDefinitions), set or not.",
        resolver=resolve,
    )


class DefineCustomFieldInput(graphene.InputObjectType):
    entity = graphene.Field(CustomFieldEntity, required=True)
    key = graphene.String(
        required=True,
        description="a-z, 0-9 and _, starting with a letter: an existing field is edited.",
    )
    type = graphene.Field(CustomFieldType, description="Required for a new field; never changes.")
    label_zh = graphene.String(description="Chinese label (required for a new field).")
    label_en = graphene.String(description="English label (required for a new field).")
    required = graphene.Boolean()
    options = graphene.List(graphene.NonNull(graphene.String), description="CHOICE: its values.")
    is_active = graphene.Boolean(description="false retires the field (its values stay).")
    sort_order = graphene.Int()
    on_site = graphene.Boolean(
        description="Filled on site by the engineer (tickets and devices only): the phone "
        "shows it and a completion report sets it; a required one must be set before the job "
        "is completed."
    )


class DefineCustomFieldPayload(graphene.ObjectType):
    custom_field = graphene.Field(CustomFieldDefinition)
    errors = errors_field(MasterdataError)


class DefineCustomField(graphene.Mutation):
    """Add, relabel, order or retire an extra field of customers, devices or tickets (HQ)."""

    class Arguments:
        input = DefineCustomFieldInput(required=True)

    Output = DefineCustomFieldPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            kind = input.get("type")
            change = definitions.FieldDefinition(
                entity=e.CustomFieldEntity(input.entity),
                key=input.key,
                type=e.CustomFieldType(kind) if kind is not None else None,
                label_zh=input.get("label_zh"),
                label_en=input.get("label_en"),
                required=input.get("required"),
                options=input.get("options"),
                is_active=input.get("is_active"),
                sort_order=input.get("sort_order"),
                on_site=input.get("on_site"),
            )
            return await definitions.define(info.context.session, actor, change=change)

        return await payload(info, DefineCustomFieldPayload, "custom_field", run)


def definitions_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(graphene.List(graphene.NonNull(CustomFieldDefinition))),
        entity=graphene.Argument(CustomFieldEntity, required=True),
        is_active=graphene.Boolean(description="Only active (true) or retired (false) fields."),
        description="HQ's extra fields of customers, devices or tickets, in order.",
        resolver=_resolve_definitions,
    )


async def _resolve_definitions(
    _root: Any, info: ResolveInfo, entity: Any, is_active: Any = None
) -> Any:
    require_actor(info)
    return await definitions.definitions(
        info.context.session, e.CustomFieldEntity(entity), is_active=is_active
    )


_NODE_ENTITY = {
    "Customer": e.CustomFieldEntity.CUSTOMER,
    "Device": e.CustomFieldEntity.DEVICE,
    "Ticket": e.CustomFieldEntity.TICKET,
}


class SetCustomFieldValuesInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="A Customer, Device or Ticket.")
    custom_fields = graphene.NonNull(
        graphene.List(graphene.NonNull(CustomFieldValueInput)),
        description="The values to set; a field left out keeps its value.",
    )


class SetCustomFieldValuesPayload(graphene.ObjectType):
    node = graphene.Field(
        "wellspring.schema.core.node.Node", description="The record, with its customFields."
    )
    errors = errors_field(MasterdataError)


class SetCustomFieldValues(graphene.Mutation):
    """Edit a customer's, device's or ticket's custom-field values (the hotline, HQ, admins,
    a branch's clerk within their branch)."""

    class Arguments:
        input = SetCustomFieldValuesInput(required=True)

    Output = SetCustomFieldValuesPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        from wellspring.domain.errors import DomainError

        actor = require_actor(info)

        async def run() -> Any:
            type_name, raw = split_global_id(input.id, field="id")
            entity = _NODE_ENTITY.get(type_name)
            if entity is None:
                raise DomainError("INVALID_ID", field="id", value=str(input.id)[:64])
            return await records.set_values(
                info.context.session, actor, entity=entity, record_id=raw,
                given=given_values(input.custom_fields) or {},
            )  # fmt: skip

        return await payload(info, SetCustomFieldValuesPayload, "node", run)
