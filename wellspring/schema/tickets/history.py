"""Status histories of tickets and jobs: who moved what, when it happened, when we learned it."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.field_visibility import reason_for
from wellspring.domain.models.enums import Role
from wellspring.i18n import history_reason, message

from ..core import enums
from ..core.node import ModelObjectType, Node
from ..core.scalars import DateTime
from ..org.types import User


def _role(info: ResolveInfo) -> Role | None:
    actor = info.context.actor
    return actor.role if actor is not None else None


class TimeFlag(graphene.ObjectType):
    """Why the recorded time of a step was not kept as the phone gave it (it was clamped)."""

    code = graphene.String(
        required=True,
        description="TIME_CLAMPED_FUTURE, TIME_CLAMPED_BEFORE_PREVIOUS or TIME_CLAMPED_TOO_OLD.",
    )
    message = graphene.String(required=True, description="In the caller's language.")


class StatusChangeFields:
    """Shared fields and resolvers of the two history types: who made a change, and when."""

    occurred_at = graphene.Field(
        DateTime,
        required=True,
        description="When it happened: for an engineer's move, the phone's time (checked).",
    )
    received_at = graphene.Field(
        DateTime, required=True, description="When the server learned it (a sync may be later)."
    )
    reported_at = graphene.Field(
        DateTime, description="The time the phone gave, when it gave one (kept beside a clamp)."
    )
    time_flag = graphene.Field(TimeFlag, description="Set when the phone's time was clamped.")

    @staticmethod
    def resolve_occurred_at(root: Any, _info: ResolveInfo) -> Any:
        return root.at

    @staticmethod
    def resolve_time_flag(root: Any, info: ResolveInfo) -> Any:
        if not root.time_flag:
            return None
        return TimeFlag(code=root.time_flag, message=message(root.time_flag, info.context.locale))

    @staticmethod
    def resolve_actor(root: Any, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.actor_id)

    @staticmethod
    async def resolve_actor_name(root: Any, info: ResolveInfo) -> Any:
        return await info.context.loaders.display_name(root.actor_id)

    @staticmethod
    def resolve_reason(root: Any, info: ResolveInfo) -> Any:
        text = reason_for(_role(info), root.reason or "")
        return history_reason(text, info.context.locale)


class TicketStatusChange(StatusChangeFields, ModelObjectType):
    """One transition of a ticket: from, to, who, when, why."""

    model = m.TicketStatusChange

    class Meta:
        interfaces = (Node,)

    from_status = graphene.Field(enums.TicketStatus, name="from")
    to_status = graphene.Field(enums.TicketStatus, required=True, name="to")
    actor = graphene.Field(User)
    actor_name = graphene.String()
    at = graphene.Field(DateTime, required=True, description="The same as occurredAt.")
    reason = graphene.String(required=True)


class StatusReason:
    """A job's or ticket's last status reason, system-written ones in the reader's language."""

    @staticmethod
    def resolve_status_reason(root: Any, info: ResolveInfo) -> Any:
        text = reason_for(_role(info), root.status_reason or "")
        return history_reason(text, info.context.locale)


class JobStatusChange(StatusChangeFields, ModelObjectType):
    model = m.JobStatusChange

    class Meta:
        interfaces = (Node,)

    from_status = graphene.Field(enums.JobStatus, name="from")
    to_status = graphene.Field(enums.JobStatus, required=True, name="to")
    actor = graphene.Field(User)
    actor_name = graphene.String()
    at = graphene.Field(DateTime, required=True, description="The same as occurredAt.")
    reason = graphene.String(required=True)
    technician_name = graphene.String(
        description="The engineer holding the job from this step on (null: nobody yet, or a "
        "step recorded before the server kept it)."
    )

    @staticmethod
    def resolve_technician_name(root: m.JobStatusChange, info: ResolveInfo) -> Any:
        return info.context.loaders.technician_name(root.technician_id)
