"""POST /graphql: parse and validate (cached per document), execute in one transaction.

Clients send the same few documents over and over, so a parsed and validated document is
kept in a small LRU cache keyed by its text and the language of its messages. The cost rule
depends on the variables too, but only on their integers (``limits.cost_key``): a cost within
the limit is remembered per document and integers (issue 19 §3), so the same page asked again,
or the same document for another id, skips the walk. Answers are encoded with orjson.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql.error import GraphQLSyntaxError
from graphql.pyutils import is_awaitable
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from wellspring import context as request_context
from wellspring.digits import is_digits
from wellspring.domain import auth
from wellspring.domain.clock import clock_of
from wellspring.domain.db import declare_writes
from wellspring.domain.errors import (
    BrokenInvariant,
    DomainError,
    NotAuthenticated,
    PermissionDenied,
)
from wellspring.i18n import message, negotiate
from wellspring.schema.core import plain_fields
from wellspring.schema.core.context import RequestContext
from wellspring.schema.core.dataloaders import Loaders
from wellspring.schema.core.errors import api_field
from wellspring.schema.core.mutation import SPLIT_FIELDS
from wellspring.settings import Settings

from . import input_guard, limits
from .busy import RETRY_AFTER_SECONDS
from .graphiql import GRAPHIQL_HTML
from .graphql_messages import (
    argument_error,
    is_variable_error,
    validation_error,
    variable_errors,
)
from .graphql_responses import (
    bad_request,
    error_response,
    find_operation,
    invalid_character,
    json_response,
)

log = logging.getLogger("wellspring.graphql")
_CACHE_SIZE = 512


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode | None
    errors: list[GraphQLError]


class GraphQLEndpoint:
    def __init__(self, schema: GraphQLSchema, settings: Settings, auth_config: auth.AuthConfig):
        self.schema = schema
        self.context_class = plain_fields.execution_context(schema)
        self.settings = settings
        self.auth_config = auth_config
        self._cache: OrderedDict[tuple[str, str], Prepared] = OrderedDict()
        # (document, the variables its cost can depend on) found within the limit
        self._costed: OrderedDict[tuple[str, tuple[tuple[str, int], ...]], None] = OrderedDict()
        self.background: set[asyncio.Task[Any]] = set()

    # -- document preparation -------------------------------------------------------------
    def prepare(self, query: str, locale: str) -> Prepared:
        key = (query, locale)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        prepared = self._prepare(query, locale)
        self._cache[key] = prepared
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return prepared

    def _prepare(self, query: str, locale: str) -> Prepared:
        s = self.settings
        try:
            document = parse(query, max_tokens=s.max_query_tokens)
        except GraphQLSyntaxError as error:
            if "tokens. Parsing aborted" in error.message:
                text = message("TOO_MANY_TOKENS", locale)
                return Prepared(None, [GraphQLError(text, extensions={"code": "TOO_MANY_TOKENS"})])
            production = s.is_production
            syntax = validation_error(error, locale, production=production, code="BAD_REQUEST")
            return Prepared(None, [syntax])
        rules = list(specified_rules)
        rules.append(limits.depth_rule(s.max_query_depth, locale))
        rules.append(limits.alias_rule(s.max_aliases, locale))
        rules.append(input_guard.nul_rule(locale))
        if not s.introspection_enabled:
            rules.append(NoSchemaIntrospectionCustomRule)
        errors = validate(
            self.schema, document, rules, max_errors=20, hide_suggestions=s.is_production
        )
        return Prepared(document, [self._validation_error(e, locale) for e in errors])

    def _validation_error(self, error: GraphQLError, locale: str) -> GraphQLError:
        if error.extensions and "code" in error.extensions:
            return error
        if error.message.startswith("GraphQL introspection has been disabled"):
            text = message("INTROSPECTION_DISABLED", locale)
            return GraphQLError(text, error.nodes, extensions={"code": "INTROSPECTION_DISABLED"})
        return validation_error(error, locale, production=self.settings.is_production)

    # -- HTTP ------------------------------------------------------------------------------
    async def handle(self, request: Request) -> Response:
        locale = negotiate(request.headers.get("accept-language"))
        if request.method == "GET":
            if not self.settings.graphiql_enabled:
                return Response(status_code=404)
            return HTMLResponse(GRAPHIQL_HTML)
        try:
            body = await self._read_body(request)
        except BodyTooLarge:
            return error_response(
                413, "PAYLOAD_TOO_LARGE", locale, limit=self.settings.max_body_bytes
            )
        try:
            payload = json.loads(body)
        except RecursionError:
            return bad_request(locale, "TOO_DEEP", maximum=input_guard.MAX_VARIABLE_DEPTH)
        except (ValueError, UnicodeDecodeError):
            return bad_request(locale, "BODY_NOT_JSON")
        if isinstance(payload, list):
            return error_response(400, "BATCHING_NOT_SUPPORTED", locale)
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return bad_request(locale, "QUERY_NOT_STRING")
        variables = payload.get("variables")
        if variables is None:  # only null or absent means none: 0, false or "" is refused
            variables = {}
        if not isinstance(variables, dict):
            return bad_request(locale, "VARIABLES_NOT_OBJECT")
        operation_name = payload.get("operationName")
        if not (operation_name is None or isinstance(operation_name, str)):
            return bad_request(locale, "OPERATION_NAME_NOT_STRING")
        try:
            nul_at = input_guard.unstorable_path(variables)
        except input_guard.TooDeep:
            return bad_request(locale, "TOO_DEEP", maximum=input_guard.MAX_VARIABLE_DEPTH)
        if nul_at is not None:
            return json_response(400, {"errors": [invalid_character(nul_at, locale)]})

        info = request.scope.setdefault("wellspring", {})
        info["operation"] = _loggable(operation_name)
        prepared = self.prepare(payload["query"], locale)
        if prepared.errors or prepared.document is None:
            return json_response(400, {"errors": [e.formatted for e in prepared.errors]})
        operation = find_operation(prepared.document, operation_name)
        if operation is None:
            return bad_request(locale, "OPERATION_NOT_FOUND")
        info["operation"] = operation.name.value if operation.name else ""
        if operation.operation is OperationType.SUBSCRIPTION:
            return error_response(400, "SUBSCRIPTION_OVER_HTTP", locale)
        cost_errors = self._cost_errors(payload["query"], prepared.document, variables, locale)
        if cost_errors:
            return json_response(400, {"errors": [e.formatted for e in cost_errors]})

        factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
        result = await self._execute(
            request, factory, prepared.document, operation, variables, operation_name, locale
        )
        production = self.settings.is_production
        if result.errors and all(is_variable_error(e) for e in result.errors):
            # Variables that do not fit their types: nothing ran, the request was at fault.
            errors = variable_errors(result.errors, locale, production=production)
            return json_response(400, {"errors": errors})
        return json_response(200, self._format(result, locale))

    def _cost_errors(
        self, query: str, document: DocumentNode, variables: dict[str, Any], locale: str
    ) -> list[GraphQLError]:
        ints = limits.cost_key(variables)
        key = (query, ints) if ints is not None else None
        if key is not None and key in self._costed:
            self._costed.move_to_end(key)
            return []
        cost_rule = limits.cost_rule(self.schema, self.settings.max_query_cost, locale, variables)
        errors = validate(self.schema, document, [cost_rule])
        if not errors and key is not None:
            self._costed[key] = None
            if len(self._costed) > _CACHE_SIZE:
                self._costed.popitem(last=False)
        return errors

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and is_digits(declared) and int(declared) > limit:
            raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    async def _execute(
        self,
        request: Request,
        factory: async_sessionmaker[AsyncSession],
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: dict[str, Any],
        operation_name: str | None,
        locale: str,
    ) -> ExecutionResult:
        split = _split(operation)
        async with factory() as session:
            try:
                writes = operation.operation is OperationType.MUTATION and not split
                if writes:
                    await declare_writes(session)
                actor = await self._actor(request, session, writes=writes)
                info = request.scope.setdefault("wellspring", {})
                info["user"] = actor.username if actor else ""
                ctx = RequestContext(
                    session=session,
                    actor=actor,
                    locale=locale,
                    auth=self.auth_config,
                    loaders=Loaders(session, actor),
                    client_ip=request.client.host if request.client else "",
                    user_agent=request.headers.get("user-agent", ""),
                    request_id=request_context.request_id.get(),
                    now=clock_of(session).now(),
                    split=split,
                    sole_field=not split and _sole_field(operation),
                )
                loaders = ctx.loaders
                try:
                    result = execute(
                        self.schema,
                        document,
                        context_value=ctx,
                        variable_values=variables,
                        operation_name=operation_name,
                        hide_suggestions=self.settings.is_production,
                        execution_context_class=self.context_class,
                        is_awaitable=plain_fields.is_awaitable,
                    )
                    if is_awaitable(result):
                        result = await result  # type: ignore[misc]
                finally:
                    # A failed field's siblings may still be reading (``RequestLoader``): the
                    # transaction ends only once they have (a login swaps in new loaders).
                    await loaders.settle()
                    if ctx.loaders is not loaders:
                        await ctx.loaders.settle()
                if not isinstance(result, ExecutionResult):
                    raise BrokenInvariant(f"graphql execute returned {type(result).__name__}")
                busy = next(
                    (e.original_error for e in result.errors or () if _pool_timeout(e)), None
                )
                if busy is not None:  # answered 503 by api/busy.py, not INTERNAL_ERROR
                    raise busy
                if result.errors and any(_is_unexpected(e) for e in result.errors):
                    await session.rollback()  # nothing half-written
                else:
                    await session.commit()
                    for hook in ctx.after_commit:
                        self._start(hook(factory))
            except BaseException:
                await session.rollback()
                raise
        if actor is not None and auth.touch_due(actor):
            await self._touch(factory, actor)
        return result

    def _start(self, work: Any) -> None:
        """Run work after the answer (a large import), keeping a reference until it ends."""
        task = asyncio.create_task(work)
        self.background.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background work failed", exc_info=task.exception())

    async def _touch(self, factory: async_sessionmaker[AsyncSession], actor: Any) -> None:
        try:
            async with factory() as session:
                if await auth.touch_session(session, actor):
                    await session.commit()
        except Exception:  # bookkeeping only: never fail the answer for it
            log.warning("could not record session activity", exc_info=True)

    async def _actor(self, request: Request, session: AsyncSession, *, writes: bool) -> Any:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            return await auth.authenticate(
                session, config=self.auth_config, token=token.strip(), writes=writes
            )
        except NotAuthenticated:
            return None

    def format_result(self, result: ExecutionResult, locale: str) -> dict[str, Any]:
        """A result as the API sends it: errors in the caller's language, no internals."""
        return self._format(result, locale)

    def _format(self, result: ExecutionResult, locale: str) -> dict[str, Any]:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [self._format_error(e, locale) for e in result.errors]
        return body

    def _format_error(self, error: GraphQLError, locale: str) -> dict[str, Any]:
        original = error.original_error
        formatted: dict[str, Any] = dict(error.formatted)
        if original is None:
            return formatted
        if isinstance(original, DomainError):
            field = api_field(original.field)
            params = {**original.params, "field": field or ""}
            formatted["message"] = message(original.code, locale, **params)
            formatted["extensions"] = {"code": str(original.code), "field": field}
        elif isinstance(original, NotAuthenticated):
            formatted["message"] = message("UNAUTHENTICATED", locale)
            formatted["extensions"] = {"code": "UNAUTHENTICATED"}
        elif isinstance(original, PermissionDenied):
            formatted["message"] = message("FORBIDDEN", locale)
            formatted["extensions"] = {"code": "FORBIDDEN"}
        elif isinstance(original, GraphQLError) and "code" in (original.extensions or {}):
            return formatted
        elif isinstance(original, GraphQLError) and (refused := argument_error(original)):
            code, argument = refused
            formatted["message"] = message(code, locale, field=argument)
            formatted["extensions"] = {"code": code, "field": argument}
            if not self.settings.is_production:
                formatted["extensions"]["detail"] = original.message
        elif isinstance(original, PoolTimeout):  # a subscription's resolver (HTTP answers 503)
            formatted["message"] = message("SERVICE_BUSY", locale, retry_after=RETRY_AFTER_SECONDS)
            formatted["extensions"] = {"code": "SERVICE_BUSY", "retryAfter": RETRY_AFTER_SECONDS}
        else:  # a fault of ours, e.g. a stored value its GraphQL type cannot represent
            request_id = request_context.request_id.get()
            log.error(
                "unexpected error in resolver",
                exc_info=original,
                extra={"request_id": request_id, "path": error.path},
            )
            formatted["message"] = message("INTERNAL_ERROR", locale, request_id=request_id)
            formatted["extensions"] = {"code": "INTERNAL_ERROR", "requestId": request_id}
        return formatted


