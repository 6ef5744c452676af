"""The Attachment type: a job's photo, signature or form as the caller may see it."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo as ResolveInfo

from wellspring.domain import models as m
from wellspring.domain.media import reading
from wellspring.domain.models import enums as e
from wellspring.i18n import message

from ..core.context import require_actor
from ..core.enums import described
from ..core.node import as_value
from ..core.scalars import DateTime

AttachmentKind = described(e.AttachmentKind)
AttachmentStatus = described(e.AttachmentStatus)
EvidenceStatus = described(e.EvidenceStatus)


class Attachment(graphene.ObjectType):
    """A file from the field. Its id is the phone's own (made offline) or the server's.
    URLs are signed for the caller and expire; only verified files have any."""

    id = graphene.ID(required=True)
    kind = graphene.Field(AttachmentKind, required=True)
    status = graphene.Field(AttachmentStatus, required=True)
    content_type = graphene.String(required=True)
    byte_size = graphene.Int(required=True)
    taken_at = graphene.Field(DateTime, description="When the phone took it.")
    verified_at = graphene.Field(DateTime)
    width = graphene.Int()
    height = graphene.Int()
    rejection_code = graphene.String(description="Why it was rejected (REJECTED only).")
    rejection_message = graphene.String(description="The rejection, in the caller's language.")
    url = graphene.String(description="The re-encoded file, without EXIF, XMP or GPS.")
    thumbnail_url = graphene.String(description="A small JPEG of it.")
    original_url = graphene.String(
        description="Staff who see the job: the file as uploaded, metadata and all. Each "
        "read is recorded in the audit log; null for everyone else."
    )

    @staticmethod
    def resolve_id(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.id

    @staticmethod
    def resolve_kind(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.kind

    @staticmethod
    def resolve_status(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.status

    @staticmethod
    def resolve_content_type(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.content_type

    @staticmethod
    def resolve_byte_size(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.byte_size

    @staticmethod
    def resolve_taken_at(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.taken_at

    @staticmethod
    def resolve_verified_at(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.verified_at

    @staticmethod
    def resolve_width(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.width

    @staticmethod
    def resolve_height(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.height

    @staticmethod
    def resolve_rejection_code(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.attachment.rejection_code or None

    @staticmethod
    def resolve_rejection_message(root: reading.AttachmentView, info: ResolveInfo) -> Any:
        code = root.attachment.rejection_code
        return message(code, info.context.locale) if code else None

    @staticmethod
    def resolve_url(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.url

    @staticmethod
    def resolve_thumbnail_url(root: reading.AttachmentView, _info: ResolveInfo) -> Any:
        return root.thumbnail_url

    @staticmethod
    async def resolve_original_url(root: reading.AttachmentView, info: ResolveInfo) -> Any:
        if not root.may_read_original:
            return None
        actor = require_actor(info)
        # The job as the caller may see it, batched for every file of the answer.
        job = await as_value(info.context.loaders.load(m.Job, root.attachment.job_id))
        return reading.original_url(
            info.context.session, actor, root.attachment, job=job, now=info.context.now
        )
