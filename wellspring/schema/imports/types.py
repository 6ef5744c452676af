"""An import run as the API shows it: status, counts, progress and its bad rows."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain.imports import reads
from wellspring.domain.imports.runs import shown_status
from wellspring.domain.models import ImportRowError as RowErrorModel
from wellspring.domain.models import ImportRun as ImportRunModel
from wellspring.domain.models import ImportUpload as ImportUploadModel
from wellspring.i18n import message

from ..core import enums
from ..core.connection import connection_args, connection_for
from ..core.context import require_actor
from ..core.errors import ImportErrorCode
from ..core.ids import global_id
from ..media.types import AttachmentStatus


class ImportRowError(graphene.ObjectType):
    """A bad row: its line in the file (the header is line 1), the column (field name), the
    code and the message in the request's language."""

    line = graphene.Int(required=True)
    column = graphene.String(required=True)
    code = graphene.Field(ImportErrorCode, required=True)
    message = graphene.String(required=True)

    @classmethod
    def is_type_of(cls, root: Any, _info: ResolveInfo) -> bool:
        return isinstance(root, RowErrorModel)

    @staticmethod
    def resolve_message(root: RowErrorModel, info: ResolveInfo) -> str:
        return message(root.code, info.context.locale, **(root.params or {}))


class Import(graphene.ObjectType):
    """A bulk import of a file: checked row by row first, then applied in batches."""

    id = graphene.ID(required=True)
    kind = graphene.Field(enums.ImportKind, required=True)
    file_name = graphene.String(required=True)
    status = graphene.Field(enums.ImportStatus, required=True)
    dry_run = graphene.Boolean(required=True)
    total_rows = graphene.Int(required=True, description="Non-blank rows below the header.")
    error_rows = graphene.Int(required=True, description="Rows refused (see `errors`).")
    unchanged_rows = graphene.Int(
        required=True, description="Rows already in the database (by natural key): left as is."
    )
    applied_rows = graphene.Int(required=True, description="Rows written by this import.")
    batches_done = graphene.Int(required=True)
    batches_total = graphene.Int(required=True)
    progress = graphene.Float(required=True, description="0 to 1: rows handled of all rows.")
    failure = graphene.String(description="Why a FAILED import stopped (StartImport resumes).")
    heartbeat_at = graphene.DateTime(
        description="Last sign of life of the process applying it (at its start and every "
        "batch); a RUNNING import silent for 5 minutes shows as INTERRUPTED."
    )
    created_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()
    errors = graphene.Field(
        graphene.NonNull(connection_for(ImportRowError)),
        description="The bad rows by line (at most 10,000 are kept).",
        **connection_args(),
    )

    @classmethod
    def is_type_of(cls, root: Any, _info: ResolveInfo) -> bool:
        return isinstance(root, ImportRunModel)

    @staticmethod
    def resolve_id(root: ImportRunModel, _info: ResolveInfo) -> str:
        return global_id("Import", root.id)

    @staticmethod
    def resolve_status(root: ImportRunModel, info: ResolveInfo) -> Any:
        return shown_status(root, info.context.now)

    @staticmethod
    def resolve_progress(root: ImportRunModel, _info: ResolveInfo) -> float:
        return reads.progress(root)

    @staticmethod
    def resolve_failure(root: ImportRunModel, _info: ResolveInfo) -> str | None:
        return root.failure or None

    @staticmethod
    async def resolve_errors(
        root: ImportRunModel, info: ResolveInfo, first: Any = None, after: Any = None
    ) -> Any:
        actor = require_actor(info)
        return await reads.row_errors(
            info.context.session, actor, root.id, first=first, after=after
        )


class ImportUpload(graphene.ObjectType):
    """A CSV or XLSX file uploaded to the store for StartImport(uploadId:)."""

    id = graphene.ID(required=True)
    file_name = graphene.String(required=True)
    content_type = graphene.String(required=True)
    byte_size = graphene.Int(required=True)
    status = graphene.Field(
        AttachmentStatus,
        required=True,
        description="PENDING_UPLOAD until StartImport has read and checked it, then VERIFIED.",
    )
    created_at = graphene.DateTime(required=True)

    @classmethod
    def is_type_of(cls, root: Any, _info: ResolveInfo) -> bool:
        return isinstance(root, ImportUploadModel)

    @staticmethod
    def resolve_id(root: ImportUploadModel, _info: ResolveInfo) -> str:
        return global_id("ImportUpload", root.id)
