"""MissedCall, CallbackAttempt, Article and ArticleRevision."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.hotline import articles, missed_calls

from ..core import enums
from ..core.context import require_actor
from ..core.ids import global_id
from ..core.node import ModelObjectType, Node
from ..core.scalars import DateTime
from ..customers.types import Customer
from ..org.types import User


class CallbackAttempt(graphene.ObjectType):
    """One try at calling the caller back."""

    outcome = graphene.Field(enums.CallbackOutcome, required=True)
    note = graphene.String(required=True)
    attempted_at = DateTime(required=True)


class MissedCall(ModelObjectType):
    """A call the hotline missed (呼损), with the customer its number matched."""

    model = m.MissedCall

    class Meta:
        interfaces = (Node,)

    call_id = graphene.String(required=True, description="The PBX's id for the call.")
    caller_number = graphene.String(required=True, description="As the PBX reported it.")
    phone = graphene.String(required=True, description="Normalized: 13800138000, 010-12345678.")
    called_at = DateTime(required=True)
    queue = graphene.String(required=True)
    status = graphene.Field(enums.MissedCallStatus, required=True)
    attempts = graphene.Int(required=True)
    last_attempt_at = DateTime()
    returned_at = DateTime()
    closed_at = DateTime()
    due_at = DateTime(
        description="When the call back is due: the call plus WELLSPRING_CALLBACK_SLA_MINUTES "
        "(null for calls recorded before the SLA was kept)."
    )
    overdue = graphene.Boolean(required=True, description="Still open and past its due time.")
    recording_url = graphene.String(
        description="The PBX's recording of the call, as it reported it (null: none)."
    )
    assigned_to = graphene.Field(
        User, description="The hotline agent to call back (AssignCallback); null: anyone."
    )
    customer = graphene.Field(Customer, description="Matched by phone; null if unknown.")
    callback_attempts = graphene.NonNull(graphene.List(graphene.NonNull(CallbackAttempt)))

    @staticmethod
    def resolve_customer(root: m.MissedCall, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.Customer, root.customer_id)

    @staticmethod
    def resolve_assigned_to(root: m.MissedCall, info: ResolveInfo) -> Any:
        return info.context.loaders.load(m.User, root.assigned_to_id)

    @staticmethod
    def resolve_recording_url(root: m.MissedCall, _info: ResolveInfo) -> str | None:
        return root.recording_url or None

    @staticmethod
    def resolve_overdue(root: m.MissedCall, info: ResolveInfo) -> bool:
        return missed_calls.is_overdue(root, info.context.now)

    @staticmethod
    async def resolve_callback_attempts(root: m.MissedCall, info: ResolveInfo) -> Any:
        found = await missed_calls.attempts_of(info.context.session, [root.id])
        return found[root.id]


class ArticleRevision(graphene.ObjectType):
    """A revision of an article as written."""

    number = graphene.Int(required=True)
    published = graphene.Boolean(required=True)
    title_zh = graphene.String(required=True)
    title_en = graphene.String(required=True)
    body_zh = graphene.String(required=True)
    body_en = graphene.String(required=True)
    created_at = DateTime(required=True)


class Article(ModelObjectType):
    """A knowledge-base article (知识库): readers get its latest published revision."""

    model = m.Article

    class Meta:
        interfaces = (Node,)

    status = graphene.Field(enums.ArticleStatus, required=True)
    revision = graphene.Int(required=True, description="The published revision (0: none).")
    latest_revision = graphene.Int(required=True, description="Newer than revision: a draft.")
    title = graphene.String(required=True, description="In the request's language.")
    body = graphene.String(required=True, description="In the request's language.")
    title_zh = graphene.String(required=True)
    title_en = graphene.String(required=True)
    body_zh = graphene.String(required=True)
    body_en = graphene.String(required=True)
    model_ids = graphene.NonNull(
        graphene.List(graphene.NonNull(graphene.ID)), description="DeviceModel ids."
    )
    fault_codes = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    symptoms = graphene.NonNull(graphene.List(graphene.NonNull(graphene.String)))
    versions = graphene.String(required=True, description="Models' versions it applies to.")
    published_at = DateTime()
    updated_at = DateTime(required=True)
    revisions = graphene.NonNull(
        graphene.List(graphene.NonNull(ArticleRevision)),
        description="Every revision, newest first: editors only (empty for others).",
    )

    @staticmethod
    def resolve_title(root: m.Article, info: ResolveInfo) -> Any:
        zh, en = root.title_zh, root.title_en
        return (en or zh) if info.context.locale == "en" else (zh or en)

    @staticmethod
    def resolve_body(root: m.Article, info: ResolveInfo) -> Any:
        zh, en = root.body_zh, root.body_en
        return (en or zh) if info.context.locale == "en" else (zh or en)

    @staticmethod
    def resolve_model_ids(root: m.Article, _info: ResolveInfo) -> Any:
        return [global_id("DeviceModel", i) for i in root.model_ids]

    @staticmethod
    async def resolve_revisions(root: m.Article, info: ResolveInfo) -> Any:
        actor = require_actor(info)
        return await articles.revisions_of(info.context.session, actor, root.id)


def suggested_articles_field() -> graphene.NonNull:
    return graphene.NonNull(
        graphene.List(graphene.NonNull(Article)),
        description="Knowledge-base articles for the device's model and the fault (at most 5).",
    )
