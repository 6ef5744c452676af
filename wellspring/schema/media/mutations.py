"""RequestUpload and ConfirmUpload, and the dispatchers' list of overdue evidence."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.media import confirmation, reading, uploads
from wellspring.domain.models import enums as e

from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.errors import MediaError, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint, run_outside
from ..core.scalars import DateTime
from .types import Attachment, AttachmentKind


class UploadForm(graphene.ObjectType):
    """POST these fields and then the file (form field `file`, last) to `url` as
    multipart/form-data: an S3 presigned POST, whichever store is configured."""

    url = graphene.String(required=True)
    fields = graphene.JSONString(required=True, description="Form fields, name to value.")


class RequestUploadInput(graphene.InputObjectType):
    job_id = graphene.ID(required=True)
    kind = graphene.Field(AttachmentKind, required=True)
    content_type = graphene.String(
        required=True, description="image/jpeg, image/png or image/webp."
    )
    byte_size = graphene.Int(required=True)
    sha256 = graphene.String(required=True, description="The file's SHA-256, hex.")
    attachment_id = graphene.ID(
        description="The phone's id for a record made offline: asking again for the same id "
        "returns the same attachment (with a fresh form)."
    )
    taken_at = graphene.Field(DateTime, description="When the phone took it.")


class RequestUploadPayload(graphene.ObjectType):
    attachment = graphene.Field(Attachment)
    upload = graphene.Field(UploadForm, description="Null when the file is already verified.")
    expires_at = graphene.Field(DateTime, description="The form is refused after this (≤ 15 min).")
    errors = errors_field(MediaError)


class RequestUpload(graphene.Mutation):
    """A presigned upload for a job's photo, signature or form (the job's engineer)."""

    class Arguments:
        input = RequestUploadInput(required=True)

    Output = RequestUploadPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        ctx = info.context

        async def run() -> Any:
            new = uploads.NewAttachment(
                job_id=parse_global_id(input.job_id, "Job", field="jobId"),
                kind=e.AttachmentKind(input.kind),
                content_type=input.content_type,
                byte_size=input.byte_size,
                sha256=input.sha256,
                attachment_id=input.get("attachment_id"),
                taken_at=input.get("taken_at"),
            )
            return await uploads.request_upload(ctx.session, actor, new, now=ctx.now)

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return RequestUploadPayload(errors=result)
        form = result.form
        return RequestUploadPayload(
            attachment=reading.AttachmentView(result.attachment, None, None, False),
            upload=UploadForm(url=form.url, fields=form.fields) if form else None,
            expires_at=result.expires_at,
            errors=[],
        )


class ConfirmUploadInput(graphene.InputObjectType):
    id = graphene.ID(required=True, description="The attachment.")


class ConfirmUploadPayload(graphene.ObjectType):
    attachment = graphene.Field(
        Attachment, description="VERIFIED, or REJECTED with its code (never served)."
    )
    errors = errors_field(MediaError)


class ConfirmUpload(graphene.Mutation):
    """Verify the stored file (size, type, SHA-256, magic bytes, a full decode) and attach
    it; a completion waiting for it may become complete. Confirming again changes nothing."""

    class Arguments:
        input = ConfirmUploadInput(required=True)

    Output = ConfirmUploadPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        ctx = info.context

        async def begin() -> Any:
            return await confirmation.begin(ctx.session, actor, attachment_id=str(input.id))

        result = await run_in_savepoint(ctx, begin)  # a short read
        if isinstance(result, confirmation.Pending):
            pending = result  # the file work, no transaction open:
            verdict = await run_outside(ctx, lambda: confirmation.check_file(pending))
            if isinstance(verdict, Failed):
                return ConfirmUploadPayload(errors=verdict)

            async def record() -> Any:  # a short write
                return await confirmation.record(ctx.session, actor, verdict, now=ctx.now)

            result = await run_in_savepoint(ctx, record)
        if isinstance(result, Failed):
            return ConfirmUploadPayload(errors=result)
        view = await reading.confirmed(ctx.session, actor, result, now=ctx.now)
        return ConfirmUploadPayload(attachment=view, errors=[])


async def resolve_evidence_overdue_jobs(
    _root: Any, info: ResolveInfo, first: Any = None, after: Any = None
) -> Any:
    actor = require_actor(info)
    return await reading.overdue_evidence(
        info.context.session, actor, now=info.context.now, first=first, after=after
    )


def evidence_overdue_jobs_field() -> graphene.Field:
    from ..tickets.types import Job

    return graphene.Field(
        graphene.NonNull(connection_for(Job)),
        description="Dispatchers: completed jobs whose photos, signature or form are still "
        "not verified a day (WELLSPRING_MEDIA_EVIDENCE_OVERDUE_HOURS) after completion, "
        "longest waiting first.",
        resolver=resolve_evidence_overdue_jobs,
        **connection_args(),
    )
