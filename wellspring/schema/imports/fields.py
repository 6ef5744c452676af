"""RequestImportUpload, StartImport (an uploaded file, or its content in base64) and the
Import($id) query."""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import permissions
from wellspring.domain.errors import DomainError
from wellspring.domain.imports import reads, uploads
from wellspring.domain.imports.runs import ImportFile, content_hash, nested, run_import
from wellspring.domain.models import ImportRun
from wellspring.domain.models import enums as e
from wellspring.tabular.reading import MAX_FILE_BYTES, read_table

from ..core import enums
from ..core.context import require_actor
from ..core.errors import ImportError_, errors_field
from ..core.ids import parse_global_id
from ..core.mutation import Failed, run_in_savepoint
from ..core.scalars import DateTime
from ..masterdata.common import payload
from .types import Import, ImportUpload

# Up to this many rows run inside the request (the answer is the finished import); a larger
# file runs in the background after the request commits (poll `import(id:)`).
INLINE_ROWS = 5000
MAX_MAPPINGS = 100


class ColumnMapping(graphene.InputObjectType):
    """A header of the file and the field it holds (`phone`, `district` ...)."""

    header = graphene.String(required=True)
    field = graphene.String(required=True)


class StartImportInput(graphene.InputObjectType):
    """A file to import (CSV in UTF-8 or GB18030, or XLSX; at most 20 MiB): give `uploadId`
    (a file posted to the store through RequestImportUpload) or `content` (its bytes in base64,
    within the request size limit of 1 MiB). The same file again resumes its unfinished
    import, or (once it is done) changes nothing."""

    kind = graphene.Field(enums.ImportKind, required=True)
    file_name = graphene.String(description="Required with content; the upload's by default.")
    upload_id = graphene.ID(
        description="An ImportUpload (RequestImportUpload) whose file was posted: read from "
        "the store and checked against its declared size, type and SHA-256."
    )
    content = graphene.String(description="The file, base64-encoded (small files).")
    column_map = graphene.List(
        graphene.NonNull(ColumnMapping), description="File headers to fields, over the defaults."
    )
    branch_code = graphene.String(description="The branch of rows that name none.")
    dry_run = graphene.Boolean(description="Check every row and write no data.")


class StartImportPayload(graphene.ObjectType):
    import_ = graphene.Field(Import, name="import")
    errors = errors_field(ImportError_)


