"""RecordMissedCall, RecordCallback and UpsertArticle."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.hotline import articles, missed_calls
from wellspring.domain.models import enums as e

from ..core import enums
from ..core.context import require_actor
from ..core.errors import HotlineError, errors_field
from ..core.idempotent import key_field, once
from ..core.scalars import DateTime
from ..masterdata.common import optional_id, payload
from .types import Article, CallbackAttempt, MissedCall

MAX_TAGS = 50


class RecordMissedCallInput(graphene.InputObjectType):
    call_id = graphene.String(required=True, description="The PBX's id: a repeat is ignored.")
    caller_number = graphene.String(required=True)
    called_at = DateTime(required=True)
    queue = graphene.String(description="The hotline queue (skill group) the call was in.")
    recording_url = graphene.String(
        description="The PBX's recording of the call (an http(s) URL, up to 500 characters)."
    )


class RecordMissedCallPayload(graphene.ObjectType):
    missed_call = graphene.Field(MissedCall)
    errors = errors_field(HotlineError)


class RecordMissedCall(graphene.Mutation):
    """A missed call from the telephony system; recorded once per call id."""

    class Arguments:
        input = RecordMissedCallInput(required=True)

    Output = RecordMissedCallPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            report = missed_calls.MissedCallReport(
                call_id=input.call_id[:200],
                caller_number=input.caller_number[:64],
                called_at=input.called_at,
                queue=(input.get("queue") or "")[:100],
                recording_url=(input.get("recording_url") or "")[:600],
            )
            return await missed_calls.record_missed_call(info.context.session, actor, report=report)

        return await payload(info, RecordMissedCallPayload, "missed_call", run)


class RecordCallbackInput(graphene.InputObjectType):
    missed_call_id = graphene.ID(required=True)
    outcome = enums.CallbackOutcome(required=True)
    note = graphene.String()
    idempotency_key = key_field()


class RecordCallbackPayload(graphene.ObjectType):
    missed_call = graphene.Field(MissedCall)
    attempt = graphene.Field(CallbackAttempt)
    errors = errors_field(HotlineError)


class RecordCallback(graphene.Mutation):
    """An attempt to call a missed caller back and its outcome; reaching them returns the
    call, a wrong number or the last allowed attempt closes it."""

    class Arguments:
        input = RecordCallbackInput(required=True)

    Output = RecordCallbackPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        session = info.context.session

        async def run() -> Any:
            request: dict[str, Any] = {
                "missed_call_id": optional_id(input.missed_call_id, "MissedCall", "missedCallId")
                or "",
                "outcome": e.CallbackOutcome(input.outcome),
                "note": (input.get("note") or "")[:1000],
            }

            async def attempt() -> m.CallbackAttempt:
                _call, made = await missed_calls.record_callback(session, actor, **request)
                return made

            # A retried NO_ANSWER counted twice toward the attempts that close the call.
            made = await once(
                info,
                "recordCallback",
                key=input.get("idempotency_key"),
                request=request,
                permission="callback.record",
                model=m.CallbackAttempt,
                create=attempt,
            )
            call = await session.get(m.MissedCall, made.missed_call_id)
            return call, made

        result = await payload(info, RecordCallbackPayload, "missed_call", run)
        if not result.errors:
            call, attempt = result.missed_call
            return RecordCallbackPayload(missed_call=call, attempt=attempt, errors=[])
        return result


class AssignCallbackInput(graphene.InputObjectType):
    missed_call_id = graphene.ID(required=True)
    user_id = graphene.ID(description="A hotline agent (User); null takes the call back off.")


class AssignCallbackPayload(graphene.ObjectType):
    missed_call = graphene.Field(MissedCall)
    errors = errors_field(HotlineError)


class AssignCallback(graphene.Mutation):
    """Give an open missed call to a hotline agent to call back (anyone may still call)."""

    class Arguments:
        input = AssignCallbackInput(required=True)

    Output = AssignCallbackPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            return await missed_calls.assign_callback(
                info.context.session,
                actor,
                missed_call_id=optional_id(input.missed_call_id, "MissedCall", "missedCallId")
                or "",
                user_id=optional_id(input.get("user_id"), "User", "userId"),
            )

        return await payload(info, AssignCallbackPayload, "missed_call", run)


class UpsertArticleInput(graphene.InputObjectType):
    """A revision's whole content (not a patch); without `id` a new article."""

    id = graphene.ID()
    title_zh = graphene.String()
    title_en = graphene.String()
    body_zh = graphene.String()
    body_en = graphene.String()
    model_ids = graphene.List(graphene.NonNull(graphene.ID), description="DeviceModel ids.")
    fault_codes = graphene.List(graphene.NonNull(graphene.String))
    symptoms = graphene.List(graphene.NonNull(graphene.String))
    versions = graphene.String(description="The models' versions it applies to.")
    publish = graphene.Boolean(description="Readers get this revision (default: a draft).")
    retire = graphene.Boolean(description="Withdraw the article from readers and search.")


class UpsertArticlePayload(graphene.ObjectType):
    article = graphene.Field(Article)
    errors = errors_field(HotlineError)


def _strings(values: list[str] | None) -> list[str]:
    return [v[:200] for v in (values or [])[:MAX_TAGS]]


class UpsertArticle(graphene.Mutation):
    """Write or revise a knowledge-base article; every revision is kept."""

    class Arguments:
        input = UpsertArticleInput(required=True)

    Output = UpsertArticlePayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)

        async def run() -> Any:
            change = articles.ArticleChange(
                id=optional_id(input.get("id"), "Article", "id"),
                title_zh=(input.get("title_zh") or "")[:400],
                title_en=(input.get("title_en") or "")[:400],
                body_zh=(input.get("body_zh") or "")[:40_000],
                body_en=(input.get("body_en") or "")[:40_000],
                model_ids=[
                    optional_id(v, "DeviceModel", "modelIds") or ""
                    for v in (input.get("model_ids") or [])[:MAX_TAGS]
                ],
                fault_codes=_strings(input.get("fault_codes")),
                symptoms=_strings(input.get("symptoms")),
                versions=(input.get("versions") or "")[:200],
                publish=bool(input.get("publish")),
                retire=bool(input.get("retire")),
            )
            return await articles.upsert_article(info.context.session, actor, change=change)

        return await payload(info, UpsertArticlePayload, "article", run)
