"""A user's notification preferences (myNotificationPreferences, setNotificationPreferences):
the opt-out of non-essential messages (issue 16 §2). Extra operations beyond the fixed
contract; documents under ``clients/everyone/``."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.notifications import inbox

from ..core.context import require_actor
from ..core.errors import NotificationError, errors_field
from ..core.mutation import Failed, run_in_savepoint


class NotificationPreferences(graphene.ObjectType):
    """What the signed-in user chose to hear."""

    muted_non_essential = graphene.Boolean(
        required=True,
        description="No pushes or text messages for reminders and rating requests (they "
        "still reach the inbox). Assignments, changes and anything essential always come.",
    )


class NotificationPreferenceQueries(graphene.ObjectType):
    my_notification_preferences = graphene.Field(
        graphene.NonNull(NotificationPreferences),
        description="The signed-in user's notification preferences.",
    )

    @staticmethod
    async def resolve_my_notification_preferences(_root: Any, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        muted = await inbox.is_muted(info.context.session, actor)
        return NotificationPreferences(muted_non_essential=muted)


class SetNotificationPreferencesInput(graphene.InputObjectType):
    muted_non_essential = graphene.Boolean(
        required=True, description="True to stop pushes of non-essential messages."
    )


class SetNotificationPreferencesPayload(graphene.ObjectType):
    preferences = graphene.Field(NotificationPreferences)
    errors = errors_field(NotificationError)


class SetNotificationPreferences(graphene.Mutation):
    """Opt out of (or back into) non-essential messages: reminders and rating requests."""

    class Arguments:
        input = SetNotificationPreferencesInput(required=True)

    Output = SetNotificationPreferencesPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        session = info.context.session
        muted = bool(input.muted_non_essential)

        async def run() -> Any:
            await inbox.set_muted(session, actor, muted=muted)
            return await inbox.is_muted(session, actor)

        result = await run_in_savepoint(info.context, run)
        if isinstance(result, Failed):
            return SetNotificationPreferencesPayload(errors=result)
        preferences = NotificationPreferences(muted_non_essential=result)
        return SetNotificationPreferencesPayload(preferences=preferences, errors=[])