def _pool_timeout(error: GraphQLError) -> bool:
    return isinstance(error.original_error, PoolTimeout)


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    if isinstance(original, GraphQLError):  # ours carry a code; graphql-core's own do not
        return "code" not in (original.extensions or {}) and argument_error(original) is None
    return original is not None and not isinstance(
        original, DomainError | NotAuthenticated | PermissionDenied
    )


def _split(operation: OperationDefinitionNode) -> bool:
    """A mutation made only of fields that take the write lock themselves, late."""
    if operation.operation is not OperationType.MUTATION:
        return False
    selections = operation.selection_set.selections
    return all(isinstance(s, FieldNode) and s.name.value in SPLIT_FIELDS for s in selections)


def _sole_field(operation: OperationDefinitionNode) -> bool:
    """A mutation of one root field: the request's transaction is that field's alone."""
    selections = operation.selection_set.selections
    return (
        operation.operation is OperationType.MUTATION
        and len(selections) == 1
        and isinstance(selections[0], FieldNode)
    )


# A GraphQL name, as the access log keeps the one a client claims before it is checked: a
# 900 KB name was written whole into a log line.
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,99}")


def _loggable(operation_name: str | None) -> str:
    if operation_name is None or not _NAME.fullmatch(operation_name):
        return ""
    return operation_name