def _decode(content: str) -> bytes:
    if len(content) > (MAX_FILE_BYTES // 3 + 1) * 4:
        raise DomainError("IMPORT_FILE_TOO_LARGE", field="content", maximum=MAX_FILE_BYTES)
    try:
        return base64.b64decode(content.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise DomainError("IMPORT_INVALID_CONTENT", field="content") from None


async def _file(info: ResolveInfo, actor: Any, input: Any) -> tuple[bytes, str]:
    """The file's bytes and name: the uploaded object, or the inline content."""
    given_name = (input.get("file_name") or "").strip()[:255]
    upload_id, content = input.get("upload_id"), input.get("content")
    if (upload_id is None) == (content is None):
        raise DomainError("IMPORT_INVALID_CONTENT", field="upload_id")  # one of the two
    if upload_id is not None:
        row_id = parse_global_id(upload_id, "ImportUpload", field="uploadId")
        ctx = info.context
        upload, data = await uploads.read_upload(ctx.session, actor, row_id, now=ctx.now)
        return data, given_name or upload.file_name
    return _decode(content), given_name or "import"


class RequestImportUploadInput(graphene.InputObjectType):
    file_name = graphene.String(required=True)
    content_type = graphene.String(
        required=True,
        description="text/csv or "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet (XLSX).",
    )
    byte_size = graphene.Int(
        required=True, description="At most WELLSPRING_IMPORT_UPLOAD_MAX_BYTES (20 MiB)."
    )
    sha256 = graphene.String(required=True, description="The file's SHA-256, hex.")


class RequestImportUploadPayload(graphene.ObjectType):
    import_upload = graphene.Field(ImportUpload)
    upload = graphene.Field(
        "wellspring.schema.media.mutations.UploadForm",
        description="POST these fields and the file (field `file`, last) to the url.",
    )
    expires_at = graphene.Field(DateTime, description="The form is refused after this (≤ 15 min).")
    errors = errors_field(ImportError_)


class RequestImportUpload(graphene.Mutation):
    """A presigned upload for an import file (HQ and admins); then StartImport(uploadId:)."""

    class Arguments:
        input = RequestImportUploadInput(required=True)

    Output = RequestImportUploadPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        from ..media.mutations import UploadForm

        actor = require_actor(info)
        ctx = info.context

        async def run() -> Any:
            new = uploads.NewImportUpload(
                file_name=input.file_name,
                content_type=input.content_type,
                byte_size=input.byte_size,
                sha256=input.sha256,
            )
            return await uploads.request_upload(ctx.session, actor, new, now=ctx.now)

        result = await run_in_savepoint(ctx, run)
        if isinstance(result, Failed):
            return RequestImportUploadPayload(errors=result)
        return RequestImportUploadPayload(
            import_upload=result.upload,
            upload=UploadForm(url=result.form.url, fields=result.form.fields),
            expires_at=result.expires_at,
            errors=[],
        )


class StartImport(graphene.Mutation):
    """Import a CSV or XLSX file of customers, devices, cards, parts, opening stock or
    engineers (HQ and admins)."""

    class Arguments:
        input = StartImportInput(required=True)

    Output = StartImportPayload

    @staticmethod
    async def mutate(_root: Any, info: ResolveInfo, input: Any) -> Any:
        actor = require_actor(info)
        ctx = info.context

        async def run() -> Any:
            permissions.check(actor, "import.run")
            mapping = input.get("column_map") or []
            if len(mapping) > MAX_MAPPINGS:
                raise DomainError("TOO_MANY_ITEMS", field="column_map", maximum=MAX_MAPPINGS)
            column_map = {m.header.strip(): m.field.strip() for m in mapping}
            content, name = await _file(info, actor, input)
            # Reading a 20 MiB sheet takes seconds of CPU: not on the loop other requests share.
            table = await asyncio.to_thread(read_table, content)
            kind = e.ImportKind(input.kind)
            branch = (input.get("branch_code") or "").strip() or None
            file = ImportFile(
                kind=kind,
                file_name=name,
                content_hash=content_hash(content, kind, column_map, branch),
                headers=table.headers,
                rows=table.rows,
                column_map=column_map,
                branch_code=branch,
                dry_run=bool(input.get("dry_run")),
            )
            if len(table.rows) <= INLINE_ROWS:
                report = await run_import(nested(ctx.session), actor, file, now=ctx.now)
            else:
                report = await run_import(
                    nested(ctx.session), actor, file, now=ctx.now, stop_after_batches=0
                )
                if not file.dry_run and not report.applying_elsewhere:
                    ctx.after_commit.append(_background(actor, file, report.run_id))
            return await ctx.session.get(ImportRun, report.run_id)

        return await payload(info, StartImportPayload, "import_", run)


def _background(actor: Any, file: ImportFile, run_id: str | None) -> Any:
    """Apply the checked file after the request commits, in batches of their own."""

    async def go(factory: Any) -> None:
        from wellspring.domain.db import transaction
        from wellspring.domain.models import utcnow

        await run_import(lambda: transaction(factory), actor, file, now=utcnow(), run_id=run_id)

    return go


def import_field() -> graphene.Field:
    return graphene.Field(
        Import,
        id=graphene.ID(required=True),
        name="import",
        description="HQ and admins: an import's progress and its bad rows.",
    )


async def resolve_import(_root: Any, info: ResolveInfo, id: Any) -> Any:
    actor = require_actor(info)
    run_id = parse_global_id(id, "Import", field="id")
    return await reads.get_run(info.context.session, actor, run_id)
