"""The inbox item, the push device, and the four operations around them."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.models import enums as e
from wellspring.domain.models import utcnow
from wellspring.domain.notifications import inbox
from wellspring.i18n.notifications import render

from ..core import enums
from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.errors import NotificationError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from ..core.node import ModelObjectType, Node
from ..core.scalars import DateTime


def _rendered(root: m.Notification, info: ResolveInfo) -> tuple[str, str]:
    """The item in the reader's language, in the customer's words for a customer."""
    actor = info.context.actor
    for_customer = actor is not None and actor.role is e.Role.CUSTOMER
    return render(root.kind, root.data, info.context.locale, for_customer=for_customer)


class Notification(ModelObjectType):
    """An item of the signed-in user's inbox, in the request's language."""

    model = m.Notification

    class Meta:
        interfaces = (Node,)

    kind = graphene.Field(enums.NotificationKind, required=True)
    title = graphene.String(required=True)
    body = graphene.String(required=True)
    event_id = graphene.String(
        required=True, description="The same id a push of this event carries (drop duplicates)."
    )
    created_at = graphene.Field(DateTime, required=True)
    read_at = graphene.Field(DateTime)
    read = graphene.Boolean(required=True)
    ticket = graphene.Field("wellspring.schema.tickets.types.Ticket")
    job = graphene.Field("wellspring.schema.tickets.types.Job")

    @classmethod
    async def get_node(cls, info: ResolveInfo, id_: Any) -> Any:
        actor = require_actor(info)
        row = await info.context.session.get(m.Notification, id_)
        return row if row is not None and row.user_id == actor.user_id else None

    @staticmethod
    def resolve_title(root: m.Notification, info: ResolveInfo) -> Any:
        return _rendered(root, info)[0]

    @staticmethod
    def resolve_body(root: m.Notification, info: ResolveInfo) -> Any:
        return _rendered(root, info)[1]

    @staticmethod
    def resolve_read(root: m.Notification, _info: ResolveInfo) -> Any:
        return root.read_at is not None

    @staticmethod
    def resolve_ticket(root: m.Notification, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Ticket, root.ticket_id) if root.ticket_id else None

    @staticmethod
    def resolve_job(root: m.Notification, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Job, root.job_id) if root.job_id else None


async def resolve_my_notifications(
    _root: Any, info: ResolveInfo, first: Any = None, after: Any = None
) -> Any:
    actor = require_actor(info)
    return await inbox.my_notifications(info.context.session, actor, first=first, after=after)


def my_notifications_field() -> graphene.Field:
    return graphene.Field(
        graphene.NonNull(connection_for(Notification)),
        description="The signed-in user's inbox, newest first.",
        resolver=resolve_my_notifications,
        **connection_args(),
    )


class MarkNotificationsReadInput(graphene.InputObjectType):
    ids = graphene.List(graphene.NonNull(graphene.ID), description="Inbox items (at most 100).")
    all = graphene.Boolean(description="Mark every unread item read.")


class MarkNotificationsReadPayload(graphene.ObjectType):
    marked = graphene.Int(description="How many items changed from unread to read.")
    unread_count = graphene.Int(description="Unread items left (counted up to 1,000).")
    errors = errors_field(NotificationError)


class MarkNotificationsRead(graphene.Mutation):
    """Mark inbox items read (the given ones, or all)."""

    class Arguments:
        input = MarkNotificationsReadInput(required=True)

    Output = MarkNotificationsReadPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        session = info.context.session

        async def run() -> Any:
            ids = input.get("ids")
            raw = [parse_global_id(i, "Notification", field="ids") for i in ids or []]
            marked = await inbox.mark_read(
                session,
                actor,
                ids=raw if ids is not None else None,
                everything=bool(input.get("all")),
                now=utcnow(),
            )
            return marked, await inbox.unread_count(session, actor)

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return MarkNotificationsReadPayload(errors=result)
        return MarkNotificationsReadPayload(marked=result[0], unread_count=result[1], errors=[])


class PushDevice(graphene.ObjectType):
    """A phone the signed-in user receives pushes on (the token itself is never shown)."""

    id = graphene.ID(required=True)
    provider = graphene.Field(enums.PushProvider, required=True)
    token_kind = graphene.Field(enums.PushTokenKind, required=True)
    app_id = graphene.String(required=True)
    platform = graphene.Field(enums.PushPlatform, required=True)
    locale = graphene.String(required=True)
    created_at = graphene.Field(DateTime, required=True)


class RegisterPushDeviceInput(graphene.InputObjectType):
    provider = graphene.Field(enums.PushProvider, required=True)
    token = graphene.String(description="A registration token (FCM, Huawei); or give `fid`.")
    fid = graphene.String(description="An FCM installation id, instead of `token`.")
    app_id = graphene.String(description="The app's id with its provider.")
    platform = graphene.Field(enums.PushPlatform, required=True)
    locale = graphene.String(
        description="The phone's locale as its platform writes it (`zh-CN`, `en-US`, "
        "`zh-Hans-CN`, `zh_CN`, `b+zh+Hans+CN` ...): stored as zh-CN or en; another language, "
        "or none, is the request's language (Accept-Language)."
    )


class RegisterPushDevicePayload(graphene.ObjectType):
    device = graphene.Field(PushDevice)
    errors = errors_field(NotificationError)


class RegisterPushDevice(graphene.Mutation):
    """Receive pushes on this phone: its token with its provider. Call it at every start (a
    token changes); a token already known moves to the signed-in user."""

    class Arguments:
        input = RegisterPushDeviceInput(required=True)

    Output = RegisterPushDevicePayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await inbox.register_device(
                info.context.session,
                actor,
                provider=e.PushProvider(input.provider),
                token=input.get("token"),
                fid=input.get("fid"),
                app_id=input.get("app_id") or "",
                platform=e.PushPlatform(input.platform),
                locale=input.get("locale"),
                fallback=info.context.locale,
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return RegisterPushDevicePayload(errors=result)
        return RegisterPushDevicePayload(device=result, errors=[])


class UnregisterPushDeviceInput(graphene.InputObjectType):
    provider = graphene.Field(enums.PushProvider, required=True)
    token = graphene.String(required=True, description="The token or installation id.")


class UnregisterPushDevicePayload(graphene.ObjectType):
    removed = graphene.Boolean(description="False when the token was not the user's.")
    errors = errors_field(NotificationError)


class UnregisterPushDevice(graphene.Mutation):
    """Stop pushes to this phone (signing out)."""

    class Arguments:
        input = UnregisterPushDeviceInput(required=True)

    Output = UnregisterPushDevicePayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await inbox.unregister_device(
                info.context.session,
                actor,
                provider=e.PushProvider(input.provider),
                token=input.token,
            )

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return UnregisterPushDevicePayload(errors=result)
        return UnregisterPushDevicePayload(removed=result, errors=[])
